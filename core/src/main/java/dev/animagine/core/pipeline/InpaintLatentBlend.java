package dev.animagine.core.pipeline;

import dev.animagine.core.sampling.Img2ImgTimesteps;
import dev.animagine.core.sampling.Scheduler;

/**
 * diffusers v0.27.2's inpainting blend after every step (4-channel UNet): the init image's latents,
 * re-noised with the run's start noise to the NEXT timestep of the run (clean after the last
 * step), replace the latents where the latent mask is 0:
 * {@code latents = (1 - mask) * add_noise(image_latents, noise, t_next) + mask * latents}.
 */
public final class InpaintLatentBlend implements DiffusersImg2Img.StepHook {
    private final Scheduler scheduler;
    private final int[] steps;
    private final float[] imageLatents, noise, mask;
    private final int plane;

    /**
     * @param steps        the step indices the loop runs ({@link DiffusersImg2Img.Start#steps})
     * @param maskLatent   [1, 1, h, w], 1 = repaint ({@link dev.animagine.core.image.InpaintMask#diffusersLatentMask})
     * @param imageLatents [1, c, h, w], scaled
     * @param noise        the start noise ({@link DiffusersImg2Img.Start#noise})
     */
    public InpaintLatentBlend(Scheduler scheduler, int[] steps, float[] maskLatent, float[] imageLatents, float[] noise) {
        if (imageLatents.length % maskLatent.length != 0 || noise.length != imageLatents.length)
            throw new IllegalArgumentException("mask of " + maskLatent.length + " values for latents of " + imageLatents.length);
        this.scheduler = scheduler;
        this.steps = steps.clone();
        this.mask = maskLatent.clone();
        this.imageLatents = imageLatents.clone();
        this.noise = noise.clone();
        this.plane = maskLatent.length;
    }

    @Override
    public float[] afterStep(int i, int stepIndex, float[] latents) {
        float[] proper = imageLatents;
        if (i < steps.length - 1) {
            float[] ts = scheduler.timesteps();
            // diffusers passes the next timestep of the run; add_noise looks it up in the full schedule
            int next = Img2ImgTimesteps.indexForTimestep(ts, ts[steps[i + 1]]);
            proper = scheduler.addNoise(imageLatents, noise, next);
        }
        float[] out = new float[latents.length];
        for (int k = 0; k < out.length; k++) {
            float m = mask[k % plane];
            out[k] = (1f - m) * proper[k] + m * latents[k];
        }
        return out;
    }
}
