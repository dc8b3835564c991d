package dev.animagine.core.sampling.a1111;

import dev.animagine.core.InvalidArgumentException;
import dev.animagine.core.sampling.EpsModel;

/**
 * A1111's timestep samplers ({@code sd_samplers_timesteps}): DDIM and UniPC on the training
 * timesteps 1, 1 + k, 1 + 2k, … (k = 1000 // steps) with CFG on ε. Unlike the k-diffusion
 * samplers they start from the unscaled initial noise.
 */
public final class TimestepSampler {
    private TimestepSampler() {}

    /**
     * {@code CompVisSampler.get_timesteps}: clip(range(0, 1000, 1000 // steps) + 1, 0, 999), steps + 1 with
     * {@code always_discard_next_to_last_sigma}; possibly more than steps values (6 steps: 0, 166, …, 996 → 7).
     */
    public static int[] timesteps(int steps, int trainSteps, boolean discardNextToLast) {
        int n = steps + (discardNextToLast ? 1 : 0);
        if (n < 1) throw new InvalidArgumentException("steps must be at least 1, not " + steps);
        int k = trainSteps / n;
        if (k < 1) throw new InvalidArgumentException(steps + " steps exceed the " + trainSteps + " training timesteps");
        int count = (trainSteps + k - 1) / k;
        int[] t = new int[count];
        for (int i = 0; i < count; i++) t[i] = Math.min(Math.max(i * k + 1, 0), trainSteps - 1);
        return t;
    }

    /** Runs DDIM or UniPC from the unscaled noise {@code x} with the CFG ε model. */
    public static float[] sample(A1111Sampler sampler, EpsModel model, float[] x, int[] timesteps, float[] alphasCumprod,
                                 double eta, NoiseSampler noise, StepCallback callback) {
        return sample(sampler, model, x, timesteps, alphasCumprod, eta, noise, false, callback);
    }

    /**
     * As {@link #sample}, for img2img when {@code img2img} ({@code sample_img2img}): {@code timesteps} are then the
     * shortened {@code timesteps[:t_enc]} and x the noised init latents; DDIM runs them as it runs a full list, UniPC
     * starts at {@code t_start = timesteps[-1] / 1000 + 1 / 1000} (A1111's {@code is_img2img}).
     */
    public static float[] sample(A1111Sampler sampler, EpsModel model, float[] x, int[] timesteps, float[] alphasCumprod,
                                 double eta, NoiseSampler noise, boolean img2img, StepCallback callback) {
        StepCallback cb = callback == null ? StepCallback.NONE : callback;
        try {
            return switch (sampler) {
                case DDIM -> ddim(model, x, timesteps, alphasCumprod, eta, noise, cb);
                case UNIPC -> UniPC.sample(model, x, timesteps.length, alphasCumprod, img2img ? uniPcStart(timesteps) : 1.0, cb);
                default -> throw new InvalidArgumentException("sampler " + sampler.label() + " runs on sigmas: use KSampler");
            };
        } catch (KSampler.Stop s) {
            return s.latent;
        }
    }

    /** {@code timesteps[-1] / 1000 + 1 / 1000} in float32 (an integer tensor divided, then a scalar added). */
    static double uniPcStart(int[] timesteps) {
        if (timesteps.length == 0) throw new InvalidArgumentException("UniPC img2img needs at least one timestep");
        float t = (float) timesteps[timesteps.length - 1] / 1000f;
        return t + (float) (1.0 / 1000);
    }

    /**
     * A1111's {@code ddim}: for index = last … 1, ε = model(x, t[index]); pred_x0 = (x − sqrt(1 − a_t)·ε)/sqrt(a_t);
     * x = sqrt(a_prev)·pred_x0 + sqrt(1 − a_prev − σ_t²)·ε + σ_t·noise, with σ_t from eta (0 by default, the noise
     * still drawn). The callback gets each step's result and pred_x0.
     */
    static float[] ddim(EpsModel model, float[] x, int[] timesteps, float[] ac, double eta, NoiseSampler noise, StepCallback cb) {
        int total = timesteps.length - 1;
        for (int i = 0; i < total; i++) {
            int index = timesteps.length - 1 - i;
            float aT = ac[timesteps[index]], aPrev = ac[timesteps[index - 1]];
            double aPrevD = aPrev;
            float sigmaT = (float) (eta * Math.sqrt((1 - aPrevD) / (1 - aT) * (1 - aT / aPrevD)));
            float sqrtOneMinusAt = (float) Math.sqrt(1f - aT);
            float[] e = model.eps(x, timesteps[index]);
            float[] z = noise.sample(0, 0);
            float sqrtAt = (float) Math.sqrt(aT), sqrtAPrev = (float) Math.sqrt(aPrev);
            float dir = (float) Math.sqrt(1f - aPrev - sigmaT * sigmaT);
            float[] predX0 = new float[x.length], next = new float[x.length];
            for (int k = 0; k < x.length; k++) {
                predX0[k] = (x[k] - sqrtOneMinusAt * e[k]) / sqrtAt;
                next[k] = sqrtAPrev * predX0[k] + dir * e[k] + sigmaT * z[k];
            }
            x = next;
            KSampler.emit(cb, i, total, 0f, 0f, x, predX0);
        }
        return x;
    }
}
