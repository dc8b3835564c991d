package dev.animagine.core.unet;

import dev.animagine.core.tensor.Weights;
import dev.animagine.core.nn.Linear;
import dev.animagine.core.tensor.Attention;
import dev.animagine.core.tensor.Buffers;

/**
 * diffusers' {@code Attention} as used in SDXL transformer blocks: bias-free q/k/v projections,
 * multi-head scaled dot-product attention, output projection with bias. Self-attention when no
 * context is given ({@code attn1}), cross-attention on the text embeddings otherwise ({@code attn2}).
 */
final class CrossAttention {
    private final Linear toQ, toK, toV, toOut;
    private final int heads;
    CrossAttention(Weights w, String prefix, int heads) {
        this.toQ = Linear.load(w, prefix + ".to_q", false);
        this.toK = Linear.load(w, prefix + ".to_k", false);
        this.toV = Linear.load(w, prefix + ".to_v", false);
        this.toOut = Linear.load(w, prefix + ".to_out.0", true);
        this.heads = heads;
        if (toQ.out() % heads != 0)
            throw new IllegalArgumentException(prefix + ": " + toQ.out() + " channels do not split into " + heads + " heads");
    }

    /**
     * Adds attention(x, context) to {@code residual} in place.
     *
     * @param x    [batch * tokens, dim] normed hidden states
     * @param cond the text context [batch * contextTokens, contextDim] for cross-attention, whose
     *             keys and values are projected once per run; null for self-attention
     */
    void forwardAdd(float[] x, int batch, int tokens, UNet2DConditionModel.Conditioning cond, float[] residual) {
        int inner = toQ.out(), d = inner / heads;
        float[] q = toQ.forward(x, batch * tokens);
        int tk = cond != null ? cond.contextTokens() : tokens;
        float[] k, v;
        if (cond == null) {
            k = toK.forward(x, batch * tk);
            v = toV.forward(x, batch * tk);
        } else {
            float[] context = cond.encoderHiddenStates();
            int rows = batch * tk;
            if (context.length / toK.in() != rows)
                throw new IllegalArgumentException("text context has " + context.length / toK.in() + " rows, expected " + rows);
            float[][] kv = cond.keyValues().get(this, () -> new float[][] {toK.forward(context, rows), toV.forward(context, rows)});
            k = kv[0];
            v = kv[1];
        }
        float[] a = Buffers.take(batch * tokens * inner);
        Attention.forward(q, 0, inner, k, 0, inner, v, 0, inner, a, 0, inner, batch, heads, tokens, tk, d, false);
        Buffers.give(q);
        if (cond == null) Buffers.give(k, v);
        toOut.forwardAdd(a, batch * tokens, residual);
        Buffers.give(a);
    }
}
