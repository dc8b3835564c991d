package dev.animagine.core.pipeline;

import dev.animagine.core.tensor.Tensor;

/**
 * What one image run produced, including the intermediates {@code --dump} writes.
 *
 * @param request      the resolved request
 * @param conditioning the encoded prompts
 * @param initialNoise the unit-variance noise the latents started from
 * @param latents      the final latents [1, 4, h/8, w/8]
 * @param image        RGB in [0, 1], [1, 3, h, w]
 * @param timesteps    the model timestep of each step
 * @param timings      seconds per stage
 */
public record ImageResult(GenerationRequest request, TextConditioning conditioning, float[] initialNoise,
                          Tensor latents, Tensor image, float[] timesteps, Timings timings) {

    /** Wall-clock seconds per stage, and how many UNet evaluations the loop made. */
    public record Timings(double textEncode, double denoise, double vaeDecode, int unetEvaluations) {}
}
