package dev.animagine.core.vae;

import dev.animagine.core.io.Weights;
import dev.animagine.core.nn.GroupNorm;
import dev.animagine.core.nn.Linear;
import dev.animagine.core.tensor.Attention;
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

    Tensor forward(Tensor x) {
        int n = x.dim(0), c = x.dim(1), hw = x.dim(2) * x.dim(3), rows = n * hw;
        float[] tokens = Ops.channelsLast(norm.forward(x, false).data(), n, c, hw);
        float[] q = toQ.forward(tokens, rows), k = toK.forward(tokens, rows), v = toV.forward(tokens, rows);
        float[] a = new float[rows * c];
        Attention.forward(q, 0, c, k, 0, c, v, 0, c, a, 0, c, n, 1, hw, hw, c, false);
        float[] out = Ops.channelsFirst(toOut.forward(a, rows), n, c, hw);
        Ops.addInPlace(out, x.data());
        return new Tensor(out, x.shape());
    }
}
