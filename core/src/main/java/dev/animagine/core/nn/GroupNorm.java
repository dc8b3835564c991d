package dev.animagine.core.nn;

import dev.animagine.core.tensor.Weights;
import dev.animagine.core.tensor.Ops;
import dev.animagine.core.tensor.Tensor;

/** GroupNorm on NCHW activations, optionally followed by SiLU in the same pass. */
public final class GroupNorm {
    private final float[] gamma, beta;
    private final int groups;
    private final double eps;

    public GroupNorm(float[] gamma, float[] beta, int groups, double eps) {
        this.gamma = gamma;
        this.beta = beta;
        this.groups = groups;
        this.eps = eps;
    }

    public static GroupNorm load(Weights w, String prefix, int groups, double eps) {
        return new GroupNorm(w.get(prefix + ".weight").toFloats(), w.get(prefix + ".bias").toFloats(), groups, eps);
    }

    public Tensor forward(Tensor x, boolean silu) {
        int n = x.dim(0), c = x.dim(1), hw = x.numel() / (n * c);
        return new Tensor(Ops.groupNorm(x.data(), n, c, hw, groups, gamma, beta, eps, silu), x.shape());
    }

    /** Normalises {@code x} in place (for an activation nothing else reads). */
    public void forwardInPlace(Tensor x, boolean silu) {
        int n = x.dim(0), c = x.dim(1), hw = x.numel() / (n * c);
        Ops.groupNorm(x.data(), x.data(), n, c, hw, groups, gamma, beta, eps, silu);
    }
}
