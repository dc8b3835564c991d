package dev.animagine.core.sampling;

import java.util.Arrays;

/**
 * A k-diffusion sampler over a sigma list as a {@link DenoisingSampler}: the ε model is wrapped as
 * k-diffusion's {@link DiscreteEpsDDPMDenoiser}, and the latents live in σ-space (they start as
 * noise · σ_0, and img2img adds noise · σ to the clean latents).
 */
public final class KDiffusionSampler implements DenoisingSampler {
    /** The sampling functions available here. */
    public enum Method { EULER, EULER_ANCESTRAL, DPMPP_2M }

    private final Method method;
    private final float[] sigmas;
    private final float[] alphasCumprod;
    private final boolean quantize;
    private float eta = 1f, sNoise = 1f;
    private final KDiffusionSampling.NoiseSampler noise;
    private final DiscreteEpsDDPMDenoiser tables;

    /**
     * @param sigmas        the noise levels, followed by the final one (usually 0)
     * @param alphasCumprod the model's training ᾱ_t (for t(σ))
     * @param quantize      t(σ) as the nearest training timestep instead of log-σ interpolation
     * @param noise         noise of ancestral steps (unused by deterministic methods)
     */
    public KDiffusionSampler(Method method, float[] sigmas, float[] alphasCumprod, boolean quantize,
                             KDiffusionSampling.NoiseSampler noise) {
        if (sigmas.length < 2) throw new IllegalArgumentException("need at least one step (two sigmas)");
        this.method = method;
        this.sigmas = sigmas.clone();
        this.alphasCumprod = alphasCumprod.clone();
        this.quantize = quantize;
        this.noise = noise;
        this.tables = new DiscreteEpsDDPMDenoiser((x, t) -> x, this.alphasCumprod, quantize);
    }

    /** Ancestral noise amount and scale (k-diffusion's eta and s_noise; both 1 by default). */
    public KDiffusionSampler withAncestralNoise(float eta, float sNoise) {
        this.eta = eta;
        this.sNoise = sNoise;
        return this;
    }

    @Override
    public float[] timesteps() {
        float[] t = new float[sigmas.length - 1];
        for (int i = 0; i < t.length; i++) t[i] = tables.sigmaToT(sigmas[i]);
        return t;
    }

    @Override
    public float[] sigmas() {
        return sigmas.clone();
    }

    @Override
    public float[] startFromNoise(float[] noise) {
        float[] x = noise.clone();
        for (int i = 0; i < x.length; i++) x[i] *= sigmas[0];
        return x;
    }

    @Override
    public float[] addNoise(float[] original, float[] noise, int step) {
        float sigma = sigmas[step];
        float[] out = new float[original.length];
        for (int i = 0; i < out.length; i++) out[i] = original[i] + noise[i] * sigma;
        return out;
    }

    @Override
    public float[] sample(EpsModel model, float[] x, int fromStep, StepCallback callback) {
        if (fromStep < 0 || fromStep >= sigmas.length - 1)
            throw new IllegalArgumentException("start step " + fromStep + " outside 0.." + (sigmas.length - 2));
        float[] s = Arrays.copyOfRange(sigmas, fromStep, sigmas.length);
        int total = s.length - 1;
        DiscreteEpsDDPMDenoiser denoiser = new DiscreteEpsDDPMDenoiser(model, alphasCumprod, quantize);
        // k-diffusion calls back before each update with the step's input; step i is done when
        // step i + 1 starts (or the function returns)
        KDiffusionSampling.Callback before = (i, sigma, xi, denoised) -> {
            if (i > 0) callback.afterStep(i, total, s[i - 1], denoiser.sigmaToT(s[i - 1]), xi);
        };
        float[] out = switch (method) {
            case EULER -> KDiffusionSampling.sampleEuler(denoiser, x, s, before);
            case EULER_ANCESTRAL -> KDiffusionSampling.sampleEulerAncestral(denoiser, x, s, before, eta, sNoise, noise);
            case DPMPP_2M -> KDiffusionSampling.sampleDpmpp2m(denoiser, x, s, before);
        };
        callback.afterStep(total, total, s[total - 1], denoiser.sigmaToT(s[total - 1]), out);
        return out;
    }
}
