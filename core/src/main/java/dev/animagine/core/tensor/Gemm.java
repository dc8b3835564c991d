package dev.animagine.core.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision matrix multiply {@code C[M,N] = A[M,K] · B + bias}, the engine's one GEMM.
 * A is an fp32 row-major activation matrix; B is any {@link GemmOperand} (mapped fp16/bf16/fp32
 * weights, or activations), packed block by block into fp32 panels {@code [kc][NR]} so the
 * micro-kernel streams it with vector loads while broadcasting elements of A (BLIS-style loop
 * order: N blocks, K blocks, then MR x NR register tiles). Work is split over N blocks and M
 * chunks so every core is busy for small and large matrices.
 */
public final class Gemm {
    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final int L = SPECIES.length();
    /** Register tile: MR rows of A times NR = 2 vectors of B. 6 x 16 uses 12 of AVX2's 16 registers. */
    static final int MR = 6, NR = 2 * L;
    static final int KC = 256;
    static final int NC = NR * 16;
    private static final int MIN_ROWS_PER_TASK = 4 * MR;

    private Gemm() {}

    /**
     * {@code C[i*ldc + cOff + j] = sum_k A[aOff + i*lda + k] * B[k][j] (+ bias[j])} for i < M, j < N.
     * With {@code accumulate} the product is added to C instead of replacing it (bias ignored).
     */
    public static void multiply(float[] a, int aOff, int lda, int m, GemmOperand b,
                                float[] bias, float[] c, int cOff, int ldc, boolean accumulate) {
        int n = b.n();
        if (m == 0 || n == 0) return;
        int nBlocks = (n + NC - 1) / NC;
        int threads = Parallel.threads();
        // enough tasks to keep every thread busy: split M when there are few N blocks
        int mChunks = Math.max(1, Math.min((m + MIN_ROWS_PER_TASK - 1) / MIN_ROWS_PER_TASK, (2 * threads + nBlocks - 1) / nBlocks));
        int rowsPerChunk = roundUp((m + mChunks - 1) / mChunks, MR);
        int chunks = (m + rowsPerChunk - 1) / rowsPerChunk;
        Parallel.forEach(nBlocks * chunks, task -> {
            int jb = task % nBlocks, ib = task / nBlocks;
            int i0 = ib * rowsPerChunk, j0 = jb * NC;
            tile(a, aOff + i0 * lda, lda, Math.min(rowsPerChunk, m - i0), b, j0, Math.min(NC, n - j0),
                    bias, c, cOff + i0 * ldc, ldc, accumulate);
        });
        FlopCounter.add(2L * m * n * b.k());
    }

    /** Same as {@link #multiply} on the calling thread only (for kernels that parallelise outside). */
    public static void multiplySerial(float[] a, int aOff, int lda, int m, GemmOperand b,
                                      float[] bias, float[] c, int cOff, int ldc, boolean accumulate) {
        int n = b.n();
        if (m == 0 || n == 0) return;
        for (int j0 = 0; j0 < n; j0 += NC)
            tile(a, aOff, lda, m, b, j0, Math.min(NC, n - j0), bias, c, cOff, ldc, accumulate);
        FlopCounter.add(2L * m * n * b.k());
    }

    /** Rows [0, mc) of A against columns [j0, j0+nc) of B, all of K. */
    private static void tile(float[] a, int aOff, int lda, int mc, GemmOperand b, int j0, int nc,
                             float[] bias, float[] c, int cOff, int ldc, boolean accumulate) {
        int k = b.k();
        if (k == 0) {
            if (!accumulate) fillBias(c, cOff, ldc, mc, j0, nc, bias);
            return;
        }
        float[] panel = PANEL.get();
        int need = roundUp(nc, NR) * Math.min(KC, k);
        if (panel.length < need) PANEL.set(panel = new float[need]);
        for (int k0 = 0; k0 < k; k0 += KC) {
            int kc = Math.min(KC, k - k0);
            b.pack(j0, nc, k0, kc, panel);
            boolean first = k0 == 0 && !accumulate;
            block(a, aOff + k0, lda, mc, panel, kc, nc, c, cOff + j0, ldc, first, first ? bias : null, j0);
        }
    }

    private static final ThreadLocal<float[]> PANEL = ThreadLocal.withInitial(() -> new float[NC * KC]);
    private static final ThreadLocal<float[]> EDGE = ThreadLocal.withInitial(() -> new float[MR * NR]);

    private static int roundUp(int x, int to) {
        return (x + to - 1) / to * to;
    }

    private static void fillBias(float[] c, int cOff, int ldc, int mc, int j0, int nc, float[] bias) {
        for (int i = 0; i < mc; i++)
            for (int j = 0; j < nc; j++) c[cOff + i * ldc + j0 + j] = bias == null ? 0f : bias[j0 + j];
    }

    /** C block [mc, nc] (+)= A block [mc, kc] x packed panels. */
    private static void block(float[] a, int aOff, int lda, int mc, float[] panel, int kc, int nc,
                              float[] c, int cOff, int ldc, boolean overwrite, float[] bias, int biasOff) {
        for (int jp = 0; jp < nc; jp += NR) {
            int nr = Math.min(NR, nc - jp);
            int pOff = jp * kc; // panel jp/NR starts at (jp/NR) * kc * NR
            int i = 0;
            for (; i + MR <= mc; i += MR) {
                if (nr == NR)
                    kernel6(a, aOff + i * lda, lda, panel, pOff, kc, c, cOff + i * ldc + jp, ldc, overwrite, bias, biasOff + jp);
                else
                    edge(a, aOff + i * lda, lda, MR, panel, pOff, kc, nr, c, cOff + i * ldc + jp, ldc, overwrite, bias, biasOff + jp);
            }
            if (i < mc)
                edge(a, aOff + i * lda, lda, mc - i, panel, pOff, kc, nr, c, cOff + i * ldc + jp, ldc, overwrite, bias, biasOff + jp);
        }
    }

    /** The 6 x 2L register tile: 12 accumulators, two panel vectors and one broadcast per k. */
    private static void kernel6(float[] a, int aOff, int lda, float[] p, int pOff, int kc,
                                float[] c, int cOff, int ldc, boolean overwrite, float[] bias, int biasOff) {
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00,
                c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
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
        store(c00, c01, c, cOff, overwrite, bias, biasOff);
        store(c10, c11, c, cOff + ldc, overwrite, bias, biasOff);
        store(c20, c21, c, cOff + 2 * ldc, overwrite, bias, biasOff);
        store(c30, c31, c, cOff + 3 * ldc, overwrite, bias, biasOff);
        store(c40, c41, c, cOff + 4 * ldc, overwrite, bias, biasOff);
        store(c50, c51, c, cOff + 5 * ldc, overwrite, bias, biasOff);
    }

    private static void store(FloatVector v0, FloatVector v1, float[] c, int off, boolean overwrite, float[] bias, int biasOff) {
        if (overwrite) {
            if (bias != null) {
                v0 = v0.add(FloatVector.fromArray(SPECIES, bias, biasOff));
                v1 = v1.add(FloatVector.fromArray(SPECIES, bias, biasOff + L));
            }
        } else {
            v0 = v0.add(FloatVector.fromArray(SPECIES, c, off));
            v1 = v1.add(FloatVector.fromArray(SPECIES, c, off + L));
        }
        v0.intoArray(c, off);
        v1.intoArray(c, off + L);
    }

    /** Partial tiles (fewer than MR rows or NR columns): same arithmetic order, scalar stores. */
    private static void edge(float[] a, int aOff, int lda, int mr, float[] p, int pOff, int kc, int nr,
                             float[] c, int cOff, int ldc, boolean overwrite, float[] bias, int biasOff) {
        float[] acc = EDGE.get();
        for (int r = 0; r < mr; r++) {
            FloatVector v0 = FloatVector.zero(SPECIES), v1 = v0;
            int ar = aOff + r * lda;
            for (int kk = 0, pi = pOff; kk < kc; kk++, pi += NR) {
                FloatVector x = FloatVector.broadcast(SPECIES, a[ar + kk]);
                v0 = x.fma(FloatVector.fromArray(SPECIES, p, pi), v0);
                v1 = x.fma(FloatVector.fromArray(SPECIES, p, pi + L), v1);
            }
            v0.intoArray(acc, r * NR);
            v1.intoArray(acc, r * NR + L);
        }
        for (int r = 0; r < mr; r++) {
            int co = cOff + r * ldc;
            for (int j = 0; j < nr; j++) {
                float v = acc[r * NR + j];
                if (overwrite) c[co + j] = bias != null ? v + bias[biasOff + j] : v;
                else c[co + j] += v;
            }
        }
    }
}
