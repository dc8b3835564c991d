package dev.animagine.core.tensor;

/**
 * The right-hand operand B[K,N] of {@link Gemm}, wherever it lives and in whatever dtype. It packs
 * a block {@code [k0, k0+kc) x [n0, n0+nc)} into fp32 panels of {@code NR} columns: panel {@code p}
 * holds columns {@code n0 + p*NR ...} as {@code dst[dstOff + p*kc*NR + k*NR + j]}, zero-padded past
 * {@code nc}. Packing is the boundary between storage and the micro-kernel: a kernel for another
 * panel format (e.g. bf16 pairs) would get its own pack methods and nothing else would change.
 */
public interface GemmOperand {
    int k();

    int n();

    void pack(int n0, int nc, int k0, int kc, float[] dst, int dstOff);

    /** Weights as stored for a linear layer, {@code W[N,K]} row-major (so B = W^T), in F32/F16/BF16. */
    static GemmOperand weights(StoredTensor w) {
        return new WeightOperand(w, Math.toIntExact(w.dim(0)), Math.toIntExact(w.numel() / w.dim(0)));
    }

    /** fp32 activations stored as {@code [N][K]} with row stride {@code ld} (B = X^T, e.g. keys in Q·K^T). */
    static GemmOperand transposed(float[] data, int off, int ld, int n, int k) {
        return new RowsOperand(data, off, ld, n, k);
    }

    /** fp32 activations stored as {@code [K][N]} with row stride {@code ld} (e.g. values in P·V, a 1x1 conv's input). */
    static GemmOperand plain(float[] data, int off, int ld, int k, int n) {
        return new ColumnsOperand(data, off, ld, k, n);
    }

    /**
     * B[K,N] already in {@link Gemm}'s packed layout for one column block (see {@link #packedIndex}),
     * starting at {@code off}: a producer that writes it this way (Winograd's input transform) saves
     * the GEMM its packing pass, and several GEMMs can share it.
     */
    static Packed packed(float[] data, int off, int k, int n) {
        return new Packed(data, off, k, n);
    }

    /** Floats of a packed B[K,N]: whole panels of {@code NR} columns (the last zero-padded) over all of K. */
    static int packedSize(int k, int n) {
        return Gemm.roundUp(n, Gemm.NR) * k;
    }

    /** Where element (kk, j) of a packed B[K,N] lies: depth block kb at {@code kb*KC*panels*NR}, its panel p at {@code p*kc*NR}. */
    static int packedIndex(int k, int n, int kk, int j) {
        int kb = kk / Gemm.KC, kc = Math.min(Gemm.KC, k - kb * Gemm.KC), panels = Gemm.ceilDiv(n, Gemm.NR);
        return kb * Gemm.KC * panels * Gemm.NR + (j / Gemm.NR) * kc * Gemm.NR + (kk - kb * Gemm.KC) * Gemm.NR + j % Gemm.NR;
    }

    /** See {@link #packed}. Packing from it copies whole panels (the GEMM asks for panel- and depth-block-aligned blocks). */
    record Packed(float[] data, int offset, int k, int n) implements GemmOperand {
        @Override
        public void pack(int n0, int nc, int k0, int kc, float[] dst, int dstOff) {
            if (n0 % Gemm.NR != 0 || k0 % Gemm.KC != 0) throw new IllegalArgumentException("unaligned block of a packed operand");
            int panels = Gemm.ceilDiv(n, Gemm.NR);
            System.arraycopy(data, offset + k0 * panels * Gemm.NR + (n0 / Gemm.NR) * kc * Gemm.NR, dst, dstOff,
                    Gemm.ceilDiv(nc, Gemm.NR) * kc * Gemm.NR);
        }
    }

    /** B = W^T: each row of W (a column of B) is widened to fp32, then interleaved into its panel. */
    final class WeightOperand implements GemmOperand {
        private final StoredTensor w;
        private final int n, k;
        private static final ThreadLocal<float[]> ROWS = ThreadLocal.withInitial(() -> new float[0]);

        WeightOperand(StoredTensor w, int n, int k) {
            if (!w.dtype().floating()) throw new IllegalArgumentException(w.describe() + ": not a floating-point weight");
            this.w = w;
            this.n = n;
            this.k = k;
        }

        @Override public int k() { return k; }
        @Override public int n() { return n; }

        StoredTensor tensor() {
            return w;
        }

        @Override
        public void pack(int n0, int nc, int k0, int kc, float[] dst, int dstOff) {
            int nr = Gemm.NR;
            float[] rows = ROWS.get();
            if (rows.length < nr * kc) ROWS.set(rows = new float[nr * kc]);
            for (int p = 0; p * nr < nc; p++) {
                int cols = Math.min(nr, nc - p * nr);
                for (int j = 0; j < cols; j++) w.toFloats((long) (n0 + p * nr + j) * k + k0, rows, j * kc, kc);
                interleave(rows, kc, cols, dst, dstOff + p * kc * nr);
            }
        }
    }

    /** B = X^T for fp32 rows X[N][K]. */
    final class RowsOperand implements GemmOperand {
        private final float[] data;
        private final int off, ld, n, k;

        RowsOperand(float[] data, int off, int ld, int n, int k) {
            this.data = data;
            this.off = off;
            this.ld = ld;
            this.n = n;
            this.k = k;
        }

        @Override public int k() { return k; }
        @Override public int n() { return n; }

        @Override
        public void pack(int n0, int nc, int k0, int kc, float[] dst, int dstOff) {
            int nr = Gemm.NR;
            for (int p = 0; p * nr < nc; p++) {
                int cols = Math.min(nr, nc - p * nr), base = dstOff + p * kc * nr, j = 0;
                // four rows of X at a time: four reads of consecutive k and four adjacent panel floats per step
                for (; j + 4 <= cols; j += 4) {
                    int s0 = off + (n0 + p * nr + j) * ld + k0, s1 = s0 + ld, s2 = s1 + ld, s3 = s2 + ld;
                    for (int kk = 0, d = base + j; kk < kc; kk++, d += nr) {
                        dst[d] = data[s0 + kk]; dst[d + 1] = data[s1 + kk]; dst[d + 2] = data[s2 + kk]; dst[d + 3] = data[s3 + kk];
                    }
                }
                for (; j < cols; j++) {
                    int src = off + (n0 + p * nr + j) * ld + k0;
                    for (int kk = 0; kk < kc; kk++) dst[base + kk * nr + j] = data[src + kk];
                }
                zeroTail(dst, base, kc, cols);
            }
        }
    }

    /** B = X for fp32 rows X[K][N]: each packed row is a contiguous slice. */
    final class ColumnsOperand implements GemmOperand {
        private final float[] data;
        private final int off, ld, k, n;

        ColumnsOperand(float[] data, int off, int ld, int k, int n) {
            this.data = data;
            this.off = off;
            this.ld = ld;
            this.k = k;
            this.n = n;
        }

        @Override public int k() { return k; }
        @Override public int n() { return n; }

        @Override
        public void pack(int n0, int nc, int k0, int kc, float[] dst, int dstOff) {
            int nr = Gemm.NR;
            for (int p = 0; p * nr < nc; p++) {
                int cols = Math.min(nr, nc - p * nr), base = dstOff + p * kc * nr;
                for (int kk = 0; kk < kc; kk++)
                    System.arraycopy(data, off + (k0 + kk) * ld + n0 + p * nr, dst, base + kk * nr, cols);
                zeroTail(dst, base, kc, cols);
            }
        }
    }

    /** {@code rows[j*kc + kk]} (j < cols) into one panel {@code dst[base + kk*NR + j]}, zero past cols. */
    private static void interleave(float[] rows, int kc, int cols, float[] dst, int base) {
        int nr = Gemm.NR;
        for (int kk = 0; kk < kc; kk++) {
            int d = base + kk * nr;
            for (int j = 0; j < cols; j++) dst[d + j] = rows[j * kc + kk];
        }
        zeroTail(dst, base, kc, cols);
    }

    /** Zeroes columns [cols, NR) of a panel. */
    private static void zeroTail(float[] dst, int base, int kc, int cols) {
        int nr = Gemm.NR;
        if (cols == nr) return;
        for (int kk = 0; kk < kc; kk++) java.util.Arrays.fill(dst, base + kk * nr + cols, base + (kk + 1) * nr, 0f);
    }
}
