package dev.animagine.core.nn;

import dev.animagine.core.io.Weights;
import dev.animagine.core.tensor.Conv2d;
import dev.animagine.core.tensor.Ops;
import dev.animagine.core.tensor.Tensor;

/**
 * diffusers' {@code ResnetBlock2D}: GroupNorm, SiLU, 3x3 conv, plus the projected timestep
 * embedding (UNet only), GroupNorm, SiLU, 3x3 conv, and a 1x1 conv shortcut when the channel
 * count changes. Channel counts come from the weights.
 */
public final class ResnetBlock2D {
    private final GroupNorm norm1, norm2;
    private final Conv2d conv1, conv2, shortcut;
    private final Linear timeEmbProj;

    public ResnetBlock2D(Weights w, String prefix, int groups, double eps) {
        this.norm1 = GroupNorm.load(w, prefix + ".norm1", groups, eps);
        this.conv1 = conv(w, prefix + ".conv1", 1, 1);
        this.norm2 = GroupNorm.load(w, prefix + ".norm2", groups, eps);
        this.conv2 = conv(w, prefix + ".conv2", 1, 1);
        this.shortcut = w.has(prefix + ".conv_shortcut.weight") ? conv(w, prefix + ".conv_shortcut", 1, 0) : null;
        this.timeEmbProj = w.has(prefix + ".time_emb_proj.weight") ? Linear.load(w, prefix + ".time_emb_proj", true) : null;
    }

    public static Conv2d conv(Weights w, String prefix, int stride, int padding) {
        return new Conv2d(w.get(prefix + ".weight"), w.get(prefix + ".bias").toFloats(), stride, padding);
    }

    public int outChannels() {
        return conv2.outChannels();
    }

    /**
     * @param siluTemb SiLU of the timestep embedding [batch, tembDim], or null (VAE)
     */
    public Tensor forward(Tensor x, float[] siluTemb) {
        Tensor h = conv1.forward(norm1.forward(x, true));
        if (timeEmbProj != null && siluTemb != null) {
            int n = h.dim(0), c = h.dim(1), hw = h.dim(2) * h.dim(3);
            float[] t = timeEmbProj.forward(siluTemb, n);
            float[] d = h.data();
            for (int b = 0; b < n; b++)
                for (int ch = 0; ch < c; ch++) {
                    float add = t[b * c + ch];
                    int o = (b * c + ch) * hw;
                    for (int i = 0; i < hw; i++) d[o + i] += add;
                }
        }
        h = conv2.forward(norm2.forward(h, true));
        Tensor residual = shortcut != null ? shortcut.forward(x) : x;
        Ops.addInPlace(h.data(), residual.data());
        return h;
    }
}
