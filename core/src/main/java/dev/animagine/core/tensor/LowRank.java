package dev.animagine.core.tensor;

import java.util.Arrays;

/**
 * A low-rank update {@code ΔW = scale · up · down} kept factored, as a side path of a linear or
 * convolution layer: {@code y = x W^T + scale · (x down^T) up^T} costs {@code r·(in + out)} per row
 * instead of a merged copy of W ({@code in·out} floats). This is how a plain LoRA/LoCon is applied
 * without touching the base weights. The factors stay in their file dtype (usually mapped from the
 * adapter file).
 *
 * @param down  {@code [r, in]} for a linear layer, {@code [r, in, kh, kw]} for a convolution (same
 *              kernel, stride and padding as the base convolution)
 * @param up    {@code [out, r]} or {@code [out, r, 1, 1]}
 * @param scale the user's weight times alpha / rank
 */
public record LowRank(StoredTensor down, StoredTensor up, float scale) {
    public LowRank {
        long r = down.dim(0);
        if (up.numel() / up.dim(0) != r || (up.rank() == 4 && (up.dim(2) != 1 || up.dim(3) != 1)))
            throw new IllegalArgumentException(up.describe() + ": up " + Arrays.toString(up.shape()) + " does not match down "
                    + Arrays.toString(down.shape()));
    }

    public int rank() {
        return (int) down.dim(0);
    }
}
