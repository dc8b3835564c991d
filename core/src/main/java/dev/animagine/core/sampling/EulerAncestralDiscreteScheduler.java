package dev.animagine.core.sampling;

import dev.animagine.core.AnimagineException;

/**
 * diffusers' {@code EulerAncestralDiscreteScheduler} ("Euler a", Animagine's default): an Euler step
 * down to σ_down followed by fresh noise of size σ_up, where σ_up² = σ_next²(σ² − σ_next²)/σ² and
 * σ_down² = σ_next² − σ_up² (k-diffusion's {@code get_ancestral_step} with eta 1). The noise of each
 * step is one {@code torch.randn} of the latent shape from the run's generator.
 */
public final class EulerAncestralDiscreteScheduler extends AbstractScheduler {
    public EulerAncestralDiscreteScheduler(SchedulerConfig config) {
        super(config, SchedulerType.EULER_ANCESTRAL_DISCRETE, true);
        if (config.predictionType().equals("sample"))
            throw new AnimagineException("EulerAncestralDiscreteScheduler: prediction_type 'sample' is not implemented (as in diffusers)");
    }

    @Override
    public void setTimesteps(int n) {
        TimestepSpacing.checkSteps(n, config);
        double[] t = TimestepSpacing.single(config, n, false);
        float[] train = schedule.sigmasView();
        double[] s = new double[t.length];
        for (int i = 0; i < t.length; i++) s[i] = NumpyFloat64.interp((float) t[i], train);
        timesteps = toFloats(t);
        sigmas = withFinal(s, 0f);
    }

    @Override
    public float initNoiseSigma() {
        return EulerMath.initNoiseSigma(sigmas(), config);
    }

    @Override
    public float[] scaleModelInput(float[] sample, int stepIndex) {
        checkIndex(stepIndex);
        return EulerMath.scaleModelInput(sample, sigmas[stepIndex]);
    }

    @Override
    public float[] step(float[] modelOutput, int stepIndex, float[] sample, NormalNoise generator) {
        checkIndex(stepIndex);
        checkSameLength(modelOutput, sample);
        if (generator == null) throw new IllegalArgumentException("Euler a needs a generator for its step noise");
        float sigma = sigmas[stepIndex], sigmaTo = sigmas[stepIndex + 1];
        float[] x0 = EulerMath.predictOriginal(modelOutput, sample, sigma, config);
        float from2 = sigma * sigma, to2 = sigmaTo * sigmaTo;
        float sigmaUp = (float) Math.sqrt(to2 * (from2 - to2) / from2);
        float sigmaDown = (float) Math.sqrt(to2 - sigmaUp * sigmaUp);
        float dt = sigmaDown - sigma;
        float[] out = new float[sample.length];
        for (int i = 0; i < out.length; i++) {
            float derivative = (sample[i] - x0[i]) / sigma;
            out[i] = sample[i] + derivative * dt;
        }
        float[] noise = new float[sample.length];
        generator.fillNormal(noise);
        for (int i = 0; i < out.length; i++) out[i] = out[i] + noise[i] * sigmaUp;
        return out;
    }

    /** x + σ·noise (float32, diffusers' order). */
    @Override
    public float[] addNoise(float[] original, float[] noise, int stepIndex) {
        checkIndex(stepIndex);
        return EulerMath.addNoise(original, noise, sigmas[stepIndex]);
    }
}
