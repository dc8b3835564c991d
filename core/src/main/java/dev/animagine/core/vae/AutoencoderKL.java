package dev.animagine.core.vae;

import dev.animagine.core.tensor.Weights;
import dev.animagine.core.nn.Downsample2D;
import dev.animagine.core.nn.GroupNorm;
import dev.animagine.core.nn.ResnetBlock2D;
import dev.animagine.core.nn.Upsample2D;
import dev.animagine.core.tensor.Buffers;
import dev.animagine.core.tensor.Conv2d;
import dev.animagine.core.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * SDXL's VAE (diffusers' {@code AutoencoderKL}): the decoder turns UNet latents (divided by the
 * scaling factor) into RGB in about [-1, 1]; the encoder maps an image to the mean and log-variance
 * of its latent distribution. Structure from {@link VaeConfig}.
 */
public final class AutoencoderKL {
    private static final double EPS = 1e-6;

    private final VaeConfig config;
    private final Conv2d quantConv, postQuantConv;
    private final Conv2d encConvIn, encConvOut, decConvIn, decConvOut;
    private final GroupNorm encNormOut, decNormOut;
    private final List<List<ResnetBlock2D>> encBlocks = new ArrayList<>(), decBlocks = new ArrayList<>();
    private final List<Downsample2D> downsamplers = new ArrayList<>();
    private final List<Upsample2D> upsamplers = new ArrayList<>();
    private final MidBlock encMid, decMid;

    /** Latent distribution of an encoded image: mean and log-variance (clamped to [-30, 20]). */
    public record LatentDistribution(Tensor mean, Tensor logvar) {
        public Tensor std() {
            float[] s = new float[logvar.numel()];
            for (int i = 0; i < s.length; i++) s[i] = (float) Math.exp(0.5f * logvar.data()[i]);
            return new Tensor(s, logvar.shape());
        }
    }

    /** UNetMidBlock2D: resnet, attention, resnet. */
    private record MidBlock(ResnetBlock2D resnet0, VaeAttention attention, ResnetBlock2D resnet1) {
        MidBlock(Weights w, String p, int groups) {
            this(new ResnetBlock2D(w, p + ".resnets.0", groups, EPS), new VaeAttention(w, p + ".attentions.0", groups),
                    new ResnetBlock2D(w, p + ".resnets.1", groups, EPS));
        }

        /** A new tensor; {@code x} is left to the caller. */
        Tensor forward(Tensor x) {
            Tensor h = resnet0.forward(x, null);
            h = replace(h, attention.forward(h));
            return replace(h, resnet1.forward(h, null));
        }
    }

    public AutoencoderKL(VaeConfig config, Weights w) {
        this.config = config;
        int groups = config.normNumGroups(), levels = config.blockOutChannels().size();
        encConvIn = ResnetBlock2D.conv(w, "encoder.conv_in", 1, 1);
        for (int i = 0; i < levels; i++) {
            List<ResnetBlock2D> res = new ArrayList<>();
            for (int j = 0; j < config.layersPerBlock(); j++)
                res.add(new ResnetBlock2D(w, "encoder.down_blocks." + i + ".resnets." + j, groups, EPS));
            encBlocks.add(res);
            downsamplers.add(i < levels - 1 ? new Downsample2D(w, "encoder.down_blocks." + i + ".downsamplers.0", true) : null);
        }
        encMid = new MidBlock(w, "encoder.mid_block", groups);
        encNormOut = GroupNorm.load(w, "encoder.conv_norm_out", groups, EPS);
        encConvOut = ResnetBlock2D.conv(w, "encoder.conv_out", 1, 1);
        quantConv = w.has("quant_conv.weight") ? ResnetBlock2D.conv(w, "quant_conv", 1, 0) : null;

        postQuantConv = w.has("post_quant_conv.weight") ? ResnetBlock2D.conv(w, "post_quant_conv", 1, 0) : null;
        decConvIn = ResnetBlock2D.conv(w, "decoder.conv_in", 1, 1);
        decMid = new MidBlock(w, "decoder.mid_block", groups);
        for (int i = 0; i < levels; i++) {
            List<ResnetBlock2D> res = new ArrayList<>();
            for (int j = 0; j < config.layersPerBlock() + 1; j++)
                res.add(new ResnetBlock2D(w, "decoder.up_blocks." + i + ".resnets." + j, groups, EPS));
            decBlocks.add(res);
            upsamplers.add(i < levels - 1 ? new Upsample2D(w, "decoder.up_blocks." + i + ".upsamplers.0") : null);
        }
        decNormOut = GroupNorm.load(w, "decoder.conv_norm_out", groups, EPS);
        decConvOut = ResnetBlock2D.conv(w, "decoder.conv_out", 1, 1);
    }

    public VaeConfig config() {
        return config;
    }

    /**
     * VAE latents (already divided by the scaling factor) [n, latent, h, w] -> image [n, 3, 8h, 8w], about [-1, 1].
     * Latents larger than {@link VaeTiling#DEFAULT} allows are decoded in overlapping tiles (bounded memory).
     */
    public Tensor decode(Tensor z) {
        return decode(z, VaeTiling.DEFAULT);
    }

    /**
     * {@link #decode(Tensor)} with an explicit tiling rule. The decoder's idle buffers are dropped at
     * the end: the decode closes an image, and the next UNet has other shapes.
     */
    public Tensor decode(Tensor z, VaeTiling tiling) {
        Tensor image = tiling.decode(z, config.downscale(), this::decodeWhole);
        Buffers.clear();
        return image;
    }

    /** The decoder on the whole latent at once, as diffusers runs it. */
    Tensor decodeWhole(Tensor z) {
        Tensor h = postQuantConv != null ? postQuantConv.forward(z) : z;
        Tensor in = decConvIn.forward(h);
        if (h != z) Buffers.give(h);
        h = replace(in, decMid.forward(in));
        for (int i = 0; i < decBlocks.size(); i++) {
            for (ResnetBlock2D r : decBlocks.get(i)) h = replace(h, r.forward(h, null));
            Upsample2D up = upsamplers.get(i);
            if (up != null) h = replace(h, up.forward(h, h.dim(2) * 2, h.dim(3) * 2));
        }
        decNormOut.forwardInPlace(h, true);
        return replace(h, decConvOut.forward(h));
    }

    /** Hands {@code old} back to {@link Buffers} and returns {@code next}. */
    private static Tensor replace(Tensor old, Tensor next) {
        Buffers.give(old);
        return next;
    }

    /** Image [n, 3, H, W] in [-1, 1] -> latent distribution (before the scaling factor). */
    public LatentDistribution encode(Tensor image) {
        Tensor h = encConvIn.forward(image);
        for (int i = 0; i < encBlocks.size(); i++) {
            for (ResnetBlock2D r : encBlocks.get(i)) h = replace(h, r.forward(h, null));
            Downsample2D down = downsamplers.get(i);
            if (down != null) h = replace(h, down.forward(h));
        }
        h = replace(h, encMid.forward(h));
        encNormOut.forwardInPlace(h, true);
        h = replace(h, encConvOut.forward(h));
        if (quantConv != null) h = replace(h, quantConv.forward(h));
        int n = h.dim(0), c = h.dim(1) / 2, hw = h.dim(2) * h.dim(3);
        float[] mean = new float[n * c * hw], logvar = new float[n * c * hw];
        for (int b = 0; b < n; b++) {
            System.arraycopy(h.data(), b * 2 * c * hw, mean, b * c * hw, c * hw);
            for (int i = 0; i < c * hw; i++)
                logvar[b * c * hw + i] = Math.clamp(h.data()[(b * 2 + 1) * c * hw + i], -30f, 20f);
        }
        return new LatentDistribution(new Tensor(mean, n, c, h.dim(2), h.dim(3)), new Tensor(logvar, n, c, h.dim(2), h.dim(3)));
    }
}
