package dev.animagine.core.nn;

import dev.animagine.core.tensor.Weights;
import dev.animagine.core.tensor.Buffers;
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
        String name = prefix + ".weight";
        return new Conv2d(w.get(name), w.get(prefix + ".bias").toFloats(), stride, padding, w.lowRank(name));
    }

    public int outChannels() {
        return conv2.outChannels();
    }

    /**
     * Returns a new tensor (from {@link Buffers}); {@code x} is left to the caller.
     *
     * @param siluTemb SiLU of the timestep embedding [batch, tembDim], or null (VAE)
     */
    public Tensor forward(Tensor x, float[] siluTemb) {
        Tensor a = norm1.forward(x, true);
        Tensor h = conv1.forward(a);
        Buffers.give(a);
        if (timeEmbProj != null && siluTemb != null) {
            int n = h.dim(0), c = h.dim(1);
            float[] t = timeEmbProj.forward(siluTemb, n);
            Ops.addPerChannel(h.data(), t, n * c, h.dim(2) * h.dim(3));
            Buffers.give(t);
        }
        norm2.forwardInPlace(h, true);
        Tensor out = conv2.forward(h);
        Buffers.give(h);
        if (shortcut != null) {
            Tensor s = shortcut.forward(x);
            Ops.addInPlace(out.data(), s.data());
            Buffers.give(s);
        } else {
            Ops.addInPlace(out.data(), x.data());
        }
        return out;
    }
}
