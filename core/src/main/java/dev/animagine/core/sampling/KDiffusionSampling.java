package dev.animagine.core.sampling;

/**
 * The k-diffusion (v0.1.1) samplers A1111 and ComfyUI run, on σ-space latents with a
 * {@link KDenoiser}: {@code get_sigmas_karras}, {@code sample_euler} ("Euler"),
 * {@code sample_euler_ancestral} ("Euler a") and {@code sample_dpmpp_2m} ("DPM++ 2M"), float32 in k-diffusion's operation order. Unlike diffusers'
 * schedulers they use fractional timesteps and the latents start as noise · σ_0.
 */
public final class KDiffusionSampling {
    private KDiffusionSampling() {}

    /** Called once per step before the update, with the step's input and denoised estimate (k-diffusion's callback). */
    @FunctionalInterface
    public interface Callback {
        void onStep(int i, float sigma, float[] x, float[] denoised);
    }

    /** Noise for an ancestral step from σ to σ_next (k-diffusion's {@code noise_sampler}). */
    @FunctionalInterface
    public interface NoiseSampler {
        float[] sample(float sigma, float sigmaNext);

        /** {@code torch.randn(shape, generator=g)} for each step, as A1111 (CPU RNG) and ComfyUI draw it. */
        static NoiseSampler of(NormalNoise g, int numel) {
            return (s, n) -> {
                float[] z = new float[numel];
                g.fillNormal(z);
                return z;
            };
        }
    }

    /**
     * Karras et al. (2022) noise levels (σ_max^(1/ρ) + ramp·(σ_min^(1/ρ) − σ_max^(1/ρ)))^ρ over a float32
     * {@code torch.linspace(0, 1, n)} ramp, followed by 0: n + 1 values.
     */
    public static float[] getSigmasKarras(int n, double sigmaMin, double sigmaMax, double rho) {
        if (n < 1) throw new IllegalArgumentException("need at least one step, not " + n);
        float[] ramp = TorchFloat32.linspace(0, 1, n);
        double minInvRho = Math.pow(sigmaMin, 1 / rho), maxInvRho = Math.pow(sigmaMax, 1 / rho);
        float diff = (float) (minInvRho - maxInvRho), max = (float) maxInvRho;
        float[] out = new float[n + 1];
        for (int i = 0; i < n; i++) out[i] = (float) Math.pow(ramp[i] * diff + max, rho);
        return out;
    }

    /** σ_down and σ_up of an ancestral step (k-diffusion's {@code get_ancestral_step}): σ_down² + σ_up² = σ_to². */
    public static float[] ancestralStep(float sigmaFrom, float sigmaTo, float eta) {
        if (eta == 0) return new float[] {sigmaTo, 0f};
        float to2 = sigmaTo * sigmaTo, from2 = sigmaFrom * sigmaFrom;
        float up = Math.min(sigmaTo, eta * (float) Math.sqrt(to2 * (from2 - to2) / from2));
        float down = (float) Math.sqrt(to2 - up * up);
        return new float[] {down, up};
    }

    /** {@code sample_euler} without churn (A1111's "Euler"): x' = x + (x − D(x; σ))/σ · (σ_next − σ). */
    public static float[] sampleEuler(KDenoiser model, float[] x, float[] sigmas, Callback callback) {
        x = x.clone();
        for (int i = 0; i < sigmas.length - 1; i++) {
            float sigma = sigmas[i];
            float[] denoised = model.denoise(x, sigma);
            if (callback != null) callback.onStep(i, sigma, x, denoised);
            float dt = sigmas[i + 1] - sigma;
            float[] next = new float[x.length];
            for (int k = 0; k < x.length; k++) {
                float d = (x[k] - denoised[k]) / sigma;
                next[k] = x[k] + d * dt;
            }
            x = next;
        }
        return x;
    }

    /** {@code sample_euler_ancestral}: Euler steps to σ_down plus s_noise·σ_up of fresh noise (none into σ = 0). */
    public static float[] sampleEulerAncestral(KDenoiser model, float[] x, float[] sigmas, Callback callback,
                                               float eta, float sNoise, NoiseSampler noise) {
        x = x.clone();
        for (int i = 0; i < sigmas.length - 1; i++) {
            float sigma = sigmas[i];
            float[] denoised = model.denoise(x, sigma);
            float[] du = ancestralStep(sigma, sigmas[i + 1], eta);
            if (callback != null) callback.onStep(i, sigma, x, denoised);
            float dt = du[0] - sigma;
            float[] next = new float[x.length];
            for (int k = 0; k < x.length; k++) {
                float d = (x[k] - denoised[k]) / sigma;
                next[k] = x[k] + d * dt;
            }
            if (sigmas[i + 1] > 0) {
                float[] z = noise.sample(sigma, sigmas[i + 1]);
                for (int k = 0; k < x.length; k++) next[k] = next[k] + z[k] * sNoise * du[1];
            }
            x = next;
        }
        return x;
    }

    /** {@code sample_dpmpp_2m}: multistep DPM-Solver++(2M) in t = −log σ, first order at the start and into σ = 0. */
    public static float[] sampleDpmpp2m(KDenoiser model, float[] x, float[] sigmas, Callback callback) {
        x = x.clone();
        float[] old = null;
        for (int i = 0; i < sigmas.length - 1; i++) {
            float[] denoised = model.denoise(x, sigmas[i]);
            if (callback != null) callback.onStep(i, sigmas[i], x, denoised);
            float t = tOf(sigmas[i]), tNext = tOf(sigmas[i + 1]);
            float h = tNext - t;
            float ratio = sigmaOf(tNext) / sigmaOf(t);
            float c = (float) Math.expm1(-h);
            float[] next = new float[x.length];
            if (old == null || sigmas[i + 1] == 0) {
                for (int k = 0; k < x.length; k++) next[k] = ratio * x[k] - c * denoised[k];
            } else {
                float hLast = t - tOf(sigmas[i - 1]);
                float r = hLast / h;
                float inv2r = 1f / (2f * r), a = 1f + inv2r;
                for (int k = 0; k < x.length; k++) {
                    float dd = a * denoised[k] - inv2r * old[k];
                    next[k] = ratio * x[k] - c * dd;
                }
            }
            old = denoised;
            x = next;
        }
        return x;
    }

    private static float tOf(float sigma) {
        return -(float) Math.log(sigma);
    }

    private static float sigmaOf(float t) {
        return (float) Math.exp(-t);
    }
}
