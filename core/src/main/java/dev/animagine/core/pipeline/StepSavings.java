package dev.animagine.core.pipeline;

import dev.animagine.core.InvalidArgumentException;

/**
 * Step-level compute savings of a run, both off by default.
 *
 * @param deepCacheInterval DeepCache's interval N: the full UNet every N-th UNet call, the shallow
 *                          branch on the cached deep feature between ({@link dev.animagine.core.unet.DeepCache}); 0 = off
 * @param cfgCutoff         the fraction R of the steps after which only the prompt's pass runs (guidance
 *                          off), as diffusers' {@code SDXLCFGCutoffCallback}: steps after
 *                          {@code int(steps * R)} run unguided; 1 = off, 0 = guidance on step 0 only
 */
public record StepSavings(int deepCacheInterval, double cfgCutoff) {
    public static final StepSavings NONE = new StepSavings(0, 1);

    public StepSavings {
        if (deepCacheInterval < 0) throw new InvalidArgumentException("DeepCache interval must be at least 1 (got " + deepCacheInterval + ")");
        if (!(cfgCutoff >= 0 && cfgCutoff <= 1)) throw new InvalidArgumentException("CFG cutoff must be in [0, 1] (got " + cfgCutoff + ")");
    }

    public boolean deepCache() {
        return deepCacheInterval >= 1;
    }

    public boolean cutsCfg() {
        return cfgCutoff < 1;
    }

    /**
     * The last step (0-based, among the {@code steps} this pass runs) that still runs the negative:
     * diffusers turns guidance off at the end of step {@code int(steps * R)}.
     */
    public int lastGuidedStep(int steps) {
        return (int) (steps * cfgCutoff);
    }

    /** Whether step {@code step} (0-based within the pass) of {@code steps} runs without the negative. */
    public boolean unguided(int step, int steps) {
        return cutsCfg() && step > lastGuidedStep(steps);
    }
}
