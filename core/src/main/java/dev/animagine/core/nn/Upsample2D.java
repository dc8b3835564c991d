package dev.animagine.core.nn;

import dev.animagine.core.tensor.Weights;
import dev.animagine.core.tensor.Buffers;
import dev.animagine.core.tensor.Conv2d;
import dev.animagine.core.tensor.Ops;
import dev.animagine.core.tensor.Tensor;

/** Nearest-neighbour upsampling to a given size (normally 2x) followed by a 3x3 convolution. */
public final class Upsample2D {
    private final Conv2d conv;

    public Upsample2D(Weights w, String prefix) {
        this.conv = ResnetBlock2D.conv(w, prefix + ".conv", 1, 1);
    }

    public Tensor forward(Tensor x, int outH, int outW) {
        int n = x.dim(0), c = x.dim(1);
        float[] up = Ops.resizeNearest(x.data(), n, c, x.dim(2), x.dim(3), outH, outW);
        Tensor y = conv.forward(new Tensor(up, n, c, outH, outW));
        Buffers.give(up);
        return y;
    }
}
