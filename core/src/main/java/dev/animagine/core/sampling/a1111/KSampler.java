package dev.animagine.core.sampling.a1111;

import dev.animagine.core.InvalidArgumentException;
import dev.animagine.core.sampling.KDenoiser;
import dev.animagine.core.sampling.KDiffusionSampling;

import java.util.ArrayList;
import java.util.List;

/**
 * The k-diffusion samplers (crowsonkb/k-diffusion ab527a9, as A1111 v1.10.1 pins it) plus A1111's
 * Restart and LCM, on σ-space latents: x starts as noise · σ_0 and the denoiser D(x; σ) returns the
 * clean estimate. Arithmetic is float32 in k-diffusion's order (0-d tensors for the per-step scalars).
 * Every {@code torch.randn_like(x)} inside k-diffusion is a draw from {@code noise} (A1111 routes it
 * to the image RNG), so Euler, Heun and DPM2 draw once per step even when churn is off.
 */
public final class KSampler {
    private KSampler() {}

    /** Signals a stop requested by the callback, carrying what the sampler returns. */
    static final class Stop extends RuntimeException {
        final float[] latent;

        Stop(float[] latent) {
            super(null, null, false, false);
            this.latent = latent;
        }
    }

    /**
     * Runs {@code sampler} over {@code sigmas}.
     *
     * @param x       the starting latents (initial noise · σ_0), not modified
     * @param noise   fresh noise per call: {@link NoiseSampler#of(ImageRng)}, or a {@link BrownianTreeNoiseSampler}
     *                for samplers with {@link A1111Sampler#brownianNoise()}; null only for samplers that add none
     *                (LMS, DPM++ 2M, and Euler/Heun/DPM2 without churn), else an {@code InvalidArgumentException}
     * @return the final latents (or the last denoised estimate if the callback stopped the run)
     */
    public static float[] sample(A1111Sampler sampler, KDenoiser model, float[] x, float[] sigmas, SamplerOptions options,
                                 NoiseSampler noise, StepCallback callback) {
        if (sigmas.length < 2) throw new InvalidArgumentException("a sampler needs at least 2 sigmas, not " + sigmas.length);
        StepCallback cb = callback == null ? StepCallback.NONE : callback;
        if (noise == null) noise = new MissingNoise(sampler);
        float eta = (float) options.eta(), sNoise = (float) options.sNoise();
        try {
            return switch (sampler) {
                case EULER -> euler(model, x, sigmas, options, noise, cb, false, false);
                case HEUN -> euler(model, x, sigmas, options, noise, cb, true, false);
                case DPM2 -> euler(model, x, sigmas, options, noise, cb, false, true);
                case EULER_A -> eulerAncestral(model, x, sigmas, eta, sNoise, noise, cb);
                case DPM2_A -> dpm2Ancestral(model, x, sigmas, eta, sNoise, noise, cb);
                case LMS -> lms(model, x, sigmas, cb);
                case DPMPP_2S_A -> dpmpp2sAncestral(model, x, sigmas, eta, sNoise, noise, cb);
                case DPMPP_2M -> dpmpp2m(model, x, sigmas, cb);
                case DPMPP_SDE -> dpmppSde(model, x, sigmas, eta, sNoise, noise, cb);
                case DPMPP_2M_SDE -> dpmpp2mSde(model, x, sigmas, eta, sNoise, noise, cb, false);
                case DPMPP_2M_SDE_HEUN -> dpmpp2mSde(model, x, sigmas, eta, sNoise, noise, cb, true);
                case DPMPP_3M_SDE -> dpmpp3mSde(model, x, sigmas, eta, sNoise, noise, cb);
                case RESTART -> RestartSampler.sample(model, x, sigmas, sNoise, noise, cb);
                case LCM -> lcm(model, x, sigmas, noise, cb);
                case DDIM, UNIPC -> throw new InvalidArgumentException("sampler " + sampler.label() + " runs on timesteps: use TimestepSampler");
            };
        } catch (Stop s) {
            return s.latent;
        }
    }

    /** Stands in for an absent noise source: Euler, Heun and DPM2 skip their unused draw, every real draw fails. */
    private record MissingNoise(A1111Sampler sampler) implements NoiseSampler {
        @Override
        public float[] sample(float sigma, float sigmaNext) {
            throw new InvalidArgumentException("sampler " + sampler.label() + " adds noise: give it a noise sampler");
        }
    }

    static void emit(StepCallback cb, int i, int total, float sigma, float sigmaHat, float[] x, float[] denoised) {
        if (!cb.onStep(i, total, sigma, sigmaHat, x, denoised)) throw new Stop(denoised);
    }

    /** {@code sample_euler} (Karras et al. 2022, algorithm 2 with Euler steps), {@code sample_heun} and {@code sample_dpm_2}. */
    private static float[] euler(KDenoiser model, float[] x, float[] sigmas, SamplerOptions o, NoiseSampler noise,
                                 StepCallback cb, boolean heun, boolean dpm2) {
        int steps = sigmas.length - 1;
        float sNoise = (float) o.sNoise();
        for (int i = 0; i < steps; i++) {
            float sigma = sigmas[i], next = sigmas[i + 1];
            double gamma = o.sTmin() <= sigma && sigma <= o.sTmaxOrInf() ? Math.min(o.sChurn() / steps, Math.sqrt(2) - 1) : 0;
            // A1111 draws this noise even when churn is off (it then goes unused); without a noise source, skip it
            float[] eps = noise instanceof MissingNoise && gamma == 0 ? null : noise.sample(sigma, next);
            float sigmaHat = sigma * (float) (gamma + 1);
            if (gamma > 0) {
                float c = (float) Math.sqrt(sigmaHat * sigmaHat - sigma * sigma);
                x = axpy(x, eps, sNoise, c);
            }
            float[] denoised = model.denoise(x, sigmaHat);
            float[] d = toD(x, sigmaHat, denoised);
            emit(cb, i, steps, sigma, sigmaHat, x, denoised);
            float dt = next - sigmaHat;
            if (next == 0 || !(heun || dpm2)) {
                x = step(x, d, dt);
            } else if (heun) {
                float[] x2 = step(x, d, dt);
                float[] d2 = toD(x2, next, model.denoise(x2, next));
                float[] dPrime = new float[x.length];
                for (int k = 0; k < x.length; k++) dPrime[k] = (d[k] + d2[k]) / 2f;
                x = step(x, dPrime, dt);
            } else {
                float mid = logMidpoint(sigmaHat, next);
                float[] x2 = step(x, d, mid - sigmaHat);
                float[] d2 = toD(x2, mid, model.denoise(x2, mid));
                x = step(x, d2, dt);
            }
        }
        return x;
    }

    /** {@code sample_euler_ancestral}: Euler to σ_down, then s_noise · σ_up of fresh noise (none into σ = 0). */
    private static float[] eulerAncestral(KDenoiser model, float[] x, float[] sigmas, float eta, float sNoise,
                                          NoiseSampler noise, StepCallback cb) {
        int steps = sigmas.length - 1;
        for (int i = 0; i < steps; i++) {
            float sigma = sigmas[i], next = sigmas[i + 1];
            float[] denoised = model.denoise(x, sigma);
            float[] du = KDiffusionSampling.ancestralStep(sigma, next, eta);
            emit(cb, i, steps, sigma, sigma, x, denoised);
            x = step(x, toD(x, sigma, denoised), du[0] - sigma);
            if (next > 0) x = axpy(x, noise.sample(sigma, next), sNoise, du[1]);
        }
        return x;
    }

    /** {@code sample_dpm_2_ancestral}: DPM-Solver-2 to σ_down, then ancestral noise. */
    private static float[] dpm2Ancestral(KDenoiser model, float[] x, float[] sigmas, float eta, float sNoise,
                                         NoiseSampler noise, StepCallback cb) {
        int steps = sigmas.length - 1;
        for (int i = 0; i < steps; i++) {
            float sigma = sigmas[i], next = sigmas[i + 1];
            float[] denoised = model.denoise(x, sigma);
            float[] du = KDiffusionSampling.ancestralStep(sigma, next, eta);
            emit(cb, i, steps, sigma, sigma, x, denoised);
            float[] d = toD(x, sigma, denoised);
            float down = du[0];
            if (down == 0) {
                x = step(x, d, down - sigma);
            } else {
                float mid = logMidpoint(sigma, down);
                float[] x2 = step(x, d, mid - sigma);
                float[] d2 = toD(x2, mid, model.denoise(x2, mid));
                x = step(x, d2, down - sigma);
                x = axpy(x, noise.sample(sigma, next), sNoise, du[1]);
            }
        }
        return x;
    }

    /** {@code sample_lms}: linear multistep of order 4 on the derivatives, coefficients integrated exactly. */
    private static float[] lms(KDenoiser model, float[] x, float[] sigmas, StepCallback cb) {
        int steps = sigmas.length - 1, order = 4;
        List<float[]> ds = new ArrayList<>();
        for (int i = 0; i < steps; i++) {
            float sigma = sigmas[i];
            float[] denoised = model.denoise(x, sigma);
            ds.add(toD(x, sigma, denoised));
            if (ds.size() > order) ds.removeFirst();
            emit(cb, i, steps, sigma, sigma, x, denoised);
            int cur = Math.min(i + 1, order);
            float[] sum = new float[x.length];
            for (int j = 0; j < cur; j++) {
                float c = (float) LinearMultistep.coefficient(cur, sigmas, i, j);
                float[] d = ds.get(ds.size() - 1 - j);
                for (int k = 0; k < x.length; k++) sum[k] = sum[k] + c * d[k];
            }
            float[] next = new float[x.length];
            for (int k = 0; k < x.length; k++) next[k] = x[k] + sum[k];
            x = next;
        }
        return x;
    }

    /** {@code sample_dpmpp_2s_ancestral}: DPM-Solver++(2S) to σ_down in t = −ln σ, then ancestral noise. */
    private static float[] dpmpp2sAncestral(KDenoiser model, float[] x, float[] sigmas, float eta, float sNoise,
                                            NoiseSampler noise, StepCallback cb) {
        int steps = sigmas.length - 1;
        for (int i = 0; i < steps; i++) {
            float sigma = sigmas[i], next = sigmas[i + 1];
            float[] denoised = model.denoise(x, sigma);
            float[] du = KDiffusionSampling.ancestralStep(sigma, next, eta);
            emit(cb, i, steps, sigma, sigma, x, denoised);
            if (du[0] == 0) {
                x = step(x, toD(x, sigma, denoised), du[0] - sigma);
            } else {
                float t = tOf(sigma), tNext = tOf(du[0]);
                float h = tNext - t;
                float s = t + 0.5f * h;
                float[] x2 = lin(sigmaOf(s) / sigmaOf(t), x, expm1(-h * 0.5f), denoised);
                float[] den2 = model.denoise(x2, sigmaOf(s));
                x = lin(sigmaOf(tNext) / sigmaOf(t), x, expm1(-h), den2);
            }
            if (next > 0) x = axpy(x, noise.sample(sigma, next), sNoise, du[1]);
        }
        return x;
    }

    /** {@code sample_dpmpp_2m}: multistep DPM-Solver++(2M), first order on the first and the last step. */
    private static float[] dpmpp2m(KDenoiser model, float[] x, float[] sigmas, StepCallback cb) {
        int steps = sigmas.length - 1;
        float[] old = null;
        for (int i = 0; i < steps; i++) {
            float[] denoised = model.denoise(x, sigmas[i]);
            emit(cb, i, steps, sigmas[i], sigmas[i], x, denoised);
            float t = tOf(sigmas[i]), tNext = tOf(sigmas[i + 1]);
            float h = tNext - t;
            float ratio = sigmaOf(tNext) / sigmaOf(t), c = expm1(-h);
            if (old == null || sigmas[i + 1] == 0) {
                x = lin(ratio, x, c, denoised);
            } else {
                float r = (t - tOf(sigmas[i - 1])) / h;
                float inv2r = 1f / (2f * r), a = 1f + inv2r;
                float[] dd = new float[x.length];
                for (int k = 0; k < x.length; k++) dd[k] = a * denoised[k] - inv2r * old[k];
                x = lin(ratio, x, c, dd);
            }
            old = denoised;
        }
        return x;
    }

    /** {@code sample_dpmpp_sde} (r = 1/2): DPM-Solver++ with ancestral noise at the midpoint and the end of each step. */
    private static float[] dpmppSde(KDenoiser model, float[] x, float[] sigmas, float eta, float sNoise,
                                    NoiseSampler noise, StepCallback cb) {
        int steps = sigmas.length - 1;
        for (int i = 0; i < steps; i++) {
            float sigma = sigmas[i], next = sigmas[i + 1];
            float[] denoised = model.denoise(x, sigma);
            emit(cb, i, steps, sigma, sigma, x, denoised);
            if (next == 0) {
                x = step(x, toD(x, sigma, denoised), next - sigma);
                continue;
            }
            float t = tOf(sigma), tNext = tOf(next);
            float h = tNext - t;
            float s = t + h * 0.5f;
            float fac = 1f / (2f * 0.5f);
            float sigT = sigmaOf(t), sigS = sigmaOf(s), sigN = sigmaOf(tNext);
            float[] du = KDiffusionSampling.ancestralStep(sigT, sigS, eta);
            float s2 = tOf(du[0]);
            float[] x2 = lin(sigmaOf(s2) / sigT, x, expm1(t - s2), denoised);
            x2 = axpy(x2, noise.sample(sigT, sigS), sNoise, du[1]);
            float[] den2 = model.denoise(x2, sigS);
            du = KDiffusionSampling.ancestralStep(sigT, sigN, eta);
            float tn2 = tOf(du[0]);
            float[] dd = new float[x.length];
            for (int k = 0; k < x.length; k++) dd[k] = (1f - fac) * denoised[k] + fac * den2[k];
            x = lin(sigmaOf(tn2) / sigT, x, expm1(t - tn2), dd);
            x = axpy(x, noise.sample(sigT, sigN), sNoise, du[1]);
        }
        return x;
    }

    /** {@code sample_dpmpp_2m_sde} with the midpoint or Heun correction; the last step returns the denoised estimate. */
    private static float[] dpmpp2mSde(KDenoiser model, float[] x, float[] sigmas, float eta, float sNoise,
                                      NoiseSampler noise, StepCallback cb, boolean heun) {
        int steps = sigmas.length - 1;
        float[] old = null;
        float hLast = 0, h = 0;
        for (int i = 0; i < steps; i++) {
            float sigma = sigmas[i], next = sigmas[i + 1];
            float[] denoised = model.denoise(x, sigma);
            emit(cb, i, steps, sigma, sigma, x, denoised);
            if (next == 0) {
                x = denoised;
            } else {
                float t = -(float) Math.log(sigma), s = -(float) Math.log(next);
                h = s - t;
                float etaH = eta * h;
                float g = -expm1(-h - etaH);
                float a = next / sigma * (float) Math.exp(-etaH);
                x = lin(a, x, -g, denoised);
                if (old != null) {
                    float r = hLast / h;
                    float c = heun ? (g / (-h - etaH) + 1f) * (1f / r) : 0.5f * g * (1f / r);
                    float[] y = new float[x.length];
                    for (int k = 0; k < x.length; k++) y[k] = x[k] + c * (denoised[k] - old[k]);
                    x = y;
                }
                if (eta != 0) {
                    float[] z = noise.sample(sigma, next);
                    float c = (float) Math.sqrt(-expm1(-2f * etaH));
                    float[] y = new float[x.length];
                    for (int k = 0; k < x.length; k++) y[k] = x[k] + z[k] * next * c * sNoise;
                    x = y;
                }
            }
            old = denoised;
            hLast = h;
        }
        return x;
    }

    /** {@code sample_dpmpp_3m_sde}: third-order multistep DPM-Solver++ SDE; the last step returns the denoised estimate. */
    private static float[] dpmpp3mSde(KDenoiser model, float[] x, float[] sigmas, float eta, float sNoise,
                                      NoiseSampler noise, StepCallback cb) {
        int steps = sigmas.length - 1;
        float[] den1 = null, den2 = null;
        float h = 0, h1 = 0, h2 = 0;
        boolean has1 = false, has2 = false;
        for (int i = 0; i < steps; i++) {
            float sigma = sigmas[i], next = sigmas[i + 1];
            float[] denoised = model.denoise(x, sigma);
            emit(cb, i, steps, sigma, sigma, x, denoised);
            if (next == 0) {
                x = denoised;
            } else {
                float t = -(float) Math.log(sigma), s = -(float) Math.log(next);
                h = s - t;
                float hEta = h * (eta + 1f);
                x = lin((float) Math.exp(-hEta), x, expm1(-hEta), denoised);
                float[] y = new float[x.length];
                if (has2) {
                    float r0 = h1 / h, r1 = h2 / h;
                    float phi2 = expm1(-hEta) / hEta + 1f;
                    float phi3 = phi2 / hEta - 0.5f;
                    for (int k = 0; k < x.length; k++) {
                        float d10 = (denoised[k] - den1[k]) / r0;
                        float d11 = (den1[k] - den2[k]) / r1;
                        float d1 = d10 + (d10 - d11) * r0 / (r0 + r1);
                        float d2 = (d10 - d11) / (r0 + r1);
                        y[k] = x[k] + phi2 * d1 - phi3 * d2;
                    }
                    x = y;
                } else if (has1) {
                    float r = h1 / h;
                    float phi2 = expm1(-hEta) / hEta + 1f;
                    for (int k = 0; k < x.length; k++) y[k] = x[k] + phi2 * ((denoised[k] - den1[k]) / r);
                    x = y;
                }
                if (eta != 0) {
                    float[] z = noise.sample(sigma, next);
                    float c = (float) Math.sqrt(-expm1(-2f * h * eta));
                    float[] w = new float[x.length];
                    for (int k = 0; k < x.length; k++) w[k] = x[k] + z[k] * next * c * sNoise;
                    x = w;
                }
            }
            den2 = den1;
            den1 = denoised;
            h2 = h1;
            h1 = h;
            has2 = has1;
            has1 = true;
        }
        return x;
    }

    /** A1111's {@code sample_lcm}: jump to the (LCM) denoised estimate, then re-noise to the next σ. */
    private static float[] lcm(KDenoiser model, float[] x, float[] sigmas, NoiseSampler noise, StepCallback cb) {
        int steps = sigmas.length - 1;
        for (int i = 0; i < steps; i++) {
            float[] denoised = model.denoise(x, sigmas[i]);
            emit(cb, i, steps, sigmas[i], sigmas[i], x, denoised);
            x = denoised.clone();
            float next = sigmas[i + 1];
            if (next > 0) {
                float[] z = noise.sample(sigmas[i], next);
                for (int k = 0; k < x.length; k++) x[k] = x[k] + next * z[k];
            }
        }
        return x;
    }

    /** A1111's {@code to_d}: (x − D)/σ. */
    static float[] toD(float[] x, float sigma, float[] denoised) {
        float[] d = new float[x.length];
        for (int k = 0; k < x.length; k++) d[k] = (x[k] - denoised[k]) / sigma;
        return d;
    }

    /** x + d · dt. */
    static float[] step(float[] x, float[] d, float dt) {
        float[] out = new float[x.length];
        for (int k = 0; k < x.length; k++) out[k] = x[k] + d[k] * dt;
        return out;
    }

    /** x + z · a · b, multiplied left to right as torch does. */
    static float[] axpy(float[] x, float[] z, float a, float b) {
        float[] out = new float[x.length];
        for (int k = 0; k < x.length; k++) out[k] = x[k] + z[k] * a * b;
        return out;
    }

    /** a · x − c · y. */
    private static float[] lin(float a, float[] x, float c, float[] y) {
        float[] out = new float[x.length];
        for (int k = 0; k < x.length; k++) out[k] = a * x[k] - c * y[k];
        return out;
    }

    /** exp(lerp(ln a, ln b, 0.5)) with torch's lerp (weight 0.5: end − (end − start)·0.5). */
    static float logMidpoint(float a, float b) {
        float la = (float) Math.log(a), lb = (float) Math.log(b);
        return (float) Math.exp(lb - (lb - la) * 0.5f);
    }

    private static float tOf(float sigma) {
        return -(float) Math.log(sigma);
    }

    private static float sigmaOf(float t) {
        return (float) Math.exp(-t);
    }

    private static float expm1(float v) {
        return (float) Math.expm1(v);
    }
}
