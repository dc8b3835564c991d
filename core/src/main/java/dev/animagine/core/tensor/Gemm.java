package dev.animagine.core.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision matrix multiply {@code C[M,N] (+)= A[M,K] · B[K,N] + rowBias[i] + colBias[j]},
 * the engine's one GEMM, organised as in BLIS (Van Zee & van de Geijn): B is packed once per call
 * (per column super-block, shared by all threads) into fp32 panels of NR columns and depth KC; a
 * task takes MC rows of A (fp32 rows, or weights widened one row block at a time) against at most
 * NC columns over all of K, so its C block stays in L2 and each B panel in L1 while the
 * micro-kernel keeps an MR x NR tile of C in registers. Threads split the rows of A (and the
 * panels of B when A has few rows), so 2 and 64 cores are both busy; every call adds the
 * multiply-adds it did to {@link FlopCounter}.
 */
public final class Gemm {
    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final int L = SPECIES.length();
    /**
     * Register tile: MR rows of A times NR = 2 vectors of B, 12 accumulators. With AVX2 (16 registers)
     * that leaves room for two B vectors and a broadcast; with AVX-512 it still has more independent
     * FMA chains (12) than latency x throughput needs (8).
     */
    static final int MR = 6, NR = 2 * L;
    /** Depth of a block: a B panel {@code KC x NR} fp32 is 16 KiB, half of a 32 KiB L1. */
    static final int KC = Math.max(64, 2048 / L);
    /** Rows of A per task: an A depth block {@code MC x KC} and the C block {@code MC x NC} (96 + 192 KiB) share a 512 KiB L2. */
    static final int MC = 96;
    /** Columns of C per task (a multiple of NR): the task's C block stays in L2 across all of K. */
    static final int NC = 512;

    private static final ThreadLocal<float[]> PACKED_B = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<float[]> PACKED_B_SERIAL = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<float[]> A_BLOCK = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<float[]> TILE = ThreadLocal.withInitial(() -> new float[MR * NR]);
    private static final ThreadLocal<float[]> C_BLOCK = ThreadLocal.withInitial(() -> new float[0]);

    private Gemm() {}

    /**
     * {@code C[i*ldc + cOff + j] (+)= sum_k A[aOff + i*lda + k] * B[k][j] + bias[j]} for i < M, j < N:
     * a linear layer on fp32 rows. With {@code accumulate} the result is added to C (a fused residual).
     */
    public static void multiply(float[] a, int aOff, int lda, int m, GemmOperand b,
                                float[] bias, float[] c, int cOff, int ldc, boolean accumulate) {
        long profile = KernelProfile.start();
        try {
            run(GemmA.rows(a, aOff, lda, m, b.k()), b, null, bias, c, cOff, ldc, accumulate, true, true);
        } finally {
            KernelProfile.stop(KernelProfile.Family.GEMM, profile);
        }
    }

    /** The general form: any A, a bias per row (e.g. a convolution's output channel) and/or per column. */
    public static void multiply(GemmA a, GemmOperand b, float[] rowBias, float[] colBias,
                                float[] c, int cOff, int ldc, boolean accumulate) {
        long profile = KernelProfile.start();
        try {
            run(a, b, rowBias, colBias, c, cOff, ldc, accumulate, true, true);
        } finally {
            KernelProfile.stop(KernelProfile.Family.GEMM, profile);
        }
    }

    /** {@code C = A · B} in parallel, its FLOPs left to the caller to count (see {@link FlopCounter#add(long, long)}). */
    static void multiplyUncounted(GemmA a, GemmOperand b, float[] c, int cOff, int ldc) {
        run(a, b, null, null, c, cOff, ldc, false, true, false);
    }

    /** Same as {@link #multiply(float[], int, int, int, GemmOperand, float[], float[], int, int, boolean)} on the calling thread only. */
    public static void multiplySerial(float[] a, int aOff, int lda, int m, GemmOperand b,
                                      float[] bias, float[] c, int cOff, int ldc, boolean accumulate) {
        long profile = KernelProfile.start();
        try {
            run(GemmA.rows(a, aOff, lda, m, b.k()), b, null, bias, c, cOff, ldc, accumulate, false, true);
        } finally {
            KernelProfile.stop(KernelProfile.Family.GEMM, profile);
        }
    }

    private static void run(GemmA a, GemmOperand b, float[] rowBias, float[] colBias,
                            float[] c, int cOff, int ldc, boolean accumulate, boolean parallel, boolean count) {
        run(a, b, rowBias, colBias, c, cOff, ldc, accumulate, parallel, count, false);
    }

    /** With {@code transC}, C is stored transposed: element (i, j) of the product goes to {@code c[cOff + j*ldc + i]}. */
    private static void run(GemmA a, GemmOperand b, float[] rowBias, float[] colBias,
                            float[] c, int cOff, int ldc, boolean accumulate, boolean parallel, boolean count, boolean transC) {
        int m = a.m(), n = b.n(), k = b.k();
        if (a.k() != k) throw new IllegalArgumentException("A has " + a.k() + " columns but B has " + k + " rows");
        if (m == 0 || n == 0) return;
        if (k == 0) {
            if (!accumulate && !transC) biasOnly(m, n, rowBias, colBias, c, cOff, ldc);
            if (!accumulate && transC) biasOnly(n, m, colBias, rowBias, c, cOff, ldc);
            return;
        }
        if (a instanceof GemmA.Rows r && b instanceof GemmOperand.WeightOperand w && m < FEW_ROWS && parallel) {
            transposed(r, w, colBias, c, cOff, ldc, accumulate);
            return;
        }
        int threads = parallel ? Parallel.threads() : 1;
        // row blocks: a multiple of the thread count, of (nearly) equal height in whole micro-tiles
        int mTiles = ceilDiv(m, MR);
        int mBlocks = Math.min(mTiles, roundUp(ceilDiv(m, MC), threads));
        int kBlocks = ceilDiv(k, KC);
        // columns packed at once: all of them if the packed block stays within PACK_FLOATS
        int superCols = Math.max(NC, PACK_FLOATS / k / NC * NC);
        // B handed over already packed (one column block) is used where it lies
        GemmOperand.Packed prepacked = b instanceof GemmOperand.Packed pk && n <= superCols ? pk : null;
        float[] packed;
        if (prepacked != null) {
            packed = prepacked.data();
        } else {
            ThreadLocal<float[]> holder = parallel ? PACKED_B : PACKED_B_SERIAL;
            packed = holder.get();
            int need = roundUp(Math.min(superCols, n), NR) * k;
            if (packed.length < need) holder.set(packed = new float[need]);
        }
        final float[] bp = packed;
        final int bOff = prepacked != null ? prepacked.offset() : 0;
        GemmA lhs = parallel ? widenIfReused(a, ceilDiv(n, NC) > 1) : a;
        for (int j0 = 0; j0 < n; j0 += superCols) {
            final int nc = Math.min(superCols, n - j0), panels = ceilDiv(nc, NR), jb = j0;
            // B[all K, nc], packed once and shared: depth block kb starts at kb*KC*panels*NR
            if (prepacked != null) {
                // nothing to pack
            } else if (parallel && panels * kBlocks > 1) {
                int groups = Math.min(panels, Math.max(1, ceilDiv(4 * threads, kBlocks))), per = ceilDiv(panels, groups);
                int realGroups = ceilDiv(panels, per);
                Parallel.forEach(kBlocks * realGroups, t -> packBlock(b, jb, nc, panels, (t / realGroups) * KC, k, (t % realGroups) * per, per, bp));
            } else {
                for (int kb = 0; kb < kBlocks; kb++) packBlock(b, jb, nc, panels, kb * KC, k, 0, panels, bp);
            }
            // column chunks of at most NC (the C block stays in L2); more when there are few row blocks
            int chunks0 = Math.max(ceilDiv(panels, NC / NR), parallel ? ceilDiv(2 * threads, mBlocks) : 1);
            final int perChunk = ceilDiv(panels, Math.min(panels, chunks0));
            final int chunks = ceilDiv(panels, perChunk);
            if (parallel && mBlocks * chunks > 1) {
                Parallel.forEach(mBlocks * chunks, t -> blockTask(lhs, t / chunks, mBlocks, m, t % chunks, perChunk, panels, nc, jb, k,
                        bp, bOff, c, cOff, ldc, accumulate, transC, rowBias, colBias));
            } else {
                for (int t = 0; t < mBlocks * chunks; t++)
                    blockTask(lhs, t / chunks, mBlocks, m, t % chunks, perChunk, panels, nc, jb, k, bp, bOff, c, cOff, ldc, accumulate, transC,
                            rowBias, colBias);
            }
        }
        if (count) FlopCounter.add(2L * m * n * k);
    }

    /**
     * Below this many rows of activations, a linear layer is computed transposed (see {@link #transposed}).
     * Measured on one Zen 4 core (AVX-512, fp16 weights, % of the FMA peak), row-major vs transposed:
     * 256x1280x1280 54 vs 67, 256x10240x1280 59 vs 75, 384x1280x1280 65 vs 74, 512x10240x1280 68 vs
     * 75, 768x640x640 74 vs 65, 1024x640x640 75 vs 58: with few rows, interleaving the widened weights
     * into B panels costs more than the rows reuse them.
     */
    static final int FEW_ROWS = 600;
    /**
     * {@code C = X W^T} for few rows of X as {@code C^T = W X^T}: the weights become the A operand,
     * which is only widened (contiguous rows), instead of B, which is widened and interleaved
     * into panels; X^T is the small operand to pack. Each task transposes its block of the
     * product into C as it writes it out (no transposed copy of C, no extra pass).
     */
    private static void transposed(GemmA.Rows x, GemmOperand.WeightOperand w, float[] bias, float[] c, int cOff, int ldc,
                                   boolean accumulate) {
        run(GemmA.weights(w.tensor()), GemmOperand.transposed(x.a(), x.off(), x.ld(), x.m(), x.k()), bias, null, c, cOff, ldc,
                accumulate, true, true, true);
    }

    /** Floats of B packed at once (16 MiB), shared by the threads. */
    private static final int PACK_FLOATS = 4 << 20;
    private static final ThreadLocal<float[]> WIDE_A = ThreadLocal.withInitial(() -> new float[0]);

    /**
     * Weights that every column chunk would widen again are widened once, in parallel, into a
     * buffer of the calling thread (at most PACK_FLOATS; larger matrices are widened per block).
     */
    private static GemmA widenIfReused(GemmA a, boolean reused) {
        if (!(a instanceof GemmA.Weights w) || !reused || (long) w.m() * w.k() > PACK_FLOATS) return a;
        float[] buf = WIDE_A.get();
        if (buf.length < w.m() * w.k()) WIDE_A.set(buf = new float[w.m() * w.k()]);
        final float[] dst = buf;
        int rowsPerTask = Math.max(1, (1 << 16) / w.k());
        Parallel.forEach(ceilDiv(w.m(), rowsPerTask), t -> {
            int r0 = t * rowsPerTask, r1 = Math.min(w.m(), r0 + rowsPerTask);
            w.w().toFloats((long) r0 * w.k(), dst, r0 * w.k(), (r1 - r0) * w.k());
        });
        return GemmA.rows(dst, 0, w.k(), w.m(), w.k());
    }

    /** Packs panels [p0, p0+count) of the depth block starting at k0. */
    private static void packBlock(GemmOperand b, int j0, int nc, int panels, int k0, int k, int p0, int count, float[] bp) {
        int kc = Math.min(KC, k - k0), cols = Math.min(nc, (p0 + count) * NR) - p0 * NR;
        if (cols > 0) b.pack(j0 + p0 * NR, cols, k0, kc, bp, k0 * panels * NR + p0 * kc * NR);
    }

    /** First row of row block {@code ib} of {@code blocks}: whole micro-tiles, spread evenly. */
    private static int blockStart(int ib, int blocks, int m) {
        return ib == blocks ? m : (int) ((long) ceilDiv(m, MR) * ib / blocks) * MR;
    }

    /**
     * Row block {@code ib} of A against panel chunk {@code jc} of the packed B, over all of K: the
     * C block stays in L2 while the depth blocks go by.
     */
    private static void blockTask(GemmA a, int ib, int mBlocks, int m, int jc, int perChunk, int panels, int nc, int j0, int k,
                                  float[] bp, int bOff, float[] c, int cOff, int ldc, boolean accumulate, boolean transC,
                                  float[] rowBias, float[] colBias) {
        int i0 = blockStart(ib, mBlocks, m), rows = Math.min(m, blockStart(ib + 1, mBlocks, m)) - i0;
        if (rows <= 0) return;
        int p0 = jc * perChunk, p1 = Math.min(panels, p0 + perChunk), cols = Math.min(nc, p1 * NR) - p0 * NR;
        int co = cOff + i0 * ldc + j0 + p0 * NR;
        float[] widened = null;
        if (a instanceof GemmA.Weights w) {
            // the block's rows are contiguous in the file: widen them in one sequential pass (the
            // hardware prefetcher streams it), then take depth blocks out of the fp32 copy
            widened = A_BLOCK.get();
            if (widened.length < rows * k) A_BLOCK.set(widened = new float[rows * k]);
            w.w().toFloats((long) i0 * k, widened, 0, rows * k);
        }
        // the C block is accumulated in a scratch block and written out once: C's own rows are often
        // a power-of-two multiple of 4 KiB apart (a conv's pixels, 1024..16384), which maps them all to
        // a few cache sets, so the block would not stay in L2 across the depth blocks
        int lds = roundUp(cols, NR) + NR;
        float[] scratch = C_BLOCK.get();
        if (scratch.length < rows * lds) C_BLOCK.set(scratch = new float[rows * lds]);
        for (int k0 = 0; k0 < k; k0 += KC) {
            int kc = Math.min(KC, k - k0);
            float[] arr;
            int off, ld;
            if (a instanceof GemmA.Rows r) {
                arr = r.a();
                off = r.off() + i0 * r.ld() + k0;
                ld = r.ld();
            } else {
                arr = widened;
                off = k0;
                ld = k;
            }
            boolean first = k0 == 0;
            macro(arr, off, ld, rows, bp, bOff + k0 * panels * NR + p0 * kc * NR, kc * NR, kc, cols,
                    scratch, 0, lds, !first, first ? rowBias : null, i0, first ? colBias : null, j0 + p0 * NR);
        }
        if (transC) {
            writeTransposed(scratch, lds, rows, cols, c, cOff + (j0 + p0 * NR) * ldc + i0, ldc, accumulate);
            return;
        }
        for (int i = 0; i < rows; i++) {
            int d = co + i * ldc, src = i * lds, j = 0;
            if (accumulate) {
                for (; j + L <= cols; j += L)
                    FloatVector.fromArray(SPECIES, scratch, src + j).add(FloatVector.fromArray(SPECIES, c, d + j)).intoArray(c, d + j);
                for (; j < cols; j++) c[d + j] += scratch[src + j];
            } else {
                System.arraycopy(scratch, src, c, d, cols);
            }
        }
    }

    /**
     * Column j of the scratch block (rows x cols, stride lds) into row j of C: C's rows are written
     * contiguously while the scratch, in L1/L2, is read down its columns (its stride is not a power
     * of two, so the lines read stay in cache for the next columns).
     */
    private static void writeTransposed(float[] s, int lds, int rows, int cols, float[] c, int cOff, int ldc, boolean accumulate) {
        int j = 0;
        // four columns at a time: each scratch line read serves four C rows
        for (; j + 4 <= cols; j += 4) {
            int d0 = cOff + j * ldc, d1 = d0 + ldc, d2 = d1 + ldc, d3 = d2 + ldc;
            if (accumulate) {
                for (int i = 0, si = j; i < rows; i++, si += lds) {
                    c[d0 + i] += s[si]; c[d1 + i] += s[si + 1]; c[d2 + i] += s[si + 2]; c[d3 + i] += s[si + 3];
                }
            } else {
                for (int i = 0, si = j; i < rows; i++, si += lds) {
                    c[d0 + i] = s[si]; c[d1 + i] = s[si + 1]; c[d2 + i] = s[si + 2]; c[d3 + i] = s[si + 3];
                }
            }
        }
        for (; j < cols; j++) {
            int d = cOff + j * ldc;
            if (accumulate) for (int i = 0; i < rows; i++) c[d + i] += s[i * lds + j];
            else for (int i = 0; i < rows; i++) c[d + i] = s[i * lds + j];
        }
    }

    /**
     * The macro-kernel, on the calling thread: {@code C[mc, nc] (+)= A[mc, kc] · B} where B is packed
     * panels ({@code kc x NR} each, {@code panelStride} floats apart, starting at {@code bOff}).
     * Biases are added when given (pass them with the first K block only).
     */
    static void macro(float[] a, int aOff, int lda, int mc, float[] bp, int bOff, int panelStride, int kc, int nc,
                      float[] c, int cOff, int ldc, boolean addC, float[] rowBias, int rowBiasOff, float[] colBias, int colBiasOff) {
        int full = mc - mc % MR;
        for (int jp = 0, pb = bOff; jp < nc; jp += NR, pb += panelStride) {
            int nr = Math.min(NR, nc - jp);
            if (nr == NR) {
                for (int i = 0; i < full; i += MR)
                    kernel6(a, aOff + i * lda, lda, bp, pb, kc, c, cOff + i * ldc + jp, ldc, addC, rowBias, rowBiasOff + i, colBias, colBiasOff + jp);
                if (full < mc)
                    rest(a, aOff + full * lda, lda, mc - full, bp, pb, kc, c, cOff + full * ldc + jp, ldc, addC,
                            rowBias, rowBiasOff + full, colBias, colBiasOff + jp);
            } else {
                // a partial panel: compute whole tiles into a scratch tile, keep nr columns
                float[] tile = TILE.get();
                for (int i = 0; i < mc; i += MR) {
                    int r = Math.min(MR, mc - i);
                    if (r == MR) kernel6(a, aOff + i * lda, lda, bp, pb, kc, tile, 0, NR, false, null, 0, null, 0);
                    else rest(a, aOff + i * lda, lda, r, bp, pb, kc, tile, 0, NR, false, null, 0, null, 0);
                    for (int rr = 0; rr < r; rr++) {
                        int co = cOff + (i + rr) * ldc + jp;
                        float rbv = rowBias == null ? 0f : rowBias[rowBiasOff + i + rr];
                        for (int j = 0; j < nr; j++) {
                            float v = tile[rr * NR + j];
                            if (addC) v += c[co + j];
                            if (colBias != null) v += colBias[colBiasOff + jp + j];
                            c[co + j] = v + rbv;
                        }
                    }
                }
            }
        }
    }

    /** Fewer than MR rows against a full panel: tiles of 4, 2 and 1 rows. */
    private static void rest(float[] a, int aOff, int lda, int r, float[] bp, int pb, int kc, float[] c, int cOff, int ldc,
                             boolean addC, float[] rowBias, int rowBiasOff, float[] colBias, int colBiasOff) {
        int i = 0;
        if (r - i >= 4) {
            kernel4(a, aOff, lda, bp, pb, kc, c, cOff, ldc, addC, rowBias, rowBiasOff, colBias, colBiasOff);
            i += 4;
        }
        if (r - i >= 2) {
            kernel2(a, aOff + i * lda, lda, bp, pb, kc, c, cOff + i * ldc, ldc, addC, rowBias, rowBiasOff + i, colBias, colBiasOff);
            i += 2;
        }
        if (r - i >= 1)
            kernel1(a, aOff + i * lda, lda, bp, pb, kc, c, cOff + i * ldc, ldc, addC, rowBias, rowBiasOff + i, colBias, colBiasOff);
    }

    /** The 6 x 2L register tile: 12 accumulators, two panel vectors and one broadcast per k. */
    private static void kernel6(float[] a, int aOff, int lda, float[] p, int pOff, int kc, float[] c, int cOff, int ldc,
                                boolean addC, float[] rowBias, int rowBiasOff, float[] colBias, int colBiasOff) {
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00,
                c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        // one index per row of A (kk) and one for the panel: the JIT hoists the bounds checks of both
        int a0 = aOff, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda, a4 = a3 + lda, a5 = a4 + lda;
        for (int kk = 0, pi = pOff; kk < kc; kk++, pi += NR) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, p, pi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, p, pi + L);
            FloatVector x = FloatVector.broadcast(SPECIES, a[a0 + kk]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(SPECIES, a[a1 + kk]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(SPECIES, a[a2 + kk]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(SPECIES, a[a3 + kk]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(SPECIES, a[a4 + kk]);
            c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(SPECIES, a[a5 + kk]);
            c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
        }
        // the epilogue is written out here, not in a helper: a vector passed to a method the JIT
        // does not inline is boxed, which costs more than the whole tile
        if (addC) {
            c00 = c00.add(FloatVector.fromArray(SPECIES, c, cOff)); c01 = c01.add(FloatVector.fromArray(SPECIES, c, cOff + L));
            c10 = c10.add(FloatVector.fromArray(SPECIES, c, cOff + ldc)); c11 = c11.add(FloatVector.fromArray(SPECIES, c, cOff + ldc + L));
            c20 = c20.add(FloatVector.fromArray(SPECIES, c, cOff + 2 * ldc)); c21 = c21.add(FloatVector.fromArray(SPECIES, c, cOff + 2 * ldc + L));
            c30 = c30.add(FloatVector.fromArray(SPECIES, c, cOff + 3 * ldc)); c31 = c31.add(FloatVector.fromArray(SPECIES, c, cOff + 3 * ldc + L));
            c40 = c40.add(FloatVector.fromArray(SPECIES, c, cOff + 4 * ldc)); c41 = c41.add(FloatVector.fromArray(SPECIES, c, cOff + 4 * ldc + L));
            c50 = c50.add(FloatVector.fromArray(SPECIES, c, cOff + 5 * ldc)); c51 = c51.add(FloatVector.fromArray(SPECIES, c, cOff + 5 * ldc + L));
        }
        if (colBias != null) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, colBias, colBiasOff), b1 = FloatVector.fromArray(SPECIES, colBias, colBiasOff + L);
            c00 = c00.add(b0); c01 = c01.add(b1);
            c10 = c10.add(b0); c11 = c11.add(b1);
            c20 = c20.add(b0); c21 = c21.add(b1);
            c30 = c30.add(b0); c31 = c31.add(b1);
            c40 = c40.add(b0); c41 = c41.add(b1);
            c50 = c50.add(b0); c51 = c51.add(b1);
        }
        if (rowBias != null) {
            c00 = c00.add(rowBias[rowBiasOff]); c01 = c01.add(rowBias[rowBiasOff]);
            c10 = c10.add(rowBias[rowBiasOff + 1]); c11 = c11.add(rowBias[rowBiasOff + 1]);
            c20 = c20.add(rowBias[rowBiasOff + 2]); c21 = c21.add(rowBias[rowBiasOff + 2]);
            c30 = c30.add(rowBias[rowBiasOff + 3]); c31 = c31.add(rowBias[rowBiasOff + 3]);
            c40 = c40.add(rowBias[rowBiasOff + 4]); c41 = c41.add(rowBias[rowBiasOff + 4]);
            c50 = c50.add(rowBias[rowBiasOff + 5]); c51 = c51.add(rowBias[rowBiasOff + 5]);
        }
        c00.intoArray(c, cOff); c01.intoArray(c, cOff + L);
        c10.intoArray(c, cOff + ldc); c11.intoArray(c, cOff + ldc + L);
        c20.intoArray(c, cOff + 2 * ldc); c21.intoArray(c, cOff + 2 * ldc + L);
        c30.intoArray(c, cOff + 3 * ldc); c31.intoArray(c, cOff + 3 * ldc + L);
        c40.intoArray(c, cOff + 4 * ldc); c41.intoArray(c, cOff + 4 * ldc + L);
        c50.intoArray(c, cOff + 5 * ldc); c51.intoArray(c, cOff + 5 * ldc + L);
    }

    private static void kernel4(float[] a, int aOff, int lda, float[] p, int pOff, int kc, float[] c, int cOff, int ldc,
                                boolean addC, float[] rowBias, int rowBiasOff, float[] colBias, int colBiasOff) {
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = c00, c10 = c00, c11 = c00,
                c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        int a0 = aOff, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
        for (int kk = 0, pi = pOff; kk < kc; kk++, pi += NR) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, p, pi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, p, pi + L);
            FloatVector x = FloatVector.broadcast(SPECIES, a[a0 + kk]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(SPECIES, a[a1 + kk]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(SPECIES, a[a2 + kk]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(SPECIES, a[a3 + kk]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
        }
        if (addC) {
            c00 = c00.add(FloatVector.fromArray(SPECIES, c, cOff)); c01 = c01.add(FloatVector.fromArray(SPECIES, c, cOff + L));
            c10 = c10.add(FloatVector.fromArray(SPECIES, c, cOff + ldc)); c11 = c11.add(FloatVector.fromArray(SPECIES, c, cOff + ldc + L));
            c20 = c20.add(FloatVector.fromArray(SPECIES, c, cOff + 2 * ldc)); c21 = c21.add(FloatVector.fromArray(SPECIES, c, cOff + 2 * ldc + L));
            c30 = c30.add(FloatVector.fromArray(SPECIES, c, cOff + 3 * ldc)); c31 = c31.add(FloatVector.fromArray(SPECIES, c, cOff + 3 * ldc + L));
        }
        if (colBias != null) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, colBias, colBiasOff), b1 = FloatVector.fromArray(SPECIES, colBias, colBiasOff + L);
            c00 = c00.add(b0); c01 = c01.add(b1);
            c10 = c10.add(b0); c11 = c11.add(b1);
            c20 = c20.add(b0); c21 = c21.add(b1);
            c30 = c30.add(b0); c31 = c31.add(b1);
        }
        if (rowBias != null) {
            c00 = c00.add(rowBias[rowBiasOff]); c01 = c01.add(rowBias[rowBiasOff]);
            c10 = c10.add(rowBias[rowBiasOff + 1]); c11 = c11.add(rowBias[rowBiasOff + 1]);
            c20 = c20.add(rowBias[rowBiasOff + 2]); c21 = c21.add(rowBias[rowBiasOff + 2]);
            c30 = c30.add(rowBias[rowBiasOff + 3]); c31 = c31.add(rowBias[rowBiasOff + 3]);
        }
        c00.intoArray(c, cOff); c01.intoArray(c, cOff + L);
        c10.intoArray(c, cOff + ldc); c11.intoArray(c, cOff + ldc + L);
        c20.intoArray(c, cOff + 2 * ldc); c21.intoArray(c, cOff + 2 * ldc + L);
        c30.intoArray(c, cOff + 3 * ldc); c31.intoArray(c, cOff + 3 * ldc + L);
    }

    private static void kernel2(float[] a, int aOff, int lda, float[] p, int pOff, int kc, float[] c, int cOff, int ldc,
                                boolean addC, float[] rowBias, int rowBiasOff, float[] colBias, int colBiasOff) {
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = c00, c10 = c00, c11 = c00;
        int a0 = aOff, a1 = a0 + lda;
        for (int kk = 0, pi = pOff; kk < kc; kk++, pi += NR) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, p, pi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, p, pi + L);
            FloatVector x = FloatVector.broadcast(SPECIES, a[a0 + kk]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(SPECIES, a[a1 + kk]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
        }
        if (addC) {
            c00 = c00.add(FloatVector.fromArray(SPECIES, c, cOff)); c01 = c01.add(FloatVector.fromArray(SPECIES, c, cOff + L));
            c10 = c10.add(FloatVector.fromArray(SPECIES, c, cOff + ldc)); c11 = c11.add(FloatVector.fromArray(SPECIES, c, cOff + ldc + L));
        }
        if (colBias != null) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, colBias, colBiasOff), b1 = FloatVector.fromArray(SPECIES, colBias, colBiasOff + L);
            c00 = c00.add(b0); c01 = c01.add(b1);
            c10 = c10.add(b0); c11 = c11.add(b1);
        }
        if (rowBias != null) {
            c00 = c00.add(rowBias[rowBiasOff]); c01 = c01.add(rowBias[rowBiasOff]);
            c10 = c10.add(rowBias[rowBiasOff + 1]); c11 = c11.add(rowBias[rowBiasOff + 1]);
        }
        c00.intoArray(c, cOff); c01.intoArray(c, cOff + L);
        c10.intoArray(c, cOff + ldc); c11.intoArray(c, cOff + ldc + L);
    }

    private static void kernel1(float[] a, int aOff, int lda, float[] p, int pOff, int kc, float[] c, int cOff, int ldc,
                                boolean addC, float[] rowBias, int rowBiasOff, float[] colBias, int colBiasOff) {
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = c00;
        int a0 = aOff;
        for (int kk = 0, pi = pOff; kk < kc; kk++, pi += NR) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, p, pi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, p, pi + L);
            FloatVector x = FloatVector.broadcast(SPECIES, a[a0 + kk]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
        }
        if (addC) {
            c00 = c00.add(FloatVector.fromArray(SPECIES, c, cOff)); c01 = c01.add(FloatVector.fromArray(SPECIES, c, cOff + L));
        }
        if (colBias != null) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, colBias, colBiasOff), b1 = FloatVector.fromArray(SPECIES, colBias, colBiasOff + L);
            c00 = c00.add(b0); c01 = c01.add(b1);
        }
        if (rowBias != null) {
            c00 = c00.add(rowBias[rowBiasOff]); c01 = c01.add(rowBias[rowBiasOff]);
        }
        c00.intoArray(c, cOff); c01.intoArray(c, cOff + L);
    }

    private static void biasOnly(int m, int n, float[] rowBias, float[] colBias, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                c[cOff + i * ldc + j] = (colBias == null ? 0f : colBias[j]) + (rowBias == null ? 0f : rowBias[i]);
    }

    static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }

    static int roundUp(int x, int to) {
        return ceilDiv(x, to) * to;
    }
}
