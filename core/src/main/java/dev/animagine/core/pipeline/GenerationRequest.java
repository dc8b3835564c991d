package dev.animagine.core.pipeline;

import dev.animagine.core.InvalidArgumentException;
import dev.animagine.core.sampling.Sampler;
import dev.animagine.core.sampling.ScheduleType;
import dev.animagine.core.text.A1111Settings;
import dev.animagine.core.text.PromptMode;

/**
 * Everything one txt2img image depends on (besides the model). Sizes are in pixels; SDXL's size
 * conditioning (original size, crop, target size) defaults to the image size and (0, 0).
 *
 * @param negativePrompt null when the user gave none (diffusers then zeroes the negative
 *                       conditioning if the model asks for it; A1111 mode encodes "")
 * @param cfgScale       classifier-free guidance; {@code <= 1} skips the unconditional pass
 * @param seed           64-bit; torch uses the low 32 bits
 * @param savings        DeepCache and CFG cutoff ({@link StepSavings#NONE}: off)
 */
public record GenerationRequest(
        String prompt,
        String negativePrompt,
        int width,
        int height,
        int steps,
        double cfgScale,
        Sampler sampler,
        ScheduleType schedule,
        long seed,
        PromptMode promptMode,
        A1111Settings a1111,
        int clipSkip,
        int originalWidth,
        int originalHeight,
        int cropTop,
        int cropLeft,
        int targetWidth,
        int targetHeight,
        StepSavings savings) {

    public GenerationRequest {
        if (savings == null) savings = StepSavings.NONE;
        if (width <= 0 || height <= 0 || width % 8 != 0 || height % 8 != 0)
            throw new InvalidArgumentException("image size " + width + "x" + height + " must be positive multiples of 8");
        if (steps < 1) throw new InvalidArgumentException("steps must be at least 1 (got " + steps + ")");
        if (!Double.isFinite(cfgScale) || cfgScale < 0) throw new InvalidArgumentException("CFG scale must be a non-negative number (got " + cfgScale + ")");
        if (!sampler.supports(schedule))
            throw new InvalidArgumentException("sampler " + sampler.id() + " has no " + schedule.id() + " schedule in diffusers mode");
        if (clipSkip < 1) throw new InvalidArgumentException("clip skip must be at least 1 (got " + clipSkip + ")");
    }

    /** A request without step savings. */
    public GenerationRequest(String prompt, String negativePrompt, int width, int height, int steps, double cfgScale, Sampler sampler,
                             ScheduleType schedule, long seed, PromptMode promptMode, A1111Settings a1111, int clipSkip,
                             int originalWidth, int originalHeight, int cropTop, int cropLeft, int targetWidth, int targetHeight) {
        this(prompt, negativePrompt, width, height, steps, cfgScale, sampler, schedule, seed, promptMode, a1111, clipSkip,
                originalWidth, originalHeight, cropTop, cropLeft, targetWidth, targetHeight, StepSavings.NONE);
    }

    /** A request with SDXL's default size conditioning (original = target = image size, no crop). */
    public static GenerationRequest of(String prompt, String negativePrompt, int width, int height, int steps, double cfg,
                                       Sampler sampler, ScheduleType schedule, long seed, PromptMode mode) {
        return new GenerationRequest(prompt, negativePrompt, width, height, steps, cfg, sampler, schedule, seed, mode,
                A1111Settings.DEFAULTS, 1, width, height, 0, 0, width, height);
    }

    public boolean classifierFreeGuidance() {
        return cfgScale > 1.0;
    }

    public GenerationRequest withSeed(long newSeed) {
        return new GenerationRequest(prompt, negativePrompt, width, height, steps, cfgScale, sampler, schedule, newSeed, promptMode,
                a1111, clipSkip, originalWidth, originalHeight, cropTop, cropLeft, targetWidth, targetHeight, savings);
    }

    public GenerationRequest withSavings(StepSavings newSavings) {
        return new GenerationRequest(prompt, negativePrompt, width, height, steps, cfgScale, sampler, schedule, seed, promptMode,
                a1111, clipSkip, originalWidth, originalHeight, cropTop, cropLeft, targetWidth, targetHeight, newSavings);
    }

    /** diffusers' add_time_ids: (original_h, original_w, crop_top, crop_left, target_h, target_w). */
    float[] timeIds() {
        return new float[] {originalHeight, originalWidth, cropTop, cropLeft, targetHeight, targetWidth};
    }
}
