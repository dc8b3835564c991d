package dev.animagine.core.sampling.a1111;

import dev.animagine.core.sampling.TorchFloat32;

/**
 * A1111's {@code LCMCompVisDenoiser} schedule: LCM's 50 original timesteps 19, 39, …, 999 (every 20th ᾱ),
 * integer timesteps from the nearest ln σ, and σ(t) interpolated on that 50-entry table.
 */
public final class LcmSchedule extends DiscreteSchedule {
    static final int ORIGINAL_STEPS = 50;
    final int skip;

    private LcmSchedule(float[] valid, int skip) {
        super(valid);
        this.skip = skip;
    }

    /** From the model's full ᾱ table (1000 entries for SDXL). */
    public static LcmSchedule of(float[] alphasCumprod) {
        int steps = alphasCumprod.length, skip = steps / ORIGINAL_STEPS;
        float[] valid = new float[ORIGINAL_STEPS];
        for (int x = 0; x < ORIGINAL_STEPS; x++) valid[ORIGINAL_STEPS - 1 - x] = alphasCumprod[steps - 1 - x * skip];
        return new LcmSchedule(valid, skip);
    }

    /** skip · argmin |ln σ − ln σ_i| + skip − 1: an integer UNet timestep. */
    @Override
    public float sigmaToT(float sigma) {
        float ls = (float) Math.log(sigma);
        int best = 0;
        float bestDist = Float.POSITIVE_INFINITY;
        for (int i = 0; i < logSigmas.length; i++) {
            float d = Math.abs(ls - logSigmas[i]);
            if (d < bestDist) {
                bestDist = d;
                best = i;
            }
        }
        return (float) best * skip + (skip - 1);
    }

    @Override
    public float tToSigma(float t) {
        float k = Math.clamp((t - (skip - 1)) / skip, 0f, sigmas.length - 1);
        return super.tToSigma(k);
    }

    /** t = linspace(t(σ_max), t(σ_min), n), σ(t), then 0. */
    @Override
    public float[] getSigmas(int n) {
        float[] t = TorchFloat32.linspace(sigmaToT(sigmaMax()), sigmaToT(sigmaMin()), n);
        float[] out = new float[n + 1];
        for (int i = 0; i < n; i++) out[i] = tToSigma(t[i]);
        return out;
    }

    /**
     * LCM's boundary-condition output for the ε-parametrised x0: c_out·x0 + c_skip·x with the scaled
     * timestep st = 10·t(σ), c_skip = 0.25/(st² + 0.25), c_out = st/sqrt(st² + 0.25).
     */
    public float[] scaledOut(float sigma, float[] x0, float[] x) {
        float st = sigmaToT(sigma) * 10f;
        float st2 = st * st + 0.25f;
        float cSkip = 0.25f / st2, cOut = st / (float) Math.sqrt(st2);
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) out[i] = cOut * x0[i] + cSkip * x[i];
        return out;
    }
}
