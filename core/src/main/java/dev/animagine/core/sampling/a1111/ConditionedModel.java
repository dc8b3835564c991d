package dev.animagine.core.sampling.a1111;

/**
 * A network evaluated for the rows of a classifier-free-guidance batch at one noise level:
 * {@code rows} = 2 gives {prompt output, negative output} (A1111's batch order [cond, uncond]),
 * {@code rows} = 1 gives {prompt output} alone. Each output has x's length (all images of the batch).
 * The UNet adapter takes the scaled input and a (possibly fractional) timestep; the
 * {@link CompVisDenoiser} and {@link LcmDenoiser} wrappers take x and σ.
 */
@FunctionalInterface
public interface ConditionedModel {
    float[][] forward(float[] x, float level, int rows);
}
