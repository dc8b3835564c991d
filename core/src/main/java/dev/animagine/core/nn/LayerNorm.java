package dev.animagine.core.nn;

import dev.animagine.core.tensor.Weights;
import dev.animagine.core.tensor.Ops;

/** LayerNorm over the last dimension with learned scale and shift. */
public final class LayerNorm {
    private final float[] gamma, beta;
    private final double eps;

    public LayerNorm(float[] gamma, float[] beta, double eps) {
        this.gamma = gamma;
        this.beta = beta;
        this.eps = eps;
    }

    public static LayerNorm load(Weights w, String prefix, double eps) {
        return new LayerNorm(w.get(prefix + ".weight").toFloats(), w.get(prefix + ".bias").toFloats(), eps);
    }

    public float[] forward(float[] x, int rows) {
        return Ops.layerNorm(x, rows, gamma.length, gamma, beta, eps);
    }
}
