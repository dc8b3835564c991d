package dev.animagine.core.pipeline;

import dev.animagine.core.InvalidArgumentException;
import dev.animagine.core.sampling.Img2ImgTimesteps;
import dev.animagine.core.sampling.KDenoiser;
import dev.animagine.core.sampling.a1111.LatentMaskBlend;

import java.util.Arrays;

/**
 * A1111's img2img and inpainting on the latent side ({@code KDiffusionSampler.sample_img2img},
 * {@code StableDiffusionProcessingImg2Img.init / sample}, {@code CFGDenoiser.forward}), for a
 * k-diffusion sampler that takes a sigma schedule:
 * <ol>
 * <li>{@link Img2ImgTimesteps#a1111}: schedule length and first step ({@code int(d * steps) + 1} steps
 *     by default);</li>
 * <li>{@link #sigmaTail}: the sigmas the sampler runs, {@code sigmas[steps - t_enc - 1:]};</li>
 * <li>{@link MaskedContent#applyToLatents} (inpainting), then {@link #startLatents}:
 *     {@code x + noise * sigma_sched[0]} with the seed's ordinary latent noise;</li>
 * <li>per step (inpainting): {@link #blend} on the denoiser's prediction; once more on the samples.</li>
 * </ol>
 */
public final class A1111Img2Img {
    private A1111Img2Img() {}

    /** "Masked content" (A1111's {@code inpainting_fill} 0..3). */
    public enum MaskedContent {
        /** 0: the masked area is refilled from its surroundings in pixels ({@link dev.animagine.core.image.A1111Mask#fill}) before encoding. */
        FILL,
        /** 1: the picture as it is. */
        ORIGINAL,
        /** 2: init latents = init · mask + seeded noise · nmask. */
        LATENT_NOISE,
        /** 3: init latents = init · mask (zero where repainted). */
        LATENT_NOTHING;

        public static MaskedContent byId(String id) {
            String n = id == null ? "" : id.trim().toLowerCase(java.util.Locale.ROOT).replace(' ', '-').replace('_', '-');
            return switch (n) {
                case "0", "fill" -> FILL;
                case "1", "original" -> ORIGINAL;
                case "2", "latent-noise" -> LATENT_NOISE;
                case "3", "latent-nothing" -> LATENT_NOTHING;
                default -> throw new InvalidArgumentException("unknown masked content '" + id + "' (valid: fill, original, latent-noise, latent-nothing)");
            };
        }

        /**
         * Whether {@code masking.fill} runs on the picture before encoding: A1111 does it for every
         * masked content except {@link #ORIGINAL} (the latent fills then overwrite the masked latents).
         */
        public boolean fillsPixels() {
            return this != ORIGINAL;
        }

        /**
         * The init latents after this fill: A1111 computes it once in {@code init} and then uses it both as
         * the sampler's start and as the blend target.
         *
         * @param nmask the latent mask, 1 = repaint, [h × w] ({@link dev.animagine.core.image.A1111Mask#latentMask})
         * @param noise the seed's latent noise ({@code create_random_tensors}), used by {@link #LATENT_NOISE} only
         */
        public float[] applyToLatents(float[] initLatent, float[] nmask, float[] noise) {
            int plane = nmask.length;
            float[] out = initLatent.clone();
            if (this == LATENT_NOISE) {
                for (int i = 0; i < out.length; i++) {
                    float n = nmask[i % plane], m = 1f - n;
                    out[i] = initLatent[i] * m + noise[i] * n;
                }
            } else if (this == LATENT_NOTHING) {
                for (int i = 0; i < out.length; i++) out[i] = initLatent[i] * (1f - nmask[i % plane]);
            }
            return out;
        }
    }

    /** A denoiser whose predictions are {@link #blend}ed with the init latents (A1111's default per-step inpainting blend). */
    public static KDenoiser masked(KDenoiser denoiser, float[] initLatent, float[] nmask) {
        float[] init = initLatent.clone(), n = nmask.clone();
        return (x, sigma) -> blend(denoiser.denoise(x, sigma), init, n);
    }

    /** {@code sigma_sched = sigmas[steps - t_enc - 1:]}: the tail of the k-diffusion schedule (with its final 0). */
    public static float[] sigmaTail(float[] sigmas, Img2ImgTimesteps.A1111Steps plan) {
        if (sigmas.length != plan.scheduleSteps() + 1)
            throw new IllegalArgumentException(sigmas.length + " sigmas for a schedule of " + plan.scheduleSteps() + " steps");
        return Arrays.copyOfRange(sigmas, plan.firstStep(), sigmas.length);
    }

    /** {@code xi = x + noise * sigma_sched[0]} (float32). */
    public static float[] startLatents(float[] initLatent, float[] noise, float sigma0) {
        if (noise.length != initLatent.length) throw new IllegalArgumentException("noise has " + noise.length + " values, latents " + initLatent.length);
        float[] out = new float[initLatent.length];
        for (int i = 0; i < out.length; i++) out[i] = initLatent[i] + noise[i] * sigma0;
        return out;
    }

    /**
     * {@code CFGDenoiser}'s {@code apply_blend}: {@code current * nmask + init_latent * mask} with
     * mask = 1 − nmask, applied to the denoised prediction of every step (default, option
     * {@code mask_before_denoising} off) and to the final samples.
     */
    public static float[] blend(float[] current, float[] initLatent, float[] nmask) {
        return LatentMaskBlend.apply(current, initLatent, nmask);
    }
}
