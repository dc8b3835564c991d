package dev.animagine.core.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Multi-head scaled dot-product attention, softmax(Q K^T / sqrt(d)) V, tiled as in FlashAttention
 * (Dao et al.): each task takes a block of queries of one (batch, head) and walks the keys a block at
 * a time, keeping a running row maximum and sum (online softmax) and rescaling its output
 * accumulator, so scores never exist beyond one {@code BQ x BK} block. K^T and V are packed once
 * into GEMM panels per (batch, head) and shared by all query blocks. The 1/sqrt(d) scale is fused
 * into the exponent. Q, K, V and the output are [batch, tokens, heads*d] with row strides, so they
 * can be column slices of a fused projection.
 */
public final class Attention {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Queries per task (a multiple of the GEMM's MR) and keys per block. */
    static final int BQ = 16 * Gemm.MR, BK = 256;

    private static final ThreadLocal<float[]> PACKED = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<Block> BLOCK = new ThreadLocal<>();

    /** A task's working set: scores/probabilities, output accumulator, running max and sum. */
    private static final class Block {
        final float[] scores, acc, max, sum;
        final int d;

        Block(int d) {
            this.d = d;
            scores = new float[BQ * BK];
            acc = new float[BQ * d];
            max = new float[BQ];
            sum = new float[BQ];
        }
    }

    private Attention() {}

    /**
     * @param causal mask keys after the query position (CLIP's text transformer)
     */
    public static void forward(float[] q, int qOff, int ldq, float[] k, int kOff, int ldk, float[] v, int vOff, int ldv,
                               float[] out, int outOff, int ldo, int batch, int heads, int tq, int tk, int d, boolean causal) {
        long profile = KernelProfile.start();
        try {
            if (tq == 0 || batch * heads == 0) return;
            if (tk == 0) throw new IllegalArgumentException("attention over no keys");
            int nr = Gemm.NR;
            // per (batch, head): K^T as panels over keys [ceil(tk/NR)][d][NR], V as panels over d [ceil(d/NR)][tk][NR]
            int ktSize = Gemm.roundUp(tk, nr) * d, vSize = Gemm.roundUp(d, nr) * tk, perHead = ktSize + vSize;
            float[] packed = PACKED.get();
            if (packed.length < batch * heads * perHead) PACKED.set(packed = new float[batch * heads * perHead]);
            final float[] p = packed;
            Parallel.forEach(batch * heads, bh -> {
                int b = bh / heads, h = bh % heads, base = bh * perHead;
                GemmOperand.transposed(k, kOff + b * tk * ldk + h * d, ldk, tk, d).pack(0, tk, 0, d, p, base);
                GemmOperand.plain(v, vOff + b * tk * ldv + h * d, ldv, tk, d).pack(0, d, 0, tk, p, base + ktSize);
            });
            float scale = (float) (1.0 / Math.sqrt(d));
            int qBlocks = Gemm.ceilDiv(tq, BQ);
            Parallel.forEach(batch * heads * qBlocks, task -> {
                int qb = task % qBlocks, bh = task / qBlocks, h = bh % heads, b = bh / heads;
                int q0 = qb * BQ, mq = Math.min(BQ, tq - q0);
                Block blk = BLOCK.get();
                if (blk == null || blk.d != d) BLOCK.set(blk = new Block(d));
                queryBlock(blk, q, qOff + (b * tq + q0) * ldq + h * d, ldq, p, bh * perHead, bh * perHead + ktSize,
                        out, outOff + (b * tq + q0) * ldo + h * d, ldo, q0, mq, tk, d, scale, causal);
            });
            FlopCounter.add(4L * batch * heads * tq * tk * d);
        } finally {
            KernelProfile.stop(KernelProfile.Family.ATTENTION, profile);
        }
    }

    private static void queryBlock(Block blk, float[] q, int qo, int ldq, float[] p, int ktOff, int vOff,
                                   float[] out, int oo, int ldo, int q0, int mq, int tk, int d, float scale, boolean causal) {
        float[] s = blk.scores, acc = blk.acc, max = blk.max, sum = blk.sum;
        java.util.Arrays.fill(max, 0, mq, Float.NEGATIVE_INFINITY);
        java.util.Arrays.fill(sum, 0, mq, 0f);
        java.util.Arrays.fill(acc, 0, mq * d, 0f);
        int nr = Gemm.NR;
        int keys = causal ? Math.min(tk, q0 + mq) : tk;
        for (int j0 = 0; j0 < keys; j0 += BK) {
            int bk = Math.min(BK, keys - j0);
            // S = Q K^T for this key block, over d in depth blocks
            for (int d0 = 0; d0 < d; d0 += Gemm.KC) {
                int dc = Math.min(Gemm.KC, d - d0);
                Gemm.macro(q, qo + d0, ldq, mq, p, ktOff + (j0 / nr) * d * nr + d0 * nr, d * nr, dc, bk,
                        s, 0, BK, d0 > 0, null, 0, null, 0);
            }
            for (int i = 0; i < mq; i++) {
                int valid = causal ? Math.min(bk, q0 + i + 1 - j0) : bk;
                onlineSoftmaxRow(s, i * BK, valid, bk, i, max, sum, acc, d, scale);
            }
            // acc += P V for this key block
            Gemm.macro(s, 0, BK, mq, p, vOff + j0 * nr, tk * nr, bk, d, acc, 0, d, true, null, 0, null, 0);
        }
        for (int i = 0; i < mq; i++) {
            float inv = 1f / sum[i];
            int a = i * d, o = oo + i * ldo, j = 0;
            for (; j + L <= d; j += L) FloatVector.fromArray(S, acc, a + j).mul(inv).intoArray(out, o + j);
            for (; j < d; j++) out[o + j] = acc[a + j] * inv;
        }
    }

    /**
     * Turns scores {@code s[off, off+valid)} into exp((s - max) * scale) with the row's running max,
     * zeroes the masked rest up to {@code bk}, and rescales the row's sum and output accumulator
     * when the max grows.
     */
    private static void onlineSoftmaxRow(float[] s, int off, int valid, int bk, int row, float[] max, float[] sum,
                                         float[] acc, int d, float scale) {
        if (valid <= 0) {
            java.util.Arrays.fill(s, off, off + bk, 0f);
            return;
        }
        int j = 0;
        FloatVector mv = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (; j + L <= valid; j += L) mv = mv.max(FloatVector.fromArray(S, s, off + j));
        float m = mv.reduceLanes(VectorOperators.MAX);
        for (; j < valid; j++) m = Math.max(m, s[off + j]);
        float old = max[row], mNew = Math.max(old, m);
        float shift = -mNew * scale;
        FloatVector total = FloatVector.zero(S);
        j = 0;
        for (; j + L <= valid; j += L) {
            FloatVector e = VectorFunctions.exp(FloatVector.fromArray(S, s, off + j).fma(scale, shift));
            e.intoArray(s, off + j);
            total = total.add(e);
        }
        float t = VectorFunctions.sumLanes(total);
        for (; j < valid; j++) {
            float e = (float) Math.exp(Math.fma(s[off + j], scale, shift));
            s[off + j] = e;
            t += e;
        }
        java.util.Arrays.fill(s, off + valid, off + bk, 0f);
        if (old == Float.NEGATIVE_INFINITY) {
            sum[row] = t;
        } else {
            float alpha = (float) Math.exp((old - mNew) * scale);
            sum[row] = sum[row] * alpha + t;
            if (alpha != 1f) {
                int a = row * d, k = 0;
                for (; k + L <= d; k += L) FloatVector.fromArray(S, acc, a + k).mul(alpha).intoArray(acc, a + k);
                for (; k < d; k++) acc[a + k] *= alpha;
            }
        }
        max[row] = mNew;
    }
}
