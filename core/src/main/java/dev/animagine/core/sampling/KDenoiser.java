package dev.animagine.core.sampling;

/** A k-diffusion denoiser D(x; σ): the estimate of the clean sample from x at noise level σ (Karras et al. 2022). */
@FunctionalInterface
public interface KDenoiser {
    float[] denoise(float[] x, float sigma);
}
