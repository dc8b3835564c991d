package dev.animagine.core.sampling.a1111;

import dev.animagine.core.InvalidArgumentException;
import dev.animagine.core.sampling.TorchFloat32;

/**
 * k-diffusion's {@code DiscreteSchedule} for an ε model ({@code CompVisDenoiser}): σ_t =
 * sqrt((1 − ᾱ_t)/ᾱ_t) and ln σ_t in float32, fractional timesteps interpolated linearly in ln σ.
 */
public class DiscreteSchedule implements SigmaModel {
    final float[] sigmas, logSigmas;

    public DiscreteSchedule(float[] alphasCumprod) {
        if (alphasCumprod.length < 2) throw new InvalidArgumentException("a noise schedule needs at least 2 training timesteps, not " + alphasCumprod.length);
        sigmas = new float[alphasCumprod.length];
        logSigmas = new float[alphasCumprod.length];
        for (int i = 0; i < sigmas.length; i++) {
            float a = alphasCumprod[i];
            sigmas[i] = (float) Math.sqrt((1f - a) / a);
            logSigmas[i] = (float) Math.log(sigmas[i]);
        }
    }

    /**
     * SDXL's ᾱ as A1111 has it (sgm {@code LegacyDDPMDiscretization}): β = linspace(√0.00085, √0.012, 1000)²
     * and the cumulative product of 1 − β in float64, then rounded to float32.
     */
    public static float[] sdxlAlphasCumprod() {
        return scaledLinearAlphasCumprod(0.00085, 0.012, 1000);
    }

    /** The scaled-linear ᾱ of latent diffusion, computed in float64 as sgm does and rounded to float32. */
    public static float[] scaledLinearAlphasCumprod(double betaStart, double betaEnd, int n) {
        double start = Math.sqrt(betaStart), end = Math.sqrt(betaEnd), step = (end - start) / (n - 1);
        float[] out = new float[n];
        double acc = 1;
        for (int i = 0; i < n; i++) {
            // torch.linspace: the first half counts up from start, the second half down from end
            double b = i < n / 2 ? start + step * i : end - step * (n - 1 - i);
            acc *= 1 - b * b;
            out[i] = (float) acc;
        }
        return out;
    }

    /** The SDXL wrapper A1111 builds ({@link #sdxlAlphasCumprod()}). */
    public static DiscreteSchedule sdxl() {
        return new DiscreteSchedule(sdxlAlphasCumprod());
    }

    @Override
    public float[] sigmas() {
        return sigmas.clone();
    }

    @Override
    public float sigmaMin() {
        return sigmas[0];
    }

    @Override
    public float sigmaMax() {
        return sigmas[sigmas.length - 1];
    }

    public float[] logSigmas() {
        return logSigmas.clone();
    }

    /** Fractional timestep: low = last index with ln σ_i <= ln σ (at most n − 2), weight clamped to [0, 1]. */
    @Override
    public float sigmaToT(float sigma) {
        float ls = (float) Math.log(sigma);
        int n = logSigmas.length, count = 0, best = 0, low = 0;
        for (int i = 0; i < n; i++) {
            if (ls - logSigmas[i] >= 0) count++;
            if (count > best) {
                best = count;
                low = i;
            }
        }
        low = Math.min(low, n - 2);
        float lo = logSigmas[low], hi = logSigmas[low + 1];
        float w = Math.clamp((lo - ls) / (lo - hi), 0f, 1f);
        return (1f - w) * low + w * (low + 1);
    }

    @Override
    public float tToSigma(float t) {
        int low = (int) Math.floor(t), high = (int) Math.ceil(t);
        float w = t - (float) Math.floor(t);
        float ls = (1f - w) * logSigmas[low] + w * logSigmas[high];
        return SleefExp.expf(ls);
    }

    /** t = linspace(n_train − 1, 0, n) in float32, σ(t), then 0. */
    @Override
    public float[] getSigmas(int n) {
        float[] t = TorchFloat32.linspace(sigmas.length - 1, 0, n);
        float[] out = new float[n + 1];
        for (int i = 0; i < n; i++) out[i] = tToSigma(t[i]);
        return out;
    }
}
