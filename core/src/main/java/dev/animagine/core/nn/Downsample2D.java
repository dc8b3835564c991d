package dev.animagine.core.nn;

import dev.animagine.core.tensor.Weights;
import dev.animagine.core.tensor.Conv2d;
import dev.animagine.core.tensor.Tensor;

/** Halves the resolution with a 3x3 stride-2 convolution (UNet: padding 1; VAE: pad right/bottom by 1, padding 0). */
public final class Downsample2D {
    private final Conv2d conv;
    private final boolean asymmetricPad;

    public Downsample2D(Weights w, String prefix, boolean asymmetricPad) {
        this.asymmetricPad = asymmetricPad;
        this.conv = ResnetBlock2D.conv(w, prefix + ".conv", 2, asymmetricPad ? 0 : 1);
    }

    public Tensor forward(Tensor x) {
        if (!asymmetricPad) return conv.forward(x);
        // the VAE encoder pads (0, 1, 0, 1): one zero column on the right and one row at the bottom
        int n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
        float[] src = x.data(), dst = new float[n * c * (h + 1) * (w + 1)];
        for (int p = 0; p < n * c; p++)
            for (int y = 0; y < h; y++) System.arraycopy(src, (p * h + y) * w, dst, (p * (h + 1) + y) * (w + 1), w);
        return conv.forward(new Tensor(dst, n, c, h + 1, w + 1));
    }
}
