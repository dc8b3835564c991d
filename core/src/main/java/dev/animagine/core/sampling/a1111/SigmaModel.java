package dev.animagine.core.sampling.a1111;

/**
 * What A1111's schedules read from the model wrapper (k-diffusion's {@code DiscreteSchedule}): the
 * training noise levels, the map between σ and (possibly fractional) UNet timesteps, and the
 * wrapper's own {@code get_sigmas(n)}.
 */
public interface SigmaModel {
    /** The training sigmas, ascending (index = training timestep of the table). */
    float[] sigmas();

    float sigmaToT(float sigma);

    float tToSigma(float t);

    /** The wrapper's own n-step schedule, followed by 0 (A1111's "Uniform"). */
    float[] getSigmas(int n);

    default float sigmaMin() {
        return sigmas()[0];
    }

    default float sigmaMax() {
        float[] s = sigmas();
        return s[s.length - 1];
    }
}
