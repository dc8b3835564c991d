package dev.animagine.core.unet;

import dev.animagine.core.io.Weights;
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
     * @param x        [batch * tokens, dim] normed hidden states
     * @param context  [batch * contextTokens, contextDim], or null for self-attention
     */
    void forwardAdd(float[] x, int batch, int tokens, float[] context, int contextTokens, float[] residual) {
        int inner = toQ.out(), d = inner / heads;
        float[] q = toQ.forward(x, batch * tokens);
        float[] kvIn = context != null ? context : x;
        int tk = context != null ? contextTokens : tokens;
        float[] k = toK.forward(kvIn, batch * tk), v = toV.forward(kvIn, batch * tk);
        float[] a = Buffers.take(batch * tokens * inner);
        Attention.forward(q, 0, inner, k, 0, inner, v, 0, inner, a, 0, inner, batch, heads, tokens, tk, d, false);
        Buffers.give(q, k, v);
        toOut.forwardAdd(a, batch * tokens, residual);
        Buffers.give(a);
    }
}
