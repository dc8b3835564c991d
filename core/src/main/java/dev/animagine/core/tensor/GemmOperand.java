package dev.animagine.core.tensor;

/**
 * The right-hand operand B[K,N] of {@link Gemm}, wherever it lives and in whatever dtype. It packs
 * a block {@code [k0, k0+kc) x [n0, n0+nc)} into fp32 panels: panel {@code p} holds columns
 * {@code n0 + p*NR ...} as {@code dst[p*kc*NR + k*NR + j]}, zero-padded past {@code nc}.
 */
public interface GemmOperand {
    int k();

    int n();

    void pack(int n0, int nc, int k0, int kc, float[] dst);

    /** Weights as stored for a linear layer, {@code W[N,K]} row-major (so B = W^T), in F32/F16/BF16. */
    static GemmOperand weights(StoredTensor w) {
        return new WeightOperand(w, Math.toIntExact(w.dim(0)), Math.toIntExact(w.numel() / w.dim(0)));
    }

    /** fp32 activations stored as {@code [N][K]} with row stride {@code ld} (B = X^T, e.g. keys in Q·K^T). */
    static GemmOperand transposed(float[] data, int off, int ld, int n, int k) {
        return new RowsOperand(data, off, ld, n, k);
    }

    /** fp32 activations stored as {@code [K][N]} with row stride {@code ld} (e.g. values in P·V). */
    static GemmOperand plain(float[] data, int off, int ld, int k, int n) {
        return new ColumnsOperand(data, off, ld, k, n);
    }

    final class WeightOperand implements GemmOperand {
        private final StoredTensor w;
        private final int n, k;
        private static final ThreadLocal<float[]> ROW = ThreadLocal.withInitial(() -> new float[Gemm.KC]);

        WeightOperand(StoredTensor w, int n, int k) {
            if (!w.dtype().floating()) throw new IllegalArgumentException(w.describe() + ": not a floating-point weight");
            this.w = w;
            this.n = n;
            this.k = k;
        }

        @Override public int k() { return k; }
        @Override public int n() { return n; }

        @Override
        public void pack(int n0, int nc, int k0, int kc, float[] dst) {
            float[] row = ROW.get();
            if (row.length < kc) ROW.set(row = new float[kc]);
            int nr = Gemm.NR;
            for (int j = 0; j < roundUp(nc, nr); j++) {
                int base = (j / nr) * kc * nr + (j % nr);
                if (j < nc) {
                    w.toFloats((long) (n0 + j) * k + k0, row, 0, kc);
                    for (int kk = 0; kk < kc; kk++) dst[base + kk * nr] = row[kk];
                } else {
                    for (int kk = 0; kk < kc; kk++) dst[base + kk * nr] = 0f;
                }
            }
        }
    }

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
        public void pack(int n0, int nc, int k0, int kc, float[] dst) {
            int nr = Gemm.NR;
            for (int j = 0; j < roundUp(nc, nr); j++) {
                int base = (j / nr) * kc * nr + (j % nr);
                if (j < nc) {
                    int src = off + (n0 + j) * ld + k0;
                    for (int kk = 0; kk < kc; kk++) dst[base + kk * nr] = data[src + kk];
                } else {
                    for (int kk = 0; kk < kc; kk++) dst[base + kk * nr] = 0f;
                }
            }
        }
    }

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
        public void pack(int n0, int nc, int k0, int kc, float[] dst) {
            int nr = Gemm.NR;
            for (int p = 0; p * nr < nc; p++) {
                int cols = Math.min(nr, nc - p * nr);
                int base = p * kc * nr;
                for (int kk = 0; kk < kc; kk++) {
                    int src = off + (k0 + kk) * ld + n0 + p * nr;
                    int d = base + kk * nr;
                    System.arraycopy(data, src, dst, d, cols);
                    for (int j = cols; j < nr; j++) dst[d + j] = 0f;
                }
            }
        }
    }

    private static int roundUp(int x, int to) {
        return (x + to - 1) / to * to;
    }
}
