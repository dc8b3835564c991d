package dev.animagine.core.sampling;

import dev.animagine.core.AnimagineException;

/**
 * diffusers' {@code DPMSolverMultistepScheduler} with {@code algorithm_type="dpmsolver++"}: the
 * multistep DPM-Solver++ of Lu et al. (2022) on data predictions ("DPM++ 2M" at order 2, midpoint
 * form), optionally on Karras sigmas ("DPM++ 2M Karras"). Orders 1 and 2; the first step and the
 * final step (with {@code final_sigmas_type="zero"}, or under 15 steps) are first order.
 * Stateful: keeps the previous data prediction.
 */
public final class DPMSolverMultistepScheduler extends AbstractScheduler {
    private final int order;
    private float[][] modelOutputs;
    private int lowerOrderNums;
    private int nextStep;

    public DPMSolverMultistepScheduler(SchedulerConfig config) {
        super(config, SchedulerType.DPM_SOLVER_MULTISTEP, true);
        String algorithm = config.algorithmType().equals("deis") ? "dpmsolver++" : config.algorithmType();
        if (!algorithm.equals("dpmsolver++"))
            throw new AnimagineException("DPMSolverMultistepScheduler: algorithm_type '" + algorithm + "' is not supported (only dpmsolver++)");
        // diffusers maps the UniPC solver types to midpoint
        if (config.solverType().equals("heun"))
            throw new AnimagineException("DPMSolverMultistepScheduler: solver_type 'heun' is not supported (only midpoint)");
        if (config.solverOrder() > 2)
            throw new AnimagineException("DPMSolverMultistepScheduler: solver_order " + config.solverOrder() + " is not supported (1 or 2)");
        this.order = config.solverOrder();
    }

    @Override
    public void setTimesteps(int n) {
        TimestepSpacing.checkSteps(n, config);
        double[] t = TimestepSpacing.multistep(config, lastTimestep(), n);
        float[] train = schedule.sigmasView();
        double[] s;
        if (config.useKarrasSigmas()) {
            double min = config.sigmaMin() != null ? config.sigmaMin() : train[0];
            double max = config.sigmaMax() != null ? config.sigmaMax() : train[train.length - 1];
            s = NumpyFloat64.karrasSigmas(min, max, n);
            t = new double[s.length];
            for (int i = 0; i < s.length; i++) t[i] = NumpyFloat64.round(schedule.sigmaToT(s[i]));
        } else {
            s = new double[t.length];
            for (int i = 0; i < t.length; i++) s[i] = NumpyFloat64.interp(t[i], train);
        }
        float last = config.finalSigmasType().equals("zero") ? 0f : train[0];
        timesteps = toFloats(t);
        sigmas = withFinal(s, last);
        modelOutputs = new float[order][];
        lowerOrderNums = 0;
        nextStep = 0;
    }

    /** Timesteps whose λ is below {@code lambda_min_clipped} are left out at the top (searchsorted on flipped λ). */
    private int lastTimestep() {
        int T = config.numTrainTimesteps(), clipped = 0;
        while (clipped < T && schedule.lambda(T - 1 - clipped) < config.lambdaMinClipped()) clipped++;
        return T - clipped;
    }

    @Override
    public float[] step(float[] modelOutput, int stepIndex, float[] sample, NormalNoise generator) {
        checkIndex(stepIndex);
        checkSameLength(modelOutput, sample);
        if (stepIndex != nextStep) throw new IllegalStateException("step " + stepIndex + " taken out of order (expected " + nextStep + ")");
        int n = timesteps.length;
        boolean lowerOrderFinal = stepIndex == n - 1
                && (config.eulerAtFinal() || (config.lowerOrderFinal() && n < 15) || config.finalSigmasType().equals("zero"));

        float[] x0 = AlphaSigma.of(sigmas[stepIndex]).dataPrediction(modelOutput, sample, config.predictionType());
        System.arraycopy(modelOutputs, 1, modelOutputs, 0, order - 1);
        modelOutputs[order - 1] = x0;

        float[] prev = order == 1 || lowerOrderNums < 1 || lowerOrderFinal
                ? firstOrderUpdate(x0, stepIndex, sample)
                : secondOrderUpdate(stepIndex, sample);
        if (lowerOrderNums < order) lowerOrderNums++;
        nextStep++;
        return prev;
    }

    /** DPM-Solver++(1), i.e. DDIM in λ: x_t = (σ_t/σ_s)·x − α_t(e^{−h} − 1)·x0. */
    private float[] firstOrderUpdate(float[] x0, int i, float[] sample) {
        AlphaSigma t = AlphaSigma.of(sigmas[i + 1]), s = AlphaSigma.of(sigmas[i]);
        float h = t.lambda() - s.lambda();
        float ratio = t.sigma() / s.sigma();
        float c = t.alpha() * ((float) Math.exp(-h) - 1f);
        float[] out = new float[sample.length];
        for (int k = 0; k < out.length; k++) out[k] = ratio * sample[k] - c * x0[k];
        return out;
    }

    /** Multistep DPM-Solver++(2M), midpoint form, from the last two data predictions. */
    private float[] secondOrderUpdate(int i, float[] sample) {
        AlphaSigma t = AlphaSigma.of(sigmas[i + 1]), s0 = AlphaSigma.of(sigmas[i]), s1 = AlphaSigma.of(sigmas[i - 1]);
        float[] m0 = modelOutputs[order - 1], m1 = modelOutputs[order - 2];
        float h = t.lambda() - s0.lambda(), h0 = s0.lambda() - s1.lambda();
        float r0 = h0 / h;
        float invR0 = 1f / r0;
        float ratio = t.sigma() / s0.sigma();
        float c = t.alpha() * ((float) Math.exp(-h) - 1f);
        float halfC = 0.5f * c;
        float[] out = new float[sample.length];
        for (int k = 0; k < out.length; k++) {
            float d1 = invR0 * (m0[k] - m1[k]);
            out[k] = ratio * sample[k] - c * m0[k] - halfC * d1;
        }
        return out;
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
