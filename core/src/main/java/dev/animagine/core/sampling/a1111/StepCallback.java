package dev.animagine.core.sampling.a1111;

/**
 * Called once per sampler step with the step's input and denoised estimate (k-diffusion's
 * {@code callback}); return false to stop, and the sampler then returns that step's denoised
 * estimate, as A1111 does on interrupt. The arrays are the sampler's own: copy them to keep them.
 */
@FunctionalInterface
public interface StepCallback {
    /**
     * @param i        step index from 0
     * @param total    number of steps the sampler will call back for
     * @param sigma    the step's σ (Restart: the σ it steps to, as A1111 reports it)
     * @param sigmaHat the σ the model was evaluated at (differs with churn; Restart: the σ it steps from)
     */
    boolean onStep(int i, int total, float sigma, float sigmaHat, float[] x, float[] denoised);

    StepCallback NONE = (i, total, sigma, sigmaHat, x, denoised) -> true;
}
