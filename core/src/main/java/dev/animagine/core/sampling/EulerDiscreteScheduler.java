package dev.animagine.core.sampling;

/**
 * diffusers' {@code EulerDiscreteScheduler}: Euler's method on the probability-flow ODE of Karras
 * et al. (2022, algorithm 2 with no churn) in the σ parametrisation; x_σ = x0 + σ·ε with the model
 * fed x / sqrt(σ² + 1). SDXL's default scheduler. Supports Karras sigmas, {@code log_linear}
 * interpolation and the {@code continuous} timestep type.
 */
public final class EulerDiscreteScheduler extends AbstractScheduler {
    public EulerDiscreteScheduler(SchedulerConfig config) {
        super(config, SchedulerType.EULER_DISCRETE, true);
    }

    @Override
    public void setTimesteps(int n) {
        TimestepSpacing.checkSteps(n, config);
        double[] t = TimestepSpacing.single(config, n, false);
        float[] train = schedule.sigmasView();
        double[] s;
        if (config.interpolationType().equals("linear")) {
            s = new double[t.length];
            for (int i = 0; i < t.length; i++) s[i] = NumpyFloat64.interp((float) t[i], train);
        } else {
            // log_linear: a float32 torch.linspace over log σ from the largest to the smallest, n + 1 values
            float[] l = TorchFloat32.linspace((float) Math.log(train[train.length - 1]), (float) Math.log(train[0]), n + 1);
            s = new double[l.length];
            for (int i = 0; i < l.length; i++) s[i] = (float) Math.exp(l[i]);
        }
        if (config.useKarrasSigmas()) {
            double min = config.sigmaMin() != null ? config.sigmaMin() : s[s.length - 1];
            double max = config.sigmaMax() != null ? config.sigmaMax() : s[0];
            s = NumpyFloat64.karrasSigmas(min, max, n);
            t = new double[s.length];
            for (int i = 0; i < s.length; i++) t[i] = schedule.sigmaToT(s[i]);
        }
        float[] sig = toFloats(s);
        if (config.timestepType().equals("continuous") && config.predictionType().equals("v_prediction")) {
            timesteps = new float[sig.length];
            for (int i = 0; i < sig.length; i++) timesteps[i] = 0.25f * (float) Math.log(sig[i]);
        } else {
            timesteps = toFloats(t);
        }
        sigmas = withFinal(s, 0f);
    }

    /** sqrt(σ_max² + 1) for {@code leading} spacing, else σ_max (diffusers' choice). */
    @Override
    public float initNoiseSigma() {
        return EulerMath.initNoiseSigma(sigmas(), config);
    }

    @Override
    public float[] scaleModelInput(float[] sample, int stepIndex) {
        checkIndex(stepIndex);
        return EulerMath.scaleModelInput(sample, sigmas[stepIndex]);
    }

    /**
     * x' = x + (x − x0)/σ · (σ_next − σ). With a generator, draws (and discards) the churn noise
     * exactly as diffusers does even at s_churn = 0, so the generator stays in step with diffusers'.
     */
    @Override
    public float[] step(float[] modelOutput, int stepIndex, float[] sample, NormalNoise generator) {
        checkIndex(stepIndex);
        checkSameLength(modelOutput, sample);
        if (generator != null) generator.fillNormal(new float[modelOutput.length]);
        float sigma = sigmas[stepIndex];
        float dt = sigmas[stepIndex + 1] - sigma;
        float[] x0 = EulerMath.predictOriginal(modelOutput, sample, sigma, config);
        float[] out = new float[sample.length];
        for (int i = 0; i < out.length; i++) {
            float derivative = (sample[i] - x0[i]) / sigma;
            out[i] = sample[i] + derivative * dt;
        }
        return out;
    }

    /** x + σ·noise (float32, diffusers' order). */
    @Override
    public float[] addNoise(float[] original, float[] noise, int stepIndex) {
        checkIndex(stepIndex);
        return EulerMath.addNoise(original, noise, sigmas[stepIndex]);
    }
}
