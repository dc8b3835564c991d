package dev.animagine.core.sampling;

/** What every scheduler keeps: its config, the training schedule, and the current run's steps. */
abstract class AbstractScheduler implements Scheduler {
    protected final SchedulerConfig config;
    protected final NoiseSchedule schedule;
    protected float[] timesteps;
    protected float[] sigmas = new float[0];

    AbstractScheduler(SchedulerConfig config, SchedulerType expected, boolean zeroTerminalSnrOverride) {
        if (config.type() != expected)
            throw new IllegalArgumentException("a " + config.type().className() + " config given to " + expected.className());
        this.config = config;
        this.schedule = new NoiseSchedule(config, zeroTerminalSnrOverride);
    }

    @Override
    public SchedulerConfig config() {
        return config;
    }

    /** The training schedule (β, ᾱ, σ) this scheduler was built on. */
    public NoiseSchedule noiseSchedule() {
        return schedule;
    }

    @Override
    public float[] timesteps() {
        requireTimesteps();
        return timesteps.clone();
    }

    @Override
    public float[] sigmas() {
        requireTimesteps();
        return sigmas.clone();
    }

    @Override
    public float initNoiseSigma() {
        return 1f;
    }

    @Override
    public float[] scaleModelInput(float[] sample, int stepIndex) {
        checkIndex(stepIndex);
        return sample.clone();
    }

    protected void requireTimesteps() {
        if (timesteps == null) throw new IllegalStateException("setTimesteps has not been called");
    }

    protected void checkIndex(int stepIndex) {
        requireTimesteps();
        if (stepIndex < 0 || stepIndex >= timesteps.length)
            throw new IllegalArgumentException("step " + stepIndex + " outside 0.." + (timesteps.length - 1));
    }

    protected static void checkSameLength(float[] modelOutput, float[] sample) {
        if (modelOutput.length != sample.length)
            throw new IllegalArgumentException("model output has " + modelOutput.length + " values, sample " + sample.length);
    }

    /** Sigmas of a float64 numpy array cast to float32, with the final value appended. */
    protected static float[] withFinal(double[] s, float last) {
        float[] out = new float[s.length + 1];
        for (int i = 0; i < s.length; i++) out[i] = (float) s[i];
        out[s.length] = last;
        return out;
    }

    protected static float[] toFloats(double[] d) {
        float[] out = new float[d.length];
        for (int i = 0; i < d.length; i++) out[i] = (float) d[i];
        return out;
    }
}
