package dev.animagine.core.sampling.a1111;

import dev.animagine.core.InvalidArgumentException;
import dev.animagine.core.sampling.TorchFloat32;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A1111's "Schedule type" ({@code modules/sd_schedulers.py}, v1.10.1): how n noise levels are
 * chosen between σ_min and σ_max. Each returns float32 sigmas ending in 0 (KL Optimal: ending at σ_min).
 */
public enum SigmaSchedule {
    /** The sampler's own default ({@link A1111Sampler#defaultSchedule()}), else the model's {@link SigmaModel#getSigmas}. */
    AUTOMATIC("automatic", "Automatic", -1, List.of()),
    UNIFORM("uniform", "Uniform", -1, List.of()),
    KARRAS("karras", "Karras", 7, List.of()),
    EXPONENTIAL("exponential", "Exponential", -1, List.of()),
    POLYEXPONENTIAL("polyexponential", "Polyexponential", 1, List.of()),
    SGM_UNIFORM("sgm_uniform", "SGM Uniform", -1, List.of("SGMUniform")),
    KL_OPTIMAL("kl_optimal", "KL Optimal", -1, List.of()),
    ALIGN_YOUR_STEPS("align_your_steps", "Align Your Steps", -1, List.of()),
    SIMPLE("simple", "Simple", -1, List.of()),
    NORMAL("normal", "Normal", -1, List.of()),
    DDIM("ddim", "DDIM", -1, List.of()),
    BETA("beta", "Beta", -1, List.of());

    /** Align Your Steps' 10-step noise levels for SDXL (Sabour et al. 2024). */
    private static final double[] AYS_SDXL = {14.615, 6.315, 3.771, 2.181, 1.342, 0.862, 0.555, 0.380, 0.234, 0.113, 0.029};

    private final String id, label;
    private final double defaultRho;
    private final List<String> aliases;

    SigmaSchedule(String id, String label, double defaultRho, List<String> aliases) {
        this.id = id;
        this.label = label;
        this.defaultRho = defaultRho;
        this.aliases = aliases;
    }

    /** A1111's internal name, e.g. {@code sgm_uniform}. */
    public String id() {
        return id;
    }

    /** The name A1111 shows and writes after {@code Schedule type:}, e.g. {@code SGM Uniform}. */
    public String label() {
        return label;
    }

    /** A1111's other names of this schedule type, e.g. {@code SGMUniform}. */
    public List<String> aliases() {
        return aliases;
    }

    /** A1111's {@code need_inner_model}: the schedule function is handed the model wrapper. */
    public boolean needsInnerModel() {
        return switch (this) {
            case UNIFORM, SGM_UNIFORM, SIMPLE, NORMAL, DDIM, BETA -> true;
            default -> false;
        };
    }

    /** ρ of Karras (7) and Polyexponential (1); -1 where there is none. */
    public double defaultRho() {
        return defaultRho;
    }

    /** By id, label or alias, case-insensitively (also with '-' or ' ' for '_'). */
    public static SigmaSchedule byName(String name) {
        String n = normalize(name);
        for (SigmaSchedule s : values()) {
            if (normalize(s.id).equals(n) || normalize(s.label).equals(n)) return s;
            for (String a : s.aliases) if (normalize(a).equals(n)) return s;
        }
        throw new InvalidArgumentException("unknown schedule type '" + name + "' (valid: "
                + Arrays.stream(values()).map(SigmaSchedule::label).collect(Collectors.joining(", ")) + ")");
    }

    static String normalize(String s) {
        return s == null ? "" : s.trim().toLowerCase(Locale.ROOT).replace('-', ' ').replace('_', ' ');
    }

    /**
     * The schedule function itself for n levels (A1111 passes steps, or steps + 1 before discarding).
     *
     * @param rho   used by Karras and Polyexponential
     * @param model the model wrapper, for the schedules that read its table
     */
    public float[] compute(int n, double sigmaMin, double sigmaMax, double rho, SigmaModel model, ScheduleOptions options) {
        if (n < 1) throw new InvalidArgumentException("a schedule needs at least 1 step, not " + n);
        return switch (this) {
            case AUTOMATIC, UNIFORM -> model.getSigmas(n);
            case KARRAS -> karras(n, sigmaMin, sigmaMax, rho);
            case EXPONENTIAL -> exponential(n, sigmaMin, sigmaMax);
            case POLYEXPONENTIAL -> polyexponential(n, sigmaMin, sigmaMax, rho);
            case SGM_UNIFORM -> timeLinear(n, sigmaMin, sigmaMax, model, true);
            case NORMAL -> timeLinear(n, sigmaMin, sigmaMax, model, false);
            case KL_OPTIMAL -> klOptimal(n, sigmaMin, sigmaMax);
            case ALIGN_YOUR_STEPS -> alignYourSteps(n);
            case SIMPLE -> simple(n, model);
            case DDIM -> ddim(n, model);
            case BETA -> beta(n, sigmaMin, sigmaMax, options.betaDistAlpha(), options.betaDistBeta());
        };
    }

    /**
     * Karras et al. (2022): (σ_max^(1/ρ) + ramp·(σ_min^(1/ρ) − σ_max^(1/ρ)))^ρ over a float32 linspace(0, 1, n)
     * ramp, the two roots in double and the rest float32 torch ops, then 0.
     */
    public static float[] karras(int n, double sigmaMin, double sigmaMax, double rho) {
        float[] ramp = TorchFloat32.linspace(0, 1, n);
        double minInvRho = Math.pow(sigmaMin, 1 / rho), maxInvRho = Math.pow(sigmaMax, 1 / rho);
        float diff = (float) (minInvRho - maxInvRho), max = (float) maxInvRho;
        float[] base = new float[n];
        for (int i = 0; i < n; i++) base[i] = ramp[i] * diff + max;
        float[] p = SleefPow.pow(base, rho);
        return java.util.Arrays.copyOf(p, n + 1);
    }

    /** exp(linspace(ln σ_max, ln σ_min, n)) in float32, then 0. */
    static float[] exponential(int n, double sigmaMin, double sigmaMax) {
        float[] l = TorchFloat32.linspace(Math.log(sigmaMax), Math.log(sigmaMin), n);
        float[] out = new float[n + 1];
        for (int i = 0; i < n; i++) out[i] = SleefExp.expf(l[i]);
        return out;
    }

    /** exp(linspace(1, 0, n)^ρ · (ln σ_max − ln σ_min) + ln σ_min) in float32, then 0. */
    static float[] polyexponential(int n, double sigmaMin, double sigmaMax, double rho) {
        float[] ramp = TorchFloat32.linspace(1, 0, n);
        float span = (float) (Math.log(sigmaMax) - Math.log(sigmaMin)), lnMin = (float) Math.log(sigmaMin), r = (float) rho;
        float[] out = new float[n + 1];
        for (int i = 0; i < n; i++) {
            float p = (float) Math.pow(ramp[i], r);
            out[i] = SleefExp.expf(p * span + lnMin);
        }
        return out;
    }

    /** Timesteps spaced linearly from t(σ_max) to t(σ_min) (SGM Uniform: n of n + 1, leaving out t(σ_min)), then 0. */
    static float[] timeLinear(int n, double sigmaMin, double sigmaMax, SigmaModel model, boolean sgm) {
        float start = model.sigmaToT((float) sigmaMax), end = model.sigmaToT((float) sigmaMin);
        float[] t = TorchFloat32.linspace(start, end, sgm ? n + 1 : n);
        float[] out = new float[n + 1];
        for (int i = 0; i < n; i++) out[i] = model.tToSigma(t[i]);
        return out;
    }

    /** tan((k/n)·atan σ_min + (1 − k/n)·atan σ_max) for k = 0..n in float32: n + 1 values ending at σ_min. */
    static float[] klOptimal(int n, double sigmaMin, double sigmaMax) {
        float aMin = (float) Math.atan((float) sigmaMin), aMax = (float) Math.atan((float) sigmaMax);
        float[] out = new float[n + 1];
        for (int k = 0; k <= n; k++) {
            float f = (float) k / n;
            out[k] = (float) Math.tan(f * aMin + (1f - f) * aMax);
        }
        return out;
    }

    /** The SDXL list, log-linearly interpolated in float64 to n levels when n != 11, then 0. */
    static float[] alignYourSteps(int n) {
        int m = AYS_SDXL.length;
        float[] out = new float[n + 1];
        if (n == m) {
            for (int i = 0; i < m; i++) out[i] = (float) AYS_SDXL[i];
            return out;
        }
        double[] ys = new double[m];
        for (int i = 0; i < m; i++) ys[i] = Math.log(AYS_SDXL[m - 1 - i]);
        double[] xs = linspace(0, 1, m), at = linspace(0, 1, n);
        for (int i = 0; i < n; i++) out[n - 1 - i] = (float) Math.exp(interp(at[i], xs, ys));
        return out;
    }

    /** Every (1000/n)-th training sigma from the top, then 0. */
    static float[] simple(int n, SigmaModel model) {
        float[] s = model.sigmas();
        double ss = (double) s.length / n;
        float[] out = new float[n + 1];
        for (int x = 0; x < n; x++) out[x] = s[s.length - 1 - (int) (x * ss)];
        return out;
    }

    /** Training sigmas 1, 1 + k, 1 + 2k, … (k = max(1000 // n, 1)) from the top, then 0; can be more than n + 1 values. */
    static float[] ddim(int n, SigmaModel model) {
        float[] s = model.sigmas();
        int ss = Math.max(s.length / n, 1);
        int count = 0;
        for (int x = 1; x < s.length; x += ss) count++;
        float[] out = new float[count + 1];
        int k = count - 1;
        for (int x = 1; x < s.length; x += ss) out[k--] = s[x];
        return out;
    }

    /** σ_min + q·(σ_max − σ_min) with q the Beta(α, β) quantiles of 1 − linspace(0, 1, n), then 0 (Lee et al. 2024). */
    static float[] beta(int n, double sigmaMin, double sigmaMax, double alpha, double beta) {
        double[] u = linspace(0, 1, n);
        float[] out = new float[n + 1];
        for (int i = 0; i < n; i++) out[i] = (float) (sigmaMin + BetaDistribution.ppf(1 - u[i], alpha, beta) * (sigmaMax - sigmaMin));
        return out;
    }

    /** {@code np.linspace}: i·step + start, the last element exactly stop. */
    private static double[] linspace(double start, double stop, int num) {
        double[] y = new double[num];
        if (num == 1) {
            y[0] = start;
            return y;
        }
        double step = (stop - start) / (num - 1);
        for (int i = 0; i < num; i++) y[i] = i * step + start;
        y[num - 1] = stop;
        return y;
    }

    /** {@code np.interp} on increasing xs. */
    private static double interp(double x, double[] xs, double[] ys) {
        if (x <= xs[0]) return ys[0];
        int last = xs.length - 1;
        if (x >= xs[last]) return ys[last];
        int j = 0;
        while (xs[j + 1] <= x) j++;
        if (x == xs[j]) return ys[j];
        double slope = (ys[j + 1] - ys[j]) / (xs[j + 1] - xs[j]);
        return slope * (x - xs[j]) + ys[j];
    }
}
