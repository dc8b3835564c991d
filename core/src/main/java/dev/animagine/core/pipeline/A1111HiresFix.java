package dev.animagine.core.pipeline;

import dev.animagine.core.InvalidArgumentException;
import dev.animagine.core.sampling.Img2ImgTimesteps;
import dev.animagine.core.tensor.Tensor;

/**
 * A1111's hires fix with a latent upscaler ({@code StableDiffusionProcessingTxt2Img.sample_hr_pass}):
 * the first pass's latents are resized to the target size // 8, fresh seeded noise of the NEW size
 * (the noise a txt2img of that size and seed starts from) is added at the first sigma of the
 * second schedule, the size conditioning is recomputed for the target size, and the second pass
 * runs EXACTLY {@code hiresSteps or steps} steps on the tail of a longer schedule
 * ({@link Img2ImgTimesteps#a1111} with an explicit step count).
 *
 * @param targetWidth  pixels, {@code int(width * scale)}
 * @param targetHeight pixels, {@code int(height * scale)}
 */
public record A1111HiresFix(int targetWidth, int targetHeight, HiresUpscaler upscaler, double denoise, Img2ImgTimesteps.A1111Steps steps) {
    public A1111HiresFix {
        if (targetWidth < 8 || targetHeight < 8) throw new InvalidArgumentException("hires size " + targetWidth + "x" + targetHeight + " is too small");
    }

    /**
     * @param hiresSteps 0 = the first pass's step count (A1111's "Hires steps" 0)
     */
    public static A1111HiresFix plan(int width, int height, double scale, int steps, int hiresSteps, double denoise, HiresUpscaler upscaler) {
        if (!(scale > 0)) throw new InvalidArgumentException("hires scale must be positive (got " + scale + ")");
        if (hiresSteps < 0) throw new InvalidArgumentException("hires steps must not be negative (got " + hiresSteps + ")");
        int tw = LatentUpscaler.a1111TargetPixels(width, scale), th = LatentUpscaler.a1111TargetPixels(height, scale);
        return new A1111HiresFix(tw, th, upscaler, denoise, Img2ImgTimesteps.a1111(steps, denoise, true, hiresSteps > 0 ? hiresSteps : steps));
    }

    public int latentWidth() {
        return targetWidth / 8;
    }

    public int latentHeight() {
        return targetHeight / 8;
    }

    /** {@code interpolate(samples, size=(target_h // 8, target_w // 8), mode, antialias)}; latent upscalers only. */
    public Tensor upscale(Tensor latents) {
        if (!(upscaler instanceof LatentUpscaler latent))
            throw new IllegalStateException(upscaler.a1111Name() + " upscales images, not latents (see A1111ImageHires)");
        return latent.upscale(latents, latentHeight(), latentWidth());
    }

    /** SDXL size conditioning of the second pass: (H2, W2, 0, 0, H2, W2) for the target size. */
    public float[] timeIds() {
        return new float[] {targetHeight, targetWidth, 0, 0, targetHeight, targetWidth};
    }

    /**
     * The second pass's start latents: upscaled + noise · σ, σ the first sigma run.
     *
     * @param sigmas the k-diffusion schedule of {@code steps().scheduleSteps()} steps, with its final 0
     * @param noise  the seed's latent noise at the target latent size
     */
    public float[] startLatents(float[] upscaled, float[] noise, float[] sigmas) {
        return A1111Img2Img.startLatents(upscaled, noise, A1111Img2Img.sigmaTail(sigmas, steps)[0]);
    }
}
