package dev.animagine.core.sampling;

/**
 * diffusers' {@code DDIMScheduler} (Song et al. 2021), deterministic (η = 0, the pipelines' default):
 * x_prev = sqrt(ᾱ_prev)·x0 + sqrt(1 − ᾱ_prev)·ε. The previous timestep is always
 * t − T / n (integer division), whatever the spacing, as in diffusers.
 */
public final class DDIMScheduler extends AbstractScheduler {
    private final float finalAlphaCumprod;
    private int numInferenceSteps;

    public DDIMScheduler(SchedulerConfig config) {
        super(config, SchedulerType.DDIM, false);
        this.finalAlphaCumprod = config.setAlphaToOne() ? 1f : schedule.alphaCumprod(0);
    }

    @Override
    public void setTimesteps(int n) {
        TimestepSpacing.checkSteps(n, config);
        timesteps = toFloats(TimestepSpacing.single(config, n, true));
        numInferenceSteps = n;
    }

    /** DDIM has no sigmas in diffusers: empty. */
    @Override
    public float[] sigmas() {
        requireTimesteps();
        return new float[0];
    }

    @Override
    public float[] step(float[] modelOutput, int stepIndex, float[] sample, NormalNoise generator) {
        checkIndex(stepIndex);
        checkSameLength(modelOutput, sample);
        int t = (int) timesteps[stepIndex];
        int prevT = t - config.numTrainTimesteps() / numInferenceSteps;
        float alphaProd = schedule.alphaCumprod(t);
        float alphaProdPrev = prevT >= 0 ? schedule.alphaCumprod(prevT) : finalAlphaCumprod;
        float betaProd = 1f - alphaProd;
        float sqrtAlpha = (float) Math.sqrt(alphaProd), sqrtBeta = (float) Math.sqrt(betaProd);

        float[] x0 = new float[sample.length], eps = new float[sample.length];
        switch (config.predictionType()) {
            case "epsilon" -> {
                for (int i = 0; i < x0.length; i++) {
                    x0[i] = (sample[i] - sqrtBeta * modelOutput[i]) / sqrtAlpha;
                    eps[i] = modelOutput[i];
                }
            }
            case "v_prediction" -> {
                for (int i = 0; i < x0.length; i++) {
                    x0[i] = sqrtAlpha * sample[i] - sqrtBeta * modelOutput[i];
                    eps[i] = sqrtAlpha * modelOutput[i] + sqrtBeta * sample[i];
                }
            }
            default -> { // "sample"
                for (int i = 0; i < x0.length; i++) {
                    x0[i] = modelOutput[i];
                    eps[i] = (sample[i] - sqrtAlpha * x0[i]) / sqrtBeta;
                }
            }
        }
        if (config.clipSample()) {
            float r = (float) config.clipSampleRange();
            for (int i = 0; i < x0.length; i++) x0[i] = Math.max(-r, Math.min(r, x0[i]));
        }
        // η = 0: std_dev_t = 0, so the direction coefficient is sqrt(1 - ᾱ_prev - 0)
        float direction = (float) Math.sqrt((1f - alphaProdPrev) - 0f);
        float sqrtAlphaPrev = (float) Math.sqrt(alphaProdPrev);
        float[] out = new float[sample.length];
        for (int i = 0; i < out.length; i++) out[i] = sqrtAlphaPrev * x0[i] + direction * eps[i];
        return out;
    }

    /** DDPM's forward process at timestep t of the step: sqrt(ᾱ_t)·x + sqrt(1 − ᾱ_t)·noise (float32, diffusers' order). */
    @Override
    public float[] addNoise(float[] original, float[] noise, int stepIndex) {
        checkIndex(stepIndex);
        checkSameLength(noise, original);
        float acp = schedule.alphaCumprod((int) timesteps[stepIndex]);
        float a = (float) Math.sqrt(acp), b = (float) Math.sqrt(1f - acp);
        float[] out = new float[original.length];
        for (int i = 0; i < out.length; i++) out[i] = a * original[i] + b * noise[i];
        return out;
    }
}
