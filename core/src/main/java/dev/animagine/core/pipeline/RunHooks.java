package dev.animagine.core.pipeline;

/**
 * What a run's caller sees of the computation while it happens: stage changes, a check before
 * every UNet evaluation (throw to stop the run there: cancellation), and each finished denoising
 * step with its latents (progress, previews; the hook may change the latents in place).
 */
public interface RunHooks {
    RunHooks NONE = new RunHooks() {};

    default void stageStarted(Stage stage) {}

    /** Called before each UNet evaluation; an exception thrown here ends the run. */
    default void beforeEvaluation() {}

    /** @param shape the latents' shape [batch, channels, height, width] */
    default void afterStep(int step, int total, float sigma, float timestep, float[] latents, int[] shape) {}
}
