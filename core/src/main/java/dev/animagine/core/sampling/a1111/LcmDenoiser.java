package dev.animagine.core.sampling.a1111;

/**
 * A1111's {@code LCMCompVisDenoiser}: ε at LCM's integer timestep, x0 = x − σ·ε, and the
 * consistency-model output c_out·x0 + c_skip·x ({@link LcmSchedule#scaledOut}) for every row.
 */
public final class LcmDenoiser implements ConditionedModel {
    private final ConditionedModel unet;
    private final LcmSchedule schedule;

    public LcmDenoiser(ConditionedModel unet, LcmSchedule schedule) {
        this.unet = unet;
        this.schedule = schedule;
    }

    public LcmSchedule schedule() {
        return schedule;
    }

    @Override
    public float[][] forward(float[] x, float sigma, int rows) {
        float[][] eps = CompVisDenoiser.eps(unet, x, sigma, schedule.sigmaToT(sigma), rows);
        float[][] out = new float[eps.length][];
        for (int r = 0; r < eps.length; r++) out[r] = schedule.scaledOut(sigma, CompVisDenoiser.denoised(x, eps[r], sigma), x);
        return out;
    }
}
