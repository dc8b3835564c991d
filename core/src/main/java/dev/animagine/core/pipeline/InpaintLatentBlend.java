package dev.animagine.core.pipeline;

import dev.animagine.core.sampling.DenoisingSampler;
import dev.animagine.core.sampling.Img2ImgTimesteps;

/**
 * diffusers v0.27.2's inpainting blend after every step (4-channel UNet): the init image's latents,
 * re-noised with the run's start noise to the NEXT timestep of the run (clean after the last
 * step), replace the latents where the latent mask is 0:
 * {@code latents = (1 - mask) * add_noise(image_latents, noise, t_next) + mask * latents}.
 * As {@link RunHooks} it rewrites the latents in place after each step of
 * {@link StableDiffusionXLPipeline#denoise}, before the caller's hooks see them.
 */
public final class InpaintLatentBlend implements RunHooks {
    private final DenoisingSampler sampler;
    private final int fromStep;
    private final float[] imageLatents, noise, mask;
    private final int plane;
    private final RunHooks next;

    /**
     * @param fromStep     the first step the loop runs
     * @param maskLatent   [1, 1, h, w], 1 = repaint ({@link dev.animagine.core.image.InpaintMask#diffusersLatentMask})
     * @param imageLatents [1, c, h, w], scaled
     * @param noise        the start noise
     * @param next         the caller's hooks, called with the blended latents
     */
    public InpaintLatentBlend(DenoisingSampler sampler, int fromStep, float[] maskLatent, float[] imageLatents, float[] noise, RunHooks next) {
        if (imageLatents.length % maskLatent.length != 0 || noise.length != imageLatents.length)
            throw new IllegalArgumentException("mask of " + maskLatent.length + " values for latents of " + imageLatents.length);
        this.sampler = sampler;
        this.fromStep = fromStep;
        this.mask = maskLatent.clone();
        this.imageLatents = imageLatents.clone();
        this.noise = noise.clone();
        this.plane = maskLatent.length;
        this.next = next;
    }

    @Override
    public void stageStarted(Stage stage) {
        next.stageStarted(stage);
    }

    @Override
    public void beforeEvaluation() {
        next.beforeEvaluation();
    }

    @Override
    public void afterStep(int step, int total, float sigma, float timestep, float[] latents, int[] shape) {
        blend(step - 1, latents);
        next.afterStep(step, total, sigma, timestep, latents, shape);
    }

    /** Blends the latents after run step {@code i} (0 = the first step run) in place. */
    public void blend(int i, float[] latents) {
        float[] proper = imageLatents;
        float[] ts = sampler.timesteps();
        int current = fromStep + i;
        if (current < ts.length - 1) {
            // diffusers passes the next timestep of the run; add_noise looks it up in the full schedule
            int nextIndex = Img2ImgTimesteps.indexForTimestep(ts, ts[current + 1]);
            proper = sampler.addNoise(imageLatents, noise, nextIndex);
        }
        for (int k = 0; k < latents.length; k++) {
            float m = mask[k % plane];
            latents[k] = (1f - m) * proper[k] + m * latents[k];
        }
    }
}
