package dev.animagine.core.tensor;

/**
 * Multi-head scaled dot-product attention, softmax(Q K^T / sqrt(d)) V, computed per (batch, head,
 * block of queries) so the full score matrix is never held: a block's scores against all keys fit
 * in a thread-local buffer. Q, K, V and the output are [batch, tokens, heads*d] with row strides,
 * so they can be column slices of a fused projection.
 */
public final class Attention {
    private static final int QUERY_BLOCK = 64;
    private static final ThreadLocal<float[]> SCORES = ThreadLocal.withInitial(() -> new float[0]);

    private Attention() {}

    /**
     * @param causal mask keys after the query position (CLIP's text transformer)
     */
    public static void forward(float[] q, int qOff, int ldq, float[] k, int kOff, int ldk, float[] v, int vOff, int ldv,
                               float[] out, int outOff, int ldo, int batch, int heads, int tq, int tk, int d, boolean causal) {
        float scale = (float) (1.0 / Math.sqrt(d));
        int qBlocks = (tq + QUERY_BLOCK - 1) / QUERY_BLOCK;
        Parallel.forEach(batch * heads * qBlocks, task -> {
            int qb = task % qBlocks, bh = task / qBlocks, h = bh % heads, b = bh / heads;
            int q0 = qb * QUERY_BLOCK, mq = Math.min(QUERY_BLOCK, tq - q0);
            float[] s = SCORES.get();
            if (s.length < mq * tk) SCORES.set(s = new float[QUERY_BLOCK * tk]);
            int qo = qOff + (b * tq + q0) * ldq + h * d;
            int ko = kOff + b * tk * ldk + h * d;
            int vo = vOff + b * tk * ldv + h * d;
            Gemm.multiplySerial(q, qo, ldq, mq, GemmOperand.transposed(k, ko, ldk, tk, d), null, s, 0, tk, false);
            for (int i = 0; i < mq; i++) {
                int row = i * tk;
                int valid = causal ? Math.min(tk, q0 + i + 1) : tk;
                for (int j = 0; j < valid; j++) s[row + j] *= scale;
                for (int j = valid; j < tk; j++) s[row + j] = Float.NEGATIVE_INFINITY;
            }
            Ops.softmaxRows(s, 0, mq, tk, tk);
            Gemm.multiplySerial(s, 0, tk, mq, GemmOperand.plain(v, vo, ldv, tk, d), null,
                    out, outOff + (b * tq + q0) * ldo + h * d, ldo, false);
        });
    }
}
