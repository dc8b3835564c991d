package dev.animagine.core.sampling.a1111;

/**
 * k-diffusion's {@code CompVisDenoiser} (an ε model as a denoiser) around every row of a CFG batch:
 * D(x; σ) = x − σ·ε(x/sqrt(σ² + 1), t(σ)) with the fractional timestep t(σ) of {@link DiscreteSchedule}.
 */
public final class CompVisDenoiser implements ConditionedModel {
    private final ConditionedModel unet;
    private final SigmaModel schedule;

    /** @param unet ε for the scaled input at a timestep */
    public CompVisDenoiser(ConditionedModel unet, SigmaModel schedule) {
        this.unet = unet;
        this.schedule = schedule;
    }

    public SigmaModel schedule() {
        return schedule;
    }

    @Override
    public float[][] forward(float[] x, float sigma, int rows) {
        float[][] eps = eps(unet, x, sigma, schedule.sigmaToT(sigma), rows);
        float[][] out = new float[eps.length][];
        for (int r = 0; r < eps.length; r++) out[r] = denoised(x, eps[r], sigma);
        return out;
    }

    /** ε of every row for the input scaled by c_in = 1/sqrt(σ² + 1), at model timestep {@code t}. */
    static float[][] eps(ConditionedModel unet, float[] x, float sigma, float t, int rows) {
        float cIn = 1f / (float) Math.sqrt(sigma * sigma + 1f);
        float[] xIn = new float[x.length];
        for (int i = 0; i < x.length; i++) xIn[i] = x[i] * cIn;
        return unet.forward(xIn, t, rows);
    }

    static float[] denoised(float[] x, float[] eps, float sigma) {
        if (eps.length != x.length) throw new IllegalStateException("model returned " + eps.length + " values for " + x.length);
        float cOut = -sigma;
        float[] d = new float[x.length];
        for (int i = 0; i < x.length; i++) d[i] = x[i] + eps[i] * cOut;
        return d;
    }
}
