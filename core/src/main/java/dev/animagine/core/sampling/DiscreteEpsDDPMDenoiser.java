package dev.animagine.core.sampling;

/**
 * k-diffusion's {@code external.DiscreteEpsDDPMDenoiser} (with its {@code DiscreteSchedule}): wraps a
 * discrete-time ε model as a denoiser D(x; σ) = x − σ·ε(x/sqrt(σ² + 1), t(σ)), where t(σ) is the
 * training timestep with that σ, interpolated in log σ (A1111 and ComfyUI's default) or the nearest
 * one ({@code quantize}). All arithmetic in float32 in k-diffusion's order.
 */
public final class DiscreteEpsDDPMDenoiser implements KDenoiser {
    private final EpsModel model;
    private final float[] sigmas, logSigmas;
    private final boolean quantize;

    /** @param alphasCumprod ᾱ_t of the training schedule, e.g. {@link NoiseSchedule#alphasCumprod()} */
    public DiscreteEpsDDPMDenoiser(EpsModel model, float[] alphasCumprod, boolean quantize) {
        if (alphasCumprod.length < 2) throw new IllegalArgumentException("need at least two training timesteps");
        this.model = model;
        this.quantize = quantize;
        this.sigmas = new float[alphasCumprod.length];
        this.logSigmas = new float[alphasCumprod.length];
        for (int i = 0; i < sigmas.length; i++) {
            float a = alphasCumprod[i];
            sigmas[i] = (float) Math.sqrt((1f - a) / a);
            logSigmas[i] = (float) Math.log(sigmas[i]);
        }
    }

    /** σ at training timestep 0 (the smallest). */
    public float sigmaMin() {
        return sigmas[0];
    }

    /** σ at the last training timestep (the largest). */
    public float sigmaMax() {
        return sigmas[sigmas.length - 1];
    }

    /** The training sigmas, ascending in t. */
    public float[] sigmas() {
        return sigmas.clone();
    }

    /** The model timestep for σ: nearest training timestep when quantizing, else log-σ interpolation. */
    public float sigmaToT(float sigma) {
        float logSigma = (float) Math.log(sigma);
        int n = logSigmas.length;
        if (quantize) {
            int best = 0;
            float bestDist = Float.POSITIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                float d = Math.abs(logSigma - logSigmas[i]);
                if (d < bestDist) {
                    bestDist = d;
                    best = i;
                }
            }
            return best;
        }
        int count = 0, low = 0, best = 0;
        for (int i = 0; i < n; i++) {
            if (logSigma - logSigmas[i] >= 0) count++;
            if (count > best) {
                best = count;
                low = i;
            }
        }
        low = Math.min(low, n - 2);
        int high = low + 1;
        float lo = logSigmas[low], hi = logSigmas[high];
        float w = Math.max(0f, Math.min(1f, (lo - logSigma) / (lo - hi)));
        return (1f - w) * low + w * high;
    }

    @Override
    public float[] denoise(float[] x, float sigma) {
        float cIn = 1f / (float) Math.sqrt(sigma * sigma + 1f), cOut = -sigma;
        float[] xIn = new float[x.length];
        for (int i = 0; i < x.length; i++) xIn[i] = x[i] * cIn;
        float[] eps = model.eps(xIn, sigmaToT(sigma));
        if (eps.length != x.length) throw new IllegalArgumentException("model returned " + eps.length + " values for " + x.length);
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) out[i] = x[i] + eps[i] * cOut;
        return out;
    }
}
