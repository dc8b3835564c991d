package dev.animagine.core.sampling;

/**
 * k-diffusion's {@code external.DiscreteEpsDDPMDenoiser} (with its {@code DiscreteSchedule}): wraps a
 * discrete-time ε model as a denoiser D(x; σ) = x − σ·ε(x/sqrt(σ² + 1), t(σ)), where t(σ) is the
 * training timestep with that σ, interpolated in log σ (A1111 and ComfyUI's default) or the nearest
 * one ({@code quantize}). All arithmetic in float32 in k-diffusion's order.
 */
public final class DiscreteEpsDDPMDenoiser implements KDenoiser {
    private final EpsModel model;
    private final LogSigmaTable table;
    private final boolean quantize;

    /** @param alphasCumprod ᾱ_t of the training schedule, e.g. {@link NoiseSchedule#alphasCumprod()} */
    public DiscreteEpsDDPMDenoiser(EpsModel model, float[] alphasCumprod, boolean quantize) {
        if (alphasCumprod.length < 2) throw new IllegalArgumentException("need at least two training timesteps");
        this.model = model;
        this.quantize = quantize;
        this.table = new LogSigmaTable(alphasCumprod);
    }

    /** σ at training timestep 0 (the smallest). */
    public float sigmaMin() {
        return table.sigmas[0];
    }

    /** σ at the last training timestep (the largest). */
    public float sigmaMax() {
        return table.sigmas[table.sigmas.length - 1];
    }

    /** The training sigmas, ascending in t. */
    public float[] sigmas() {
        return table.sigmas.clone();
    }

    /** The model timestep for σ: nearest training timestep when quantizing, else log-σ interpolation. */
    public float sigmaToT(float sigma) {
        float logSigma = (float) Math.log(sigma);
        if (quantize) return table.nearest(logSigma);
        LogSigmaTable.Position p = table.interpolate(logSigma);
        return (1f - p.w()) * p.low() + p.w() * (p.low() + 1);
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
