package dev.animagine.core.sampling.a1111;

/**
 * The per-run sampler parameters A1111 passes to k-diffusion, with A1111's defaults in {@link #DEFAULTS}.
 *
 * @param eta     ancestral / SDE noise amount ({@code opts.eta_ancestral}, 1); DDIM's eta is separate ({@code opts.eta_ddim}, 0)
 * @param sNoise  noise multiplier (1)
 * @param sChurn  Euler/Heun/DPM2 churn (0 = off)
 * @param sTmin   churn only at σ >= sTmin (0)
 * @param sTmax   churn only at σ <= sTmax (0 = no limit, as A1111 passes inf)
 */
public record SamplerOptions(double eta, double sNoise, double sChurn, double sTmin, double sTmax) {
    public static final SamplerOptions DEFAULTS = new SamplerOptions(1, 1, 0, 0, 0);

    public SamplerOptions withEta(double e) {
        return new SamplerOptions(e, sNoise, sChurn, sTmin, sTmax);
    }

    double sTmaxOrInf() {
        return sTmax == 0 ? Double.POSITIVE_INFINITY : sTmax;
    }
}
