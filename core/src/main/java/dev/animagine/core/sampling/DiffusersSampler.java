package dev.animagine.core.sampling;

/**
 * A diffusers scheduler as a {@link DenoisingSampler}: the loop of diffusers' SDXL pipelines
 * (scale the input, predict the noise, {@code scheduler.step}), operation for operation, so results
 * stay bit-identical to running the scheduler by hand.
 */
public final class DiffusersSampler implements DenoisingSampler {
    private final Scheduler scheduler;
    private final NormalNoise generator;
    private final float[] timesteps;

    /**
     * @param scheduler a fresh scheduler after {@code setTimesteps}
     * @param generator the run's generator, or one per image of a batch (ancestral steps draw from it)
     */
    public DiffusersSampler(Scheduler scheduler, NormalNoise generator) {
        this.scheduler = scheduler;
        this.generator = generator;
        this.timesteps = scheduler.timesteps();
    }

    public Scheduler scheduler() {
        return scheduler;
    }

    @Override
    public float[] timesteps() {
        return timesteps.clone();
    }

    @Override
    public float[] sigmas() {
        float[] s = scheduler.sigmas();
        if (s.length > 0) return s;
        // DDIM works with ᾱ_t: report the equivalent σ = sqrt((1 − ᾱ) / ᾱ), then 0
        float[] acp = alphasCumprod();
        float[] out = new float[timesteps.length + 1];
        for (int i = 0; i < timesteps.length; i++) {
            float a = acp[(int) timesteps[i]];
            out[i] = (float) Math.sqrt((1 - a) / a);
        }
        return out;
    }

    @Override
    public float[] startFromNoise(float[] noise) {
        float[] x = noise.clone();
        float sigma0 = scheduler.initNoiseSigma();
        for (int i = 0; i < x.length; i++) x[i] *= sigma0;
        return x;
    }

    @Override
    public float[] addNoise(float[] original, float[] noise, int step) {
        if (original.length != noise.length) throw new IllegalArgumentException(original.length + " latents, " + noise.length + " noise values");
        float[] out = new float[original.length];
        switch (scheduler.config().type()) {
            case EULER_DISCRETE, EULER_ANCESTRAL_DISCRETE -> {
                float sigma = scheduler.sigmas()[step];
                for (int i = 0; i < out.length; i++) out[i] = original[i] + noise[i] * sigma;
            }
            case DPM_SOLVER_MULTISTEP, UNIPC_MULTISTEP -> {
                float sigma = scheduler.sigmas()[step];
                float alphaT = 1f / (float) Math.sqrt(sigma * sigma + 1f);
                float sigmaT = sigma * alphaT;
                for (int i = 0; i < out.length; i++) out[i] = alphaT * original[i] + sigmaT * noise[i];
            }
            case DDIM -> {
                float a = alphasCumprod()[(int) timesteps[step]];
                float sqrtA = (float) Math.sqrt(a), sqrtOneMinus = (float) Math.sqrt(1f - a);
                for (int i = 0; i < out.length; i++) out[i] = sqrtA * original[i] + sqrtOneMinus * noise[i];
            }
        }
        return out;
    }

    private float[] alphasCumprod() {
        return ((AbstractScheduler) scheduler).noiseSchedule().alphasCumprod();
    }

    @Override
    public float[] sample(EpsModel model, float[] x, int fromStep, StepCallback callback) {
        if (fromStep < 0 || fromStep >= timesteps.length)
            throw new IllegalArgumentException("start step " + fromStep + " outside 0.." + (timesteps.length - 1));
        float[] sigmas = sigmas();
        int total = timesteps.length - fromStep;
        for (int i = fromStep; i < timesteps.length; i++) {
            float[] eps = model.eps(scheduler.scaleModelInput(x, i), timesteps[i]);
            x = scheduler.step(eps, i, x, generator);
            callback.afterStep(i - fromStep + 1, total, sigmas[i], timesteps[i], x);
        }
        return x;
    }
}
