package dev.animagine.core.sampling.a1111;

import dev.animagine.core.InvalidArgumentException;

/**
 * What one A1111 txt2img sampling run is asked for (the sampler-side fields of
 * {@code StableDiffusionProcessing}).
 *
 * @param seeds           one per image of the batch ({@link ImageRng#batchSeeds})
 * @param subseeds        variation seeds, or null ({@link ImageRng#batchSubseeds})
 * @param subseedStrength variation strength, 0 = off
 * @param resizeFromH     "Resize seed from height" in pixels, 0 = off (both needed)
 * @param resizeFromW     "Resize seed from width" in pixels, 0 = off
 * @param ensd            eta noise seed delta ({@code opts.eta_noise_seed_delta}), 0 = off
 * @param sMinUncond      "Negative Guidance minimum sigma" (NGMS), 0 = off
 * @param sMinUncondAll   {@code opts.s_min_uncond_all}: skip on every step, not every other
 * @param ddimEta         DDIM's eta ({@code opts.eta_ddim}, 0)
 */
public record A1111Request(A1111Sampler sampler, SigmaSchedule schedule, RngSource rng, long[] seeds, long[] subseeds,
                           double subseedStrength, int resizeFromH, int resizeFromW, long ensd, int steps, double cfgScale,
                           double sMinUncond, boolean sMinUncondAll, SamplerOptions samplerOptions,
                           ScheduleOptions scheduleOptions, double ddimEta) {

    public A1111Request {
        if (seeds == null || seeds.length == 0) throw new InvalidArgumentException("no seed given");
        if (steps < 1) throw new InvalidArgumentException("steps must be at least 1, not " + steps);
        if (schedule == null) schedule = SigmaSchedule.AUTOMATIC;
        if (samplerOptions == null) samplerOptions = SamplerOptions.DEFAULTS;
        if (scheduleOptions == null) scheduleOptions = ScheduleOptions.DEFAULTS;
    }

    /** One image with A1111's defaults for everything but sampler, schedule, RNG, seed, steps and CFG scale. */
    public static A1111Request of(A1111Sampler sampler, SigmaSchedule schedule, RngSource rng, long seed, int steps, double cfgScale) {
        return new A1111Request(sampler, schedule, rng, new long[] {seed}, null, 0, 0, 0, 0, steps, cfgScale, 0, false,
                SamplerOptions.DEFAULTS, ScheduleOptions.DEFAULTS, 0);
    }
}
