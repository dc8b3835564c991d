package dev.animagine.core.sampling;

/**
 * Called after each denoising step with the latents the step produced. The callback may change
 * {@code latents} in place (inpainting blends the known region back) and may throw to stop the loop
 * (cancellation); it runs on the sampling thread.
 */
@FunctionalInterface
public interface StepCallback {
    StepCallback NONE = (step, total, sigma, timestep, latents) -> {};

    /**
     * @param step     steps done so far within this loop, 1..total
     * @param total    steps this loop runs
     * @param sigma    the noise level the step started from
     * @param timestep the model timestep the step evaluated
     */
    void afterStep(int step, int total, float sigma, float timestep, float[] latents);
}
