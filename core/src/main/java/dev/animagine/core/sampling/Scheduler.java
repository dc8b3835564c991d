package dev.animagine.core.sampling;

/**
 * A diffusers noise scheduler (v0.27.2 semantics) on flat float32 latents: one image or a batch,
 * any layout, since every operation is element-wise. The denoiser (UNet and classifier-free
 * guidance) stays outside:
 * <pre>{@code
 * Scheduler s = SchedulerType.EULER_ANCESTRAL_DISCRETE.create(config);
 * s.setTimesteps(28);
 * float[] x = generator.randn(1, 4, h, w);  scale by s.initNoiseSigma()
 * for (int i = 0; i < s.timesteps().length; i++) {
 *     float[] eps = denoiser(s.scaleModelInput(x, i), s.timesteps()[i]);
 *     x = s.step(eps, i, x, generator);
 * }
 * }</pre>
 * Multistep schedulers remember earlier model outputs: use one instance per image (per run);
 * {@link #setTimesteps} starts a new run. Steps must be taken in order 0, 1, 2...
 */
public interface Scheduler {
    SchedulerConfig config();

    /** Prepares a run of {@code numInferenceSteps} denoising steps (and forgets any earlier run). */
    void setTimesteps(int numInferenceSteps);

    /** The model timestep of each step (integers, except Euler's Karras/continuous ones). */
    float[] timesteps();

    /**
     * diffusers' {@code scheduler.sigmas}: the noise level of each step followed by the final one
     * (0, or σ_min for UniPC). Empty for DDIM, which works with ᾱ_t instead.
     */
    float[] sigmas();

    /** The standard deviation of the initial noise: latents = randn * initNoiseSigma. */
    float initNoiseSigma();

    /** The denoiser's input at step {@code stepIndex} (Euler divides by sqrt(σ² + 1); others pass it through). */
    float[] scaleModelInput(float[] sample, int stepIndex);

    /**
     * One denoising step: the sample at the next (lower) noise level.
     *
     * @param modelOutput the denoiser's prediction (ε, v or x0 per {@code prediction_type}) for {@code sample}
     * @param generator   the run's generator; ancestral steps draw their noise from it (may be null for
     *                    deterministic schedulers)
     */
    float[] step(float[] modelOutput, int stepIndex, float[] sample, NormalNoise generator);

    /**
     * diffusers' {@code add_noise}: {@code original} noised to the level of step {@code stepIndex} of
     * the current schedule (img2img's start latents, inpainting's re-noised image latents). Euler:
     * x + σ·n; DPM-Solver and UniPC: α·x + σ_t·n with α = 1/sqrt(σ² + 1); DDIM: sqrt(ᾱ_t)·x + sqrt(1 − ᾱ_t)·n.
     * Find the step of a timestep with {@link Img2ImgTimesteps#indexForTimestep}, as diffusers does.
     */
    default float[] addNoise(float[] original, float[] noise, int stepIndex) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no add_noise");
    }

    /**
     * Starts the run at step {@code stepIndex} instead of 0 (img2img skips the noisiest steps). Multistep
     * solvers then start with an empty history, so their first step is first order, as in diffusers.
     * Call after {@link #setTimesteps}; steps are then taken in order from {@code stepIndex}.
     */
    default void setBeginIndex(int stepIndex) {}
}
