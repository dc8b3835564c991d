package dev.animagine.core.pipeline;

import dev.animagine.core.sampling.Img2ImgTimesteps;
import dev.animagine.core.sampling.Scheduler;
import dev.animagine.core.sampling.TorchGenerator;
import dev.animagine.core.tensor.Tensor;
import dev.animagine.core.vae.AutoencoderKL;
import dev.animagine.core.vae.VaeTiledEncode;
import dev.animagine.core.vae.VaeTiling;

/**
 * The latent-side stages of diffusers v0.27.2's SDXL img2img and inpainting pipelines
 * ({@code StableDiffusionXLImg2ImgPipeline}, {@code StableDiffusionXLInpaintPipeline} with a
 * 4-channel UNet), as separate steps so a staged pipeline can call them:
 * <ol>
 * <li>{@link #encodeImageLatents}: the init image's VAE posterior sampled with the run's generator
 *     (draw 1), times the scaling factor;</li>
 * <li>{@link #img2imgStart} / {@link #inpaintStart}: the steps to run for a strength, the noise
 *     (draw 2) and the start latents ({@code add_noise}, or pure noise for inpainting at strength 1);</li>
 * </ol>
 * The loop itself is {@link StableDiffusionXLPipeline#denoise} from the first step run, with
 * {@link InpaintLatentBlend} as its hooks for inpainting; {@link ImageToImage} composes the stages.
 * A hires pass is img2img on upscaled latents: {@link #img2imgStart} with them as image latents.
 * One generator serves the whole run, in diffusers' draw order.
 */
public final class DiffusersImg2Img {
    private DiffusersImg2Img() {}

    /**
     * The steps to run, the noise and the start latents.
     *
     * @param steps scheduler step indices, in order
     * @param noise the noise drawn for the start (the {@code initial_noise} of a dump)
     */
    public record Start(int[] steps, float[] noise, float[] latents) {}

    /**
     * diffusers' {@code _encode_vae_image} + {@code retrieve_latents(sample_mode="sample")}: the VAE
     * posterior's mean + std · randn (one draw of the latent shape from {@code generator}), times
     * the VAE's scaling factor. {@code image} is [1, 3, H, W] in [-1, 1].
     */
    public static float[] encodeImageLatents(AutoencoderKL vae, Tensor image, TorchGenerator generator, VaeTiling tiling) {
        AutoencoderKL.LatentDistribution d = VaeTiledEncode.encode(vae, image, tiling);
        float[] mean = d.mean().data(), std = d.std().data();
        float[] eps = generator.randn(1, d.mean().dim(1), d.mean().dim(2), d.mean().dim(3));
        float sf = (float) vae.config().scalingFactor();
        float[] out = new float[mean.length];
        for (int i = 0; i < out.length; i++) {
            float sample = mean[i] + std[i] * eps[i];
            out[i] = sf * sample;
        }
        return out;
    }

    /** txt2img's start: every step, latents = randn · init_noise_sigma (one draw). */
    public static Start txt2imgStart(Scheduler scheduler, TorchGenerator generator, int[] latentShape) {
        float[] noise = generator.randn(longs(latentShape));
        float[] x = noise.clone();
        float sigma = scheduler.initNoiseSigma();
        for (int i = 0; i < x.length; i++) x[i] *= sigma;
        int[] steps = new int[scheduler.timesteps().length];
        for (int i = 0; i < steps.length; i++) steps[i] = i;
        return new Start(steps, noise, x);
    }

    /**
     * img2img's {@code get_timesteps} + {@code prepare_latents} after the image latents: the last
     * {@code int(steps * strength)} steps, noise = one draw, start = {@code add_noise(imageLatents,
     * noise, first timestep run)}. Strength 1 still adds the image latents (diffusers' img2img).
     */
    public static Start img2imgStart(Scheduler scheduler, float[] imageLatents, double strength, TorchGenerator generator, int[] latentShape) {
        int[] steps = Img2ImgTimesteps.diffusersSteps(scheduler, strength);
        float[] noise = generator.randn(longs(latentShape));
        return new Start(steps, noise, scheduler.addNoise(imageLatents, noise, steps[0]));
    }

    /**
     * The inpainting pipeline's start (4-channel UNet): like img2img, except that at strength exactly
     * 1 the start is pure noise · init_noise_sigma. The caller draws the masked image's VAE sample
     * next ({@link #skipMaskedImageDraw}) even though a 4-channel UNet does not use it.
     */
    public static Start inpaintStart(Scheduler scheduler, float[] imageLatents, double strength, TorchGenerator generator, int[] latentShape) {
        int[] steps = Img2ImgTimesteps.diffusersSteps(scheduler, strength);
        float[] noise = generator.randn(longs(latentShape));
        float[] x;
        if (strength == 1.0) {
            x = noise.clone();
            float sigma = scheduler.initNoiseSigma();
            for (int i = 0; i < x.length; i++) x[i] *= sigma;
        } else {
            x = scheduler.addNoise(imageLatents, noise, steps[0]);
        }
        return new Start(steps, noise, x);
    }

    /**
     * diffusers' {@code prepare_mask_latents} VAE-encodes the masked image with the run's generator:
     * with a 4-channel UNet its latents are unused, but its draw (one randn of the latent shape)
     * shifts every later draw, so it is made here without running the encoder.
     */
    public static void skipMaskedImageDraw(TorchGenerator generator, int[] latentShape) {
        generator.randn(longs(latentShape));
    }

    static long[] longs(int[] shape) {
        long[] l = new long[shape.length];
        for (int i = 0; i < l.length; i++) l[i] = shape[i];
        return l;
    }
}
