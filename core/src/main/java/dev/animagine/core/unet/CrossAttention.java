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
    /**
     * Keys and values of the last text context: the context is the same at every denoising step of
     * an image, so its projections are computed once per image (the conditioning arrays are never
     * modified after they are built; the cache is keyed by identity).
     */
    private float[] cachedContext, cachedK, cachedV;
    private int cachedRows;

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
        int tk = context != null ? contextTokens : tokens;
        float[] k, v;
        if (context == null) {
            k = toK.forward(x, batch * tk);
            v = toV.forward(x, batch * tk);
        } else {
            if (context != cachedContext || cachedRows != batch * tk) {
                clearContextCache();
                cachedK = toK.forward(context, batch * tk);
                cachedV = toV.forward(context, batch * tk);
                cachedContext = context;
                cachedRows = batch * tk;
            }
            k = cachedK;
            v = cachedV;
        }
        float[] a = Buffers.take(batch * tokens * inner);
        Attention.forward(q, 0, inner, k, 0, inner, v, 0, inner, a, 0, inner, batch, heads, tokens, tk, d, false);
        Buffers.give(q);
        if (context == null) Buffers.give(k, v);
        toOut.forwardAdd(a, batch * tokens, residual);
        Buffers.give(a);
    }

    /** Forgets the cached keys and values of the text context (their arrays go back to the pool). */
    void clearContextCache() {
        if (cachedK != null) Buffers.give(cachedK, cachedV);
        cachedContext = cachedK = cachedV = null;
        cachedRows = 0;
    }
}
