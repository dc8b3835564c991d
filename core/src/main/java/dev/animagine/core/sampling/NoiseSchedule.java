package dev.animagine.core.sampling;

/**
 * The training noise schedule (DDPM, Ho et al. 2020) shared by the schedulers: betas, the cumulative
 * products ᾱ_t of 1 − β_t, and the matching noise levels σ_t = sqrt((1 − ᾱ_t) / ᾱ_t), all float32
 * and computed with the same torch operations as diffusers' scheduler constructors, so that every
 * derived number (timesteps, sigmas) matches to the bit.
 */
public final class NoiseSchedule {
    private final float[] betas;
    private final float[] alphasCumprod;
    private final LogSigmaTable table;

    /** The training schedule a scheduler of {@code config.type()} builds (for k-diffusion's denoiser, say). */
    public static NoiseSchedule of(SchedulerConfig config) {
        SchedulerType t = config.type();
        return new NoiseSchedule(config, t != SchedulerType.DDIM && t != SchedulerType.UNIPC_MULTISTEP);
    }

    /**
     * @param zeroTerminalSnrOverride whether this scheduler class sets ᾱ_T = 2^-24 after rescaling
     *                                to zero terminal SNR (the Euler and DPM-Solver classes do; DDIM does not)
     */
    NoiseSchedule(SchedulerConfig config, boolean zeroTerminalSnrOverride) {
        int n = config.numTrainTimesteps();
        float[] b;
        if (config.trainedBetas() != null) {
            b = new float[config.trainedBetas().length];
            for (int i = 0; i < b.length; i++) b[i] = (float) config.trainedBetas()[i];
        } else {
            b = switch (config.betaSchedule()) {
                case "linear" -> TorchFloat32.linspace(config.betaStart(), config.betaEnd(), n);
                case "scaled_linear" -> {
                    // linspace over sqrt(beta), then squared (the latent-diffusion schedule)
                    float[] s = TorchFloat32.linspace(Math.sqrt(config.betaStart()), Math.sqrt(config.betaEnd()), n);
                    for (int i = 0; i < n; i++) s[i] = s[i] * s[i];
                    yield s;
                }
                case "squaredcos_cap_v2" -> cosineBetas(n);
                default -> throw new IllegalStateException(config.betaSchedule());
            };
        }
        if (config.rescaleBetasZeroSnr()) b = rescaleZeroTerminalSnr(b);
        this.betas = b;
        float[] alphas = new float[b.length];
        for (int i = 0; i < b.length; i++) alphas[i] = 1f - b[i];
        this.alphasCumprod = TorchFloat32.cumprod(alphas);
        if (config.rescaleBetasZeroSnr() && zeroTerminalSnrOverride) alphasCumprod[b.length - 1] = 0x1p-24f;
        this.table = new LogSigmaTable(alphasCumprod);
    }

    public int numTrainTimesteps() {
        return betas.length;
    }

    /** β_t, float32. */
    public float[] betas() {
        return betas.clone();
    }

    /** ᾱ_t, float32, index = training timestep. */
    public float[] alphasCumprod() {
        return alphasCumprod.clone();
    }

    float alphaCumprod(int t) {
        return alphasCumprod[t];
    }

    /** σ_t = sqrt((1 − ᾱ_t) / ᾱ_t), float32, ascending in t. */
    public float[] sigmas() {
        return table.sigmas.clone();
    }

    float[] sigmasView() {
        return table.sigmas;
    }

    /**
     * The fractional training timestep whose log σ is log σ (diffusers' {@code _sigma_to_t}):
     * linear interpolation in log σ between the two neighbouring training timesteps. numpy 1.x
     * evaluates it in float32 (the float64 scalar is cast down to the float32 table), and so do we.
     */
    double sigmaToT(double sigma) {
        LogSigmaTable.Position p = table.interpolate((float) Math.log(Math.max(sigma, 1e-10)));
        return (double) (1f - p.w()) * p.low() + (double) p.w() * (p.low() + 1);
    }

    /** λ_t = log α_t − log σ_t with α_t = sqrt(ᾱ_t), σ_t = sqrt(1 − ᾱ_t) (float32, DPM-Solver's {@code lambda_t}). */
    float lambda(int t) {
        float a = alphasCumprod[t];
        return (float) Math.log((float) Math.sqrt(a)) - (float) Math.log((float) Math.sqrt(1f - a));
    }

    /** diffusers' {@code betas_for_alpha_bar} with the cosine ᾱ of Nichol and Dhariwal (2021), max β 0.999. */
    private static float[] cosineBetas(int n) {
        float[] b = new float[n];
        for (int i = 0; i < n; i++) {
            double t1 = (double) i / n, t2 = (double) (i + 1) / n;
            b[i] = (float) Math.min(1 - alphaBar(t2) / alphaBar(t1), 0.999);
        }
        return b;
    }

    private static double alphaBar(double t) {
        double c = Math.cos((t + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }

    /** Lin et al. (2023), algorithm 1: shift and scale sqrt(ᾱ) so the last timestep has zero SNR (float32 ops). */
    private static float[] rescaleZeroTerminalSnr(float[] betas) {
        int n = betas.length;
        float[] alphas = new float[n];
        for (int i = 0; i < n; i++) alphas[i] = 1f - betas[i];
        float[] sqrtBar = TorchFloat32.cumprod(alphas);
        for (int i = 0; i < n; i++) sqrtBar[i] = (float) Math.sqrt(sqrtBar[i]);
        float first = sqrtBar[0], last = sqrtBar[n - 1];
        float scale = first / (first - last);
        for (int i = 0; i < n; i++) sqrtBar[i] = (sqrtBar[i] - last) * scale;
        float[] bar = new float[n];
        for (int i = 0; i < n; i++) bar[i] = sqrtBar[i] * sqrtBar[i];
        float[] out = new float[n];
        out[0] = 1f - bar[0];
        for (int i = 1; i < n; i++) out[i] = 1f - bar[i] / bar[i - 1];
        return out;
    }
}
