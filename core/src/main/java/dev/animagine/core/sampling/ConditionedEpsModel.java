package dev.animagine.core.sampling;

/**
 * The noise-predicting model with the prompt's and the negative prompt's outputs kept apart, for
 * samplers that apply guidance themselves (A1111's CFG denoiser combines denoised estimates, and may
 * skip the negative). {@link #eps} stays the guided ε for every other sampler.
 */
public interface ConditionedEpsModel extends EpsModel {
    /**
     * ε for the scaled input at timestep t, one array per row: {prompt, negative} for {@code rows} = 2
     * (A1111's batch order), {prompt} for 1. Without a negative prompt (CFG scale at most 1), the
     * prompt's output stands in for the negative's (so any guidance scale returns the prompt's).
     */
    float[][] rows(float[] xIn, float t, int rows);
}
