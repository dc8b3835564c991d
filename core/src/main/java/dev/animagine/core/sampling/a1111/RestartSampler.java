package dev.animagine.core.sampling.a1111;

import dev.animagine.core.sampling.KDenoiser;

import java.util.ArrayList;
import java.util.List;

/**
 * A1111's {@code restart_sampler} (Xu et al. 2023, "Restart Sampling"): Heun steps down a Karras
 * schedule and, from 20 steps on, after reaching σ ≈ 0.1 a jump back up to σ ≈ 2 with fresh noise
 * and a short Karras descent (once; twice from 36 steps), keeping the total model evaluations.
 */
final class RestartSampler {
    private RestartSampler() {}

    static float[] sample(KDenoiser model, float[] x, float[] sigmas, float sNoise, NoiseSampler noise, StepCallback cb) {
        int steps = sigmas.length - 1;
        int restartSteps = 0, restartTimes = 0;
        if (steps >= 20) {
            restartSteps = 9;
            restartTimes = 1;
            if (steps >= 36) {
                restartSteps = steps / 4;
                restartTimes = 2;
            }
            sigmas = SigmaSchedule.karras(steps - restartSteps * restartTimes, sigmas[sigmas.length - 2], sigmas[0], 7);
        }
        // (from, to) pairs; restarts inserted after the step landing on the σ nearest 0.1
        List<float[]> pairs = new ArrayList<>();
        int minIdx = restartTimes > 0 ? nearest(sigmas, 0.1) : -1;
        for (int i = 0; i < sigmas.length - 1; i++) {
            pairs.add(new float[] {sigmas[i], sigmas[i + 1]});
            if (i + 1 == minIdx) {
                int maxIdx = nearest(sigmas, 2);
                if (maxIdx < minIdx) {
                    float[] r = SigmaSchedule.karras(restartSteps + 1, sigmas[minIdx], sigmas[maxIdx], 7);
                    for (int t = 0; t < restartTimes; t++)
                        for (int k = 0; k < r.length - 2; k++) pairs.add(new float[] {r[k], r[k + 1]});
                }
            }
        }
        Float last = null;
        int total = pairs.size();
        for (int id = 0; id < total; id++) {
            float old = pairs.get(id)[0], next = pairs.get(id)[1];
            if (last == null) {
                last = old;
            } else if (last < old) {
                float c = (float) Math.sqrt(old * old - last * last);
                x = KSampler.axpy(x, noise.sample(last, old), sNoise, c);
            }
            x = heunStep(model, x, old, next, id, total, cb);
            last = next;
        }
        return x;
    }

    private static float[] heunStep(KDenoiser model, float[] x, float old, float next, int id, int total, StepCallback cb) {
        float[] denoised = model.denoise(x, old);
        float[] d = KSampler.toD(x, old, denoised);
        KSampler.emit(cb, id, total, next, old, x, denoised);
        float dt = next - old;
        if (next == 0) return KSampler.step(x, d, dt);
        float[] x2 = KSampler.step(x, d, dt);
        float[] d2 = KSampler.toD(x2, next, model.denoise(x2, next));
        float[] dPrime = new float[x.length];
        for (int k = 0; k < x.length; k++) dPrime[k] = (d[k] + d2[k]) / 2f;
        return KSampler.step(x, dPrime, dt);
    }

    /** The first index of the σ nearest {@code target} ({@code argmin |σ − target|} in float32). */
    private static int nearest(float[] sigmas, double target) {
        int best = 0;
        float bestDist = Float.POSITIVE_INFINITY;
        float t = (float) target;
        for (int i = 0; i < sigmas.length; i++) {
            float dist = Math.abs(sigmas[i] - t);
            if (dist < bestDist) {
                bestDist = dist;
                best = i;
            }
        }
        return best;
    }
}
