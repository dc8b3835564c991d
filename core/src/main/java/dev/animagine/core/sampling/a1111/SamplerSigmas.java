package dev.animagine.core.sampling.a1111;

import dev.animagine.core.InvalidArgumentException;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A1111's {@code KDiffusionSampler.get_sigmas}: the sigmas a sampler runs for a number of steps and a
 * schedule type, with the infotext entries A1111 adds for them.
 *
 * @param sigmas   float32, descending, ending in 0 (or at σ_min for KL Optimal)
 * @param infotext e.g. {@code Schedule type: Karras}, {@code Schedule rho: 5.0}, in A1111's order
 */
public record SamplerSigmas(float[] sigmas, Map<String, Object> infotext) {

    /**
     * @param steps   the user's step count
     * @param model   the sampler's model wrapper ({@link DiscreteSchedule}; {@link LcmSchedule} for LCM)
     */
    public static SamplerSigmas of(A1111Sampler sampler, SigmaSchedule schedule, int steps, SigmaModel model, ScheduleOptions options) {
        if (sampler.timestepBased())
            throw new InvalidArgumentException("sampler " + sampler.label() + " runs on timesteps, not sigmas");
        if (steps < 1) throw new InvalidArgumentException("steps must be at least 1, not " + steps);
        Map<String, Object> info = new LinkedHashMap<>();
        boolean discard = sampler.discardNextToLastSigma();
        if (options.alwaysDiscardNextToLastSigma() && !discard) {
            discard = true;
            info.put("Discard penultimate sigma", true);
        }
        int n = steps + (discard ? 1 : 0);
        SigmaSchedule s = schedule == SigmaSchedule.AUTOMATIC ? sampler.defaultSchedule() : schedule;
        float mMin = model.sigmaMin(), mMax = model.sigmaMax();
        double sigmaMin = options.useOldKarrasSchedulerSigmas() ? 0.1 : mMin;
        double sigmaMax = options.useOldKarrasSchedulerSigmas() ? 10 : mMax;
        float[] sigmas;
        if (s == null || s == SigmaSchedule.AUTOMATIC) {
            sigmas = model.getSigmas(n);
        } else {
            info.put("Schedule type", s.label());
            if (options.sigmaMin() != 0 && options.sigmaMin() != mMin) {
                sigmaMin = options.sigmaMin();
                info.put("Schedule min sigma", options.sigmaMin());
            }
            if (options.sigmaMax() != 0 && options.sigmaMax() != mMax) {
                sigmaMax = options.sigmaMax();
                info.put("Schedule max sigma", options.sigmaMax());
            }
            double rho = s.defaultRho();
            if (s.defaultRho() != -1 && options.rho() != 0) {
                rho = options.rho();
                info.put("Schedule rho", options.rho());
            }
            if (s == SigmaSchedule.BETA) {
                info.put("Beta schedule alpha", options.betaDistAlpha());
                info.put("Beta schedule beta", options.betaDistBeta());
            }
            sigmas = s.compute(n, sigmaMin, sigmaMax, rho, model, options);
        }
        if (discard && sigmas.length >= 2) {
            float[] d = Arrays.copyOf(sigmas, sigmas.length - 1);
            d[d.length - 1] = sigmas[sigmas.length - 1];
            sigmas = d;
        }
        return new SamplerSigmas(sigmas, info);
    }

    /** With A1111's default settings. */
    public static SamplerSigmas of(A1111Sampler sampler, SigmaSchedule schedule, int steps, SigmaModel model) {
        return of(sampler, schedule, steps, model, ScheduleOptions.DEFAULTS);
    }

    /** The number of model steps (sigmas − 1). */
    public int steps() {
        return sigmas.length - 1;
    }
}
