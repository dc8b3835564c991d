package dev.animagine.core.sampling;

/**
 * A noise-predicting model in the DDPM parametrisation: ε̂ for the scaled input x·c_in at the
 * (possibly fractional) training timestep t. For SDXL: the UNet with classifier-free guidance.
 */
@FunctionalInterface
public interface EpsModel {
    float[] eps(float[] xIn, float t);
}
