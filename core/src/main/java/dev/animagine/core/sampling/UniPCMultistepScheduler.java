package dev.animagine.core.sampling;

import dev.animagine.core.AnimagineException;

/**
 * diffusers' {@code UniPCMultistepScheduler}: the unified predictor–corrector of Zhao et al. (2023)
 * with diffusers' defaults (B(h) = e^h − 1 "bh2", order 2, data prediction, lower order at the
 * end). Each step first corrects the previous step's prediction with the new model output
 * (UniC), then predicts the next sample (UniP). Stateful: keeps earlier data predictions and the
 * last sample. Its last sigma is the smallest training sigma, not 0.
 */
public final class UniPCMultistepScheduler extends AbstractScheduler {
    private final int order;
    private final boolean bh2;
    private float[][] modelOutputs;
    private int lowerOrderNums, thisOrder, nextStep;
    private float[] lastSample;

    public UniPCMultistepScheduler(SchedulerConfig config) {
        super(config, SchedulerType.UNIPC_MULTISTEP, false);
        if (!config.predictX0())
            throw new AnimagineException("UniPCMultistepScheduler: predict_x0 false is not supported");
        this.order = config.solverOrder();
        this.bh2 = !config.solverType().equals("bh1"); // diffusers maps midpoint/heun/logrho to bh2
    }

    @Override
    public void setTimesteps(int n) {
        TimestepSpacing.checkSteps(n, config);
        float[] train = schedule.sigmasView();
        double[] t = TimestepSpacing.multistep(config, config.numTrainTimesteps(), n);
        if (config.useKarrasSigmas()) {
            double min = config.sigmaMin() != null ? config.sigmaMin() : train[0];
            double max = config.sigmaMax() != null ? config.sigmaMax() : train[train.length - 1];
            double[] s = NumpyFloat64.karrasSigmas(min, max, n);
            t = new double[s.length];
            for (int i = 0; i < s.length; i++) t[i] = NumpyFloat64.round(schedule.sigmaToT(s[i]));
            sigmas = withFinal(s, (float) s[s.length - 1]);
        } else {
            double[] s = new double[t.length];
            for (int i = 0; i < t.length; i++) s[i] = NumpyFloat64.interp(t[i], train);
            sigmas = withFinal(s, train[0]);
        }
        timesteps = toFloats(t);
        modelOutputs = new float[order][];
        lowerOrderNums = 0;
        thisOrder = 0;
        nextStep = 0;
        lastSample = null;
    }

    @Override
    public float[] step(float[] modelOutput, int stepIndex, float[] sample, NormalNoise generator) {
        checkIndex(stepIndex);
        checkSameLength(modelOutput, sample);
        if (stepIndex != nextStep) throw new IllegalStateException("step " + stepIndex + " taken out of order (expected " + nextStep + ")");
        float[] x0 = AlphaSigma.of(sigmas[stepIndex]).dataPrediction(modelOutput, sample, config.predictionType());
        boolean useCorrector = stepIndex > 0 && !config.disableCorrector().contains(stepIndex - 1) && lastSample != null;
        if (useCorrector) sample = corrector(x0, lastSample, sample, thisOrder, stepIndex);

        System.arraycopy(modelOutputs, 1, modelOutputs, 0, order - 1);
        modelOutputs[order - 1] = x0;
        int o = config.lowerOrderFinal() ? Math.min(order, timesteps.length - stepIndex) : order;
        thisOrder = Math.min(o, lowerOrderNums + 1);
        lastSample = sample;
        float[] prev = predictor(sample, thisOrder, stepIndex);
        if (lowerOrderNums < order) lowerOrderNums++;
        nextStep++;
        return prev;
    }

    /** UniP-p: from σ_i to σ_{i+1} using the current and {@code p - 1} earlier data predictions. */
    private float[] predictor(float[] x, int p, int i) {
        AlphaSigma t = AlphaSigma.of(sigmas[i + 1]), s0 = AlphaSigma.of(sigmas[i]);
        float[] m0 = modelOutputs[order - 1];
        Terms terms = terms(t, s0, p, m0, k -> i - k);
        float[] rhos = p == 2 ? new float[] {0.5f} : p > 2 ? solve(terms.r, terms.b, p - 1) : new float[0];
        float[] out = base(t, s0, x, m0, terms.hPhi1);
        float c = t.alpha() * terms.bH;
        if (terms.d1s.length == 0) return out; // x_t_ - α·B(h)·0
        for (int k = 0; k < out.length; k++) out[k] = out[k] - c * weighted(rhos, terms.d1s, k);
        return out;
    }

    /** UniC-p: refines the sample just predicted at σ_i with the model output there. */
    private float[] corrector(float[] modelT, float[] x, float[] xt, int p, int i) {
        AlphaSigma t = AlphaSigma.of(sigmas[i]), s0 = AlphaSigma.of(sigmas[i - 1]);
        float[] m0 = modelOutputs[order - 1];
        Terms terms = terms(t, s0, p, m0, k -> i - (k + 1));
        float[] rhos = p == 1 ? new float[] {0.5f} : solve(terms.r, terms.b, p);
        float[] out = base(t, s0, x, m0, terms.hPhi1);
        float c = t.alpha() * terms.bH, last = rhos[rhos.length - 1];
        for (int k = 0; k < out.length; k++) {
            float corr = terms.d1s.length == 0 ? 0f : weighted(rhos, terms.d1s, k);
            out[k] = out[k] - c * (corr + last * (modelT[k] - m0[k]));
        }
        return out;
    }

    /** x_t_ = (σ_t/σ_s0)·x − α_t(e^{−h} − 1)·m0: the first-order (DDIM-like) part. */
    private static float[] base(AlphaSigma t, AlphaSigma s0, float[] x, float[] m0, float hPhi1) {
        float ratio = t.sigma() / s0.sigma(), c = t.alpha() * hPhi1;
        float[] out = new float[x.length];
        for (int k = 0; k < out.length; k++) out[k] = ratio * x[k] - c * m0[k];
        return out;
    }

    /** Σ_k rhos[k]·D1s[k] over the difference terms (einsum 'k,bkc...->bc...'). */
    private static float weighted(float[] rhos, float[][] d1s, int k) {
        float s = rhos[0] * d1s[0][k];
        for (int j = 1; j < d1s.length; j++) s = s + rhos[j] * d1s[j][k];
        return s;
    }

    private record Terms(float[][] d1s, float[][] r, float[] b, float hPhi1, float bH) {}

    /** The divided differences D1, the matrix R of powers of r_k and the vector b of the UniPC linear system. */
    private Terms terms(AlphaSigma t, AlphaSigma s0, int p, float[] m0, java.util.function.IntUnaryOperator sigmaIndex) {
        float h = t.lambda() - s0.lambda();
        float[] rks = new float[p];
        float[][] d1s = new float[p - 1][];
        for (int j = 1; j < p; j++) {
            float[] mi = modelOutputs[order - 1 - j];
            float rk = (AlphaSigma.of(sigmas[sigmaIndex.applyAsInt(j)]).lambda() - s0.lambda()) / h;
            rks[j - 1] = rk;
            float[] d = new float[m0.length];
            for (int k = 0; k < d.length; k++) d[k] = (mi[k] - m0[k]) / rk;
            d1s[j - 1] = d;
        }
        rks[p - 1] = 1f;
        float hh = -h; // data prediction
        float hPhi1 = (float) Math.expm1(hh);
        float hPhiK = hPhi1 / hh - 1f;
        float bH = bh2 ? (float) Math.expm1(hh) : hh;
        float[][] r = new float[p][p];
        float[] b = new float[p];
        long factorial = 1;
        for (int j = 1; j <= p; j++) {
            for (int k = 0; k < p; k++) r[j - 1][k] = power(rks[k], j - 1);
            b[j - 1] = hPhiK * factorial / bH;
            factorial *= j + 1;
            hPhiK = hPhiK / hh - (float) (1.0 / factorial);
        }
        return new Terms(d1s, r, b, hPhi1, bH);
    }

    private static float power(float x, int e) {
        float y = 1f;
        for (int i = 0; i < e; i++) y *= x;
        return y;
    }

    /** Solves the leading n×n block of R·ρ = b by LU with partial pivoting (LAPACK's sgesv, in float). */
    static float[] solve(float[][] rIn, float[] bIn, int n) {
        float[][] a = new float[n][];
        for (int i = 0; i < n; i++) a[i] = java.util.Arrays.copyOf(rIn[i], n);
        float[] b = java.util.Arrays.copyOf(bIn, n);
        for (int col = 0; col < n; col++) {
            int piv = col;
            for (int i = col + 1; i < n; i++) if (Math.abs(a[i][col]) > Math.abs(a[piv][col])) piv = i;
            float[] tr = a[piv];
            a[piv] = a[col];
            a[col] = tr;
            float tb = b[piv];
            b[piv] = b[col];
            b[col] = tb;
            float inv = 1f / a[col][col];
            for (int i = col + 1; i < n; i++) {
                float l = a[i][col] * inv;
                a[i][col] = l;
                for (int k = col + 1; k < n; k++) a[i][k] = a[i][k] - l * a[col][k];
                b[i] = b[i] - l * b[col];
            }
        }
        float[] x = new float[n];
        for (int i = n - 1; i >= 0; i--) {
            float s = b[i];
            for (int k = i + 1; k < n; k++) s = s - a[i][k] * x[k];
            x[i] = s / a[i][i];
        }
        return x;
    }

    @Override
    public float[] addNoise(float[] original, float[] noise, int stepIndex) {
        checkIndex(stepIndex);
        return AlphaSigma.of(sigmas[stepIndex]).addNoise(original, noise);
    }

    /** The run starts at {@code stepIndex} with no earlier model outputs (first order first). */
    @Override
    public void setBeginIndex(int stepIndex) {
        checkIndex(stepIndex);
        nextStep = stepIndex;
    }
}
