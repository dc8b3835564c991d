package dev.animagine.core.unet;

import dev.animagine.core.tensor.Weights;
import dev.animagine.core.nn.LayerNorm;
import dev.animagine.core.nn.Linear;
import dev.animagine.core.tensor.Buffers;
import dev.animagine.core.tensor.Ops;

/**
 * diffusers' {@code BasicTransformerBlock}: pre-LayerNorm self-attention, cross-attention on the
 * text conditioning, and a GEGLU feed-forward, each added back to the residual stream.
 */
final class BasicTransformerBlock {
    private final LayerNorm norm1, norm2, norm3;
    private final CrossAttention attn1, attn2;
    private final Linear ffProj, ffOut;

    BasicTransformerBlock(Weights w, String prefix, int heads) {
        this.norm1 = LayerNorm.load(w, prefix + ".norm1", 1e-5);
        this.attn1 = new CrossAttention(w, prefix + ".attn1", heads);
        this.norm2 = LayerNorm.load(w, prefix + ".norm2", 1e-5);
        this.attn2 = new CrossAttention(w, prefix + ".attn2", heads);
        this.norm3 = LayerNorm.load(w, prefix + ".norm3", 1e-5);
        this.ffProj = Linear.load(w, prefix + ".ff.net.0.proj", true);
        this.ffOut = Linear.load(w, prefix + ".ff.net.2", true);
    }

    /** x [batch * tokens, dim] updated in place. */
    void forward(float[] x, int batch, int tokens, UNet2DConditionModel.Conditioning cond) {
        int rows = batch * tokens;
        float[] n = norm1.forward(x, rows);
        attn1.forwardAdd(n, batch, tokens, null, x);
        Buffers.give(n);
        n = norm2.forward(x, rows);
        attn2.forwardAdd(n, batch, tokens, cond, x);
        Buffers.give(n);
        n = norm3.forward(x, rows);
        float[] h = ffProj.forward(n, rows);
        Buffers.give(n);
        float[] g = Ops.geglu(h, rows, ffProj.out() / 2);
        Buffers.give(h);
        ffOut.forwardAdd(g, rows, x);
        Buffers.give(g);
    }
}
