package dev.animagine.core.nn;

import dev.animagine.core.tensor.Weights;
import dev.animagine.core.tensor.Buffers;
import dev.animagine.core.tensor.Gemm;
import dev.animagine.core.tensor.GemmOperand;
import dev.animagine.core.tensor.LowRank;
import dev.animagine.core.tensor.StoredTensor;

import java.util.List;

/**
 * {@code y = x W^T + b} with W {@code [out, in]} kept in its file dtype ({@code torch.nn.Linear}),
 * plus optional low-rank side paths {@code scale · (x D^T) U^T} (LoRA adapters, never merged into W).
 */
public final class Linear {
    private final GemmOperand weight;
    private final float[] bias;
    private final int in, out;
    private final Side[] sides;

    /** One side path: D and U as GEMM operands, and the scale applied to {@code x D^T}. */
    private record Side(GemmOperand down, GemmOperand up, float scale, int rank) {}

    public Linear(StoredTensor weight, float[] bias) {
        this(weight, bias, List.of());
    }

    public Linear(StoredTensor weight, float[] bias, List<LowRank> lowRank) {
        this.weight = GemmOperand.weights(weight);
        this.bias = bias;
        this.out = weight.dim(0) > Integer.MAX_VALUE ? -1 : (int) weight.dim(0);
        this.in = (int) (weight.numel() / weight.dim(0));
        if (bias != null && bias.length != out)
            throw new IllegalArgumentException(weight.describe() + ": bias has " + bias.length + " values for " + out + " outputs");
        this.sides = new Side[lowRank.size()];
        for (int i = 0; i < sides.length; i++) {
            LowRank lr = lowRank.get(i);
            int r = lr.rank();
            if (lr.down().numel() != (long) r * in || lr.up().dim(0) != out)
                throw new IllegalArgumentException(weight.describe() + ": low-rank update " + lr.down().describe() + " / "
                        + lr.up().describe() + " does not fit a [" + out + ", " + in + "] weight");
            StoredTensor down = lr.down().reshape(r, in), up = lr.up().reshape(out, r);
            sides[i] = new Side(GemmOperand.weights(down), GemmOperand.weights(up), lr.scale(), r);
        }
    }

    /** Loads {@code prefix.weight} (with its side paths) and, if {@code withBias}, {@code prefix.bias}. */
    public static Linear load(Weights w, String prefix, boolean withBias) {
        String name = prefix + ".weight";
        return new Linear(w.get(name), withBias ? w.get(prefix + ".bias").toFloats() : null, w.lowRank(name));
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
        addSides(x, rows, y);
        return y;
    }

    /** y[rows, out] += x W^T + b: a residual connection fused into the output projection. */
    public void forwardAdd(float[] x, int rows, float[] y) {
        Gemm.multiply(x, 0, in, rows, weight, bias, y, 0, out, true);
        addSides(x, rows, y);
    }

    private void addSides(float[] x, int rows, float[] y) {
        for (Side s : sides) {
            float[] t = Buffers.take(rows * s.rank);
            Gemm.multiply(x, 0, in, rows, s.down, null, t, 0, s.rank, false);
            for (int i = 0; i < rows * s.rank; i++) t[i] *= s.scale;
            Gemm.multiply(t, 0, s.rank, rows, s.up, null, y, 0, out, true);
            Buffers.give(t);
        }
    }
}
