package dev.animagine.core.sampling.a1111;

/**
 * {@code CFGDenoiser.apply_blend} of A1111's inpainting: {@code current · nmask + init_latent · mask}
 * with mask = 1 − nmask (float32), the latent mask broadcast over the channels. The k-diffusion
 * samplers blend every step's denoised prediction (after CFG, {@code mask_before_denoising} off), the
 * timestep samplers (DDIM, UniPC) blend the step's input latents before the model
 * ({@code CFGDenoiserTimesteps} sets {@code mask_before_denoising}); processing blends the samples once more.
 *
 * @param initLatent the init latents after the masked-content fill, [1, c, h, w]
 * @param nmask      1 = repaint, [h × w]
 */
public record LatentMaskBlend(float[] initLatent, float[] nmask) {
    public LatentMaskBlend {
        if (nmask.length == 0 || initLatent.length % nmask.length != 0)
            throw new IllegalArgumentException("latents of " + initLatent.length + " values with a mask of " + nmask.length);
        initLatent = initLatent.clone();
        nmask = nmask.clone();
    }

    /** The blend of {@code current} (not modified). */
    public float[] apply(float[] current) {
        return apply(current, initLatent, nmask);
    }

    /** {@code current · nmask + init · (1 − nmask)}. */
    public static float[] apply(float[] current, float[] initLatent, float[] nmask) {
        int plane = nmask.length;
        if (current.length != initLatent.length || current.length % plane != 0)
            throw new IllegalArgumentException("latents of " + current.length + " / " + initLatent.length + " values with a mask of " + plane);
        float[] out = new float[current.length];
        for (int i = 0; i < out.length; i++) {
            float n = nmask[i % plane], m = 1f - n;
            out[i] = current[i] * n + initLatent[i] * m;
        }
        return out;
    }
}
