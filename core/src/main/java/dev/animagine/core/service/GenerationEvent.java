package dev.animagine.core.service;

/**
 * What a run reports while it works, in order: for each image, the phases it enters and every
 * denoising step; then that the image finished, was skipped, or that the run was cancelled.
 * Listeners are called on the computing thread: they must return quickly.
 */
public sealed interface GenerationEvent {

    /** Image index (0-based) within the request's batch. */
    int image();

    /** Images the request makes. */
    int images();

    record PhaseStarted(int image, int images, dev.animagine.core.pipeline.Stage stage) implements GenerationEvent {}

    /**
     * One denoising step done.
     *
     * @param step          steps done, 1..steps
     * @param steps         steps of this image's loop
     * @param sigma         the noise level the step started from
     * @param timestep      the model timestep of the step
     * @param secondsPerStep wall-clock seconds the step took
     * @param etaSeconds    estimated seconds until the loop ends
     * @param latents       the current latents [batch, channels, height/8, width/8] (the batch's first image first; one image
     *                      unless the request has a batch size); valid only during the call
     */
    record StepDone(int image, int images, int step, int steps, double sigma, double timestep, double secondsPerStep,
                    double etaSeconds, LatentSnapshot latents) implements GenerationEvent {}

    record ImageFinished(int image, int images, GeneratedImage result) implements GenerationEvent {}

    /** {@link RunControl#skip()} ended this image early; the run goes on with the next. */
    record ImageSkipped(int image, int images) implements GenerationEvent {}

    /** {@link RunControl#cancel()} stopped the run during this image; nothing more is computed. */
    record RunCancelled(int image, int images) implements GenerationEvent {}

    /** The latents of a step, for live previews. */
    record LatentSnapshot(float[] data, int channels, int height, int width) {
        /** A copy that outlives the listener call. */
        public LatentSnapshot copy() {
            return new LatentSnapshot(data.clone(), channels, height, width);
        }
    }
}
