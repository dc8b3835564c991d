package dev.animagine.core.sampling;

import dev.animagine.core.InvalidArgumentException;

/**
 * Which steps of a schedule an image-to-image run takes, in diffusers' and A1111's conventions.
 * <p>
 * diffusers v0.27.2 ({@code StableDiffusionXLImg2ImgPipeline.get_timesteps}): build the full
 * {@code steps}-long schedule, run its last {@code min(int(steps * strength), steps)} timesteps; the
 * scheduler finds its starting step by looking the first of them up in the full schedule
 * ({@link #indexForTimestep}).
 * <p>
 * A1111 ({@code sd_samplers_common.setup_img2img_steps}): see {@link #a1111}.
 */
public final class Img2ImgTimesteps {
    private Img2ImgTimesteps() {}

    /** diffusers' {@code init_timestep = min(int(steps * strength), steps)} (a double product, truncated). */
    public static int initTimestep(int steps, double strength) {
        checkStrength(strength);
        return Math.min((int) (steps * strength), steps);
    }

    /** The index of the first step run: {@code steps - initTimestep} (the schedulers here have order 1). */
    public static int tStart(int steps, double strength) {
        return steps - initTimestep(steps, strength);
    }

    /**
     * diffusers' {@code index_for_timestep}: the position of {@code t} in {@code timesteps}, the second
     * occurrence when it occurs more than once (so a step is not repeated after img2img skipped ahead).
     */
    public static int indexForTimestep(float[] timesteps, float t) {
        int first = -1;
        for (int i = 0; i < timesteps.length; i++) {
            if (timesteps[i] != t) continue;
            if (first >= 0) return i;
            first = i;
        }
        if (first < 0) throw new IllegalArgumentException("timestep " + t + " is not in the schedule");
        return first;
    }

    /**
     * Prepares {@code scheduler} (after {@code setTimesteps(steps)}) for diffusers' img2img loop and
     * returns the step indices the loop runs: {@code timesteps[tStart:]} as the scheduler indexes them
     * (starting from {@link #indexForTimestep} of the first, then consecutive). Empty when
     * {@code int(steps * strength) == 0}: diffusers then has no timestep to start from (an error there).
     */
    public static int[] diffusersSteps(Scheduler scheduler, double strength) {
        float[] ts = scheduler.timesteps();
        int tStart = tStart(ts.length, strength);
        if (tStart >= ts.length)
            throw new InvalidArgumentException("strength " + strength + " leaves no step of " + ts.length
                    + " to run (int(steps * strength) must be at least 1)");
        int begin = indexForTimestep(ts, ts[tStart]);
        scheduler.setBeginIndex(begin);
        int[] steps = new int[ts.length - tStart];
        for (int i = 0; i < steps.length; i++) steps[i] = begin + i;
        return steps;
    }

    /**
     * A1111's img2img step plan: the schedule length and the index of its first step run (its last
     * step is always the schedule's last).
     *
     * @param scheduleSteps length of the schedule to build (k-diffusion sigmas without the final 0)
     * @param firstStep     index of the first sigma used: {@code sigmas[firstStep:]}
     */
    public record A1111Steps(int scheduleSteps, int firstStep) {
        /** Steps actually run. */
        public int runSteps() {
            return scheduleSteps - firstStep;
        }
    }

    /**
     * A1111's {@code setup_img2img_steps} + {@code sample_img2img}: {@code t_enc} steps of noise on a
     * schedule, run {@code t_enc + 1} steps on the tail {@code sigmas[steps - t_enc - 1:]}.
     * <ul>
     * <li>{@code explicitSteps == null} and {@code fixSteps == false} (img2img's default): the schedule
     *     has {@code steps} steps, {@code t_enc = int(min(d, 0.999) * steps)}, so {@code t_enc + 1} run;</li>
     * <li>otherwise (option {@code img2img_fix_steps}, or a hires pass, which always passes its step
     *     count): requested {@code S = explicitSteps or steps}; the schedule has
     *     {@code int(S / min(d, 0.999))} steps (0 if d is 0) and {@code t_enc = S - 1}, so exactly S run.</li>
     * </ul>
     */
    public static A1111Steps a1111(int steps, double denoisingStrength, boolean fixSteps, Integer explicitSteps) {
        checkStrength(denoisingStrength);
        double d = Math.min(denoisingStrength, 0.999);
        int scheduleSteps, tEnc;
        if (fixSteps || explicitSteps != null) {
            int requested = explicitSteps != null && explicitSteps > 0 ? explicitSteps : steps;
            scheduleSteps = denoisingStrength > 0 ? (int) (requested / d) : 0;
            tEnc = requested - 1;
        } else {
            scheduleSteps = steps;
            tEnc = (int) (d * steps);
        }
        int first = scheduleSteps - tEnc - 1;
        if (scheduleSteps < 1 || first < 0)
            throw new InvalidArgumentException("denoising strength " + denoisingStrength + " with " + steps + " steps leaves no schedule to run");
        return new A1111Steps(scheduleSteps, first);
    }

    private static void checkStrength(double strength) {
        if (!(strength >= 0 && strength <= 1))
            throw new InvalidArgumentException("strength must be between 0 and 1 (got " + strength + ")");
    }
}
