package dev.animagine.core.nn;

import dev.animagine.core.tensor.Weights;
import dev.animagine.core.tensor.Buffers;
import dev.animagine.core.tensor.Gemm;
import dev.animagine.core.tensor.GemmOperand;
import dev.animagine.core.tensor.StoredTensor;

/** {@code y = x W^T + b} with W {@code [out, in]} kept in its file dtype ({@code torch.nn.Linear}). */
public final class Linear {
    private final GemmOperand weight;
    private final float[] bias;
    private final int in, out;

    public Linear(StoredTensor weight, float[] bias) {
        this.weight = GemmOperand.weights(weight);
        this.bias = bias;
        this.out = weight.dim(0) > Integer.MAX_VALUE ? -1 : (int) weight.dim(0);
        this.in = (int) (weight.numel() / weight.dim(0));
        if (bias != null && bias.length != out)
            throw new IllegalArgumentException(weight.describe() + ": bias has " + bias.length + " values for " + out + " outputs");
    }

    /** Loads {@code prefix.weight} and, if {@code withBias}, {@code prefix.bias}. */
    public static Linear load(Weights w, String prefix, boolean withBias) {
        return new Linear(w.get(prefix + ".weight"), withBias ? w.get(prefix + ".bias").toFloats() : null);
    }

    public int in() {
        return in;
    }

    public int out() {
        return out;
    }

    /** x[rows, in] -> [rows, out] (a new array from {@link Buffers}). */
    public float[] forward(float[] x, int rows) {
        if (x.length != rows * in) throw new IllegalArgumentException("linear expects " + rows + "x" + in + " inputs, got " + x.length);
        float[] y = Buffers.take(rows * out);
        Gemm.multiply(x, 0, in, rows, weight, bias, y, 0, out, false);
        return y;
    }

    /** y[rows, out] += x W^T + b: a residual connection fused into the output projection. */
    public void forwardAdd(float[] x, int rows, float[] y) {
        Gemm.multiply(x, 0, in, rows, weight, bias, y, 0, out, true);
    }
}
