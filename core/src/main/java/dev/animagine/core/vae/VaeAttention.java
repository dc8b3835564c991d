package dev.animagine.core.vae;

import dev.animagine.core.tensor.Weights;
import dev.animagine.core.nn.GroupNorm;
import dev.animagine.core.nn.Linear;
import dev.animagine.core.tensor.Attention;
import dev.animagine.core.tensor.Buffers;
import dev.animagine.core.tensor.Ops;
import dev.animagine.core.tensor.Tensor;

/**
 * The VAE's spatial self-attention (diffusers' {@code Attention} with a group norm and residual):
 * one head over all pixels, q/k/v/out projections with bias.
 */
final class VaeAttention {
    private final GroupNorm norm;
    private final Linear toQ, toK, toV, toOut;

    VaeAttention(Weights w, String prefix, int groups) {
        this.norm = GroupNorm.load(w, prefix + ".group_norm", groups, 1e-6);
        this.toQ = Linear.load(w, prefix + ".to_q", true);
        this.toK = Linear.load(w, prefix + ".to_k", true);
        this.toV = Linear.load(w, prefix + ".to_v", true);
        this.toOut = Linear.load(w, prefix + ".to_out.0", true);
    }

    /** Returns a new tensor (from {@link Buffers}); {@code x} is left to the caller. */
    Tensor forward(Tensor x) {
        int n = x.dim(0), c = x.dim(1), hw = x.dim(2) * x.dim(3), rows = n * hw;
        Tensor normed = norm.forward(x, false);
        float[] tokens = Ops.channelsLast(normed.data(), n, c, hw);
        Buffers.give(normed);
        float[] q = toQ.forward(tokens, rows), k = toK.forward(tokens, rows), v = toV.forward(tokens, rows);
        Buffers.give(tokens);
        float[] a = Buffers.take(rows * c);
        Attention.forward(q, 0, c, k, 0, c, v, 0, c, a, 0, c, n, 1, hw, hw, c, false);
        Buffers.give(q, k, v);
        float[] o = toOut.forward(a, rows);
        Buffers.give(a);
        float[] out = Ops.channelsFirst(o, n, c, hw);
        Buffers.give(o);
        Ops.addInPlace(out, x.data());
        return new Tensor(out, x.shape());
    }
}
