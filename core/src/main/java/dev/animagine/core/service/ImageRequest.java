package dev.animagine.core.service;

import dev.animagine.core.InvalidArgumentException;
import dev.animagine.core.InvalidRequestException;
import dev.animagine.core.sampling.Sampler;
import dev.animagine.core.sampling.ScheduleType;
import dev.animagine.core.text.EmphasisMode;

import java.util.function.Supplier;
import dev.animagine.core.animagine.ImageSize;
import dev.animagine.core.lora.LoraStack;

import java.nio.file.Path;
import java.util.List;

/**
 * One complete generation request, as every front end (command line, HTTP APIs, batch jobs) hands
 * it to {@link GenerationService}. Build it with {@link #builder()}; unset fields take the defaults
 * of the Animagine cards (Euler a, 28 steps, CFG 5, the version's default size).
 *
 * @param prompt         the user's prompt (tags)
 * @param negativePrompt the user's negative prompt, or null when none was given
 * @param animagine      Animagine options ({@link AnimagineSettings#NONE} for none)
 * @param verbatim       use prompt and negative exactly as sent: no template, tags or default negative
 * @param size           image size; null: from {@code animagine.aspect()}, else the version's default
 * @param steps          sampling steps
 * @param cfgScale       classifier-free guidance scale; at most 1 skips the unconditional pass
 * @param sampler        sampler name (an id such as {@code euler_a} or an A1111 name such as "Euler a")
 * @param schedule       schedule name ({@code default}, {@code karras}, ...)
 * @param seed           the first image's seed; -1 picks one at random
 * @param batchCount     images made one after another, with seeds seed, seed+1, ...
 * @param rng            noise source ({@code cpu})
 * @param compat         whose behaviour to reproduce
 * @param emphasis       A1111 emphasis mode name ("Original", "No norm", "Ignore", "None")
 * @param clipSkip       text-encoder layers skipped; 1 = SDXL's penultimate layer
 * @param originalWidth  SDXL size conditioning (original size); 0: the image size (with originalHeight)
 * @param originalHeight see originalWidth
 * @param targetWidth    SDXL size conditioning (target size); 0: the image size (with targetHeight)
 * @param targetHeight   see targetWidth
 * @param cropTop        SDXL crop conditioning, pixels
 * @param cropLeft       SDXL crop conditioning, pixels
 * @param loras          adapter files with their text-encoder and UNet weights, applied after the prompt's
 *                       {@code <lora:...>} tags (a bare name is looked up in the LoRA folder)
 * @param loraDir        where {@code <lora:NAME>} tags are looked up; null: a {@code Lora/} folder next
 *                       to the model, else {@code models/Lora}
 */
public record ImageRequest(
        String prompt,
        String negativePrompt,
        AnimagineSettings animagine,
        boolean verbatim,
        ImageSize size,
        int steps,
        double cfgScale,
        String sampler,
        String schedule,
        long seed,
        int batchCount,
        String rng,
        Compat compat,
        String emphasis,
        int clipSkip,
        int originalWidth,
        int originalHeight,
        int targetWidth,
        int targetHeight,
        int cropTop,
        int cropLeft,
        List<LoraStack.Request> loras,
        Path loraDir) {

    public static final int MAX_STEPS = 10_000;
    public static final int MAX_BATCH_COUNT = 10_000;

    public ImageRequest {
        if (prompt == null) prompt = "";
        if (animagine == null) animagine = AnimagineSettings.NONE;
        if (sampler == null) sampler = "euler_a";
        if (schedule == null) schedule = "default";
        if (rng == null) rng = "cpu";
        if (compat == null) compat = Compat.A1111;
        if (emphasis == null) emphasis = "Original";
        loras = loras == null ? List.of() : List.copyOf(loras);
    }

    /**
     * Checks the fields that need no model: an error names the field and the value
     * ({@code steps must be at least 1 (got 0)}).
     */
    public ImageRequest validate() {
        if (steps < 1) throw new InvalidRequestException("steps", "must be at least 1 (got " + steps + ")");
        if (steps > MAX_STEPS) throw new InvalidRequestException("steps", "must be at most " + MAX_STEPS + " (got " + steps + ")");
        if (!Double.isFinite(cfgScale) || cfgScale < 0)
            throw new InvalidRequestException("cfgScale", "must be a non-negative number (got " + cfgScale + ")");
        if (batchCount < 1) throw new InvalidRequestException("batchCount", "must be at least 1 (got " + batchCount + ")");
        if (batchCount > MAX_BATCH_COUNT)
            throw new InvalidRequestException("batchCount", "must be at most " + MAX_BATCH_COUNT + " (got " + batchCount + ")");
        if (clipSkip < 1) throw new InvalidRequestException("clipSkip", "must be at least 1 (got " + clipSkip + ")");
        if (size != null) checkSize("size", size);
        checkConditioningSize("originalSize", originalWidth, originalHeight);
        checkConditioningSize("targetSize", targetWidth, targetHeight);
        if (cropTop < 0 || cropLeft < 0)
            throw new InvalidRequestException("crop", "must be non-negative (got " + cropTop + "," + cropLeft + ")");
        for (LoraStack.Request l : loras)
            if (!Float.isFinite(l.te()) || !Float.isFinite(l.unet()))
                throw new InvalidRequestException("loras", l.path() + ": weight must be a number (got " + l.te() + ", " + l.unet() + ")");
        resolve();
        return this;
    }

    /** The named enumerations of a request, checked. */
    record Resolved(Sampler sampler, ScheduleType schedule, EmphasisMode emphasis) {}

    Resolved resolve() {
        Sampler s = field("sampler", () -> Sampler.byId(sampler));
        ScheduleType t = field("schedule", () -> ScheduleType.byId(schedule));
        if (!s.supports(t)) throw new InvalidRequestException("schedule", t.id() + " is not available for sampler " + s.id());
        if (!rng.strip().equalsIgnoreCase("cpu")) throw new InvalidRequestException("rng", "must be cpu (got '" + rng + "')");
        EmphasisMode e = field("emphasis", () -> EmphasisMode.fromA1111Name(emphasis));
        return new Resolved(s, t, e);
    }

    private static <T> T field(String name, Supplier<T> parse) {
        try {
            return parse.get();
        } catch (InvalidRequestException e) {
            throw e;
        } catch (InvalidArgumentException e) {
            throw new InvalidRequestException(name, "is invalid: " + e.getMessage());
        }
    }

    private static void checkConditioningSize(String field, int w, int h) {
        boolean unset = w == 0 && h == 0;
        if (!unset && (w <= 0 || h <= 0))
            throw new InvalidRequestException(field, "must be positive (got " + w + "x" + h + ")");
    }

    static void checkSize(String field, ImageSize s) {
        if (s.width() <= 0 || s.height() <= 0 || s.width() % 8 != 0 || s.height() % 8 != 0)
            throw new InvalidRequestException(field, "must be positive multiples of 8 (got " + s.width() + "x" + s.height() + ")");
    }

    /** Whether the request asks for a seed picked at random. */
    public boolean randomSeed() {
        return seed == -1;
    }

    public ImageRequest withSeed(long newSeed) {
        return toBuilder().seed(newSeed).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.prompt = prompt;
        b.negativePrompt = negativePrompt;
        b.animagine = animagine;
        b.verbatim = verbatim;
        b.size = size;
        b.steps = steps;
        b.cfgScale = cfgScale;
        b.sampler = sampler;
        b.schedule = schedule;
        b.seed = seed;
        b.batchCount = batchCount;
        b.rng = rng;
        b.compat = compat;
        b.emphasis = emphasis;
        b.clipSkip = clipSkip;
        b.originalWidth = originalWidth;
        b.originalHeight = originalHeight;
        b.targetWidth = targetWidth;
        b.targetHeight = targetHeight;
        b.cropTop = cropTop;
        b.cropLeft = cropLeft;
        b.loras = loras;
        b.loraDir = loraDir;
        return b;
    }

    /** Defaults: the Animagine cards' (Euler a, 28 steps, CFG 5), a random seed, one image, A1111 mode. */
    public static final class Builder {
        private String prompt = "";
        private String negativePrompt;
        private AnimagineSettings animagine = AnimagineSettings.NONE;
        private boolean verbatim;
        private ImageSize size;
        private int steps = 28;
        private double cfgScale = 5;
        private String sampler = "euler_a";
        private String schedule = "default";
        private long seed = -1;
        private int batchCount = 1;
        private String rng = "cpu";
        private Compat compat = Compat.A1111;
        private String emphasis = "Original";
        private int clipSkip = 1;
        private int originalWidth;
        private int originalHeight;
        private int targetWidth;
        private int targetHeight;
        private int cropTop;
        private int cropLeft;
        private List<LoraStack.Request> loras = List.of();
        private Path loraDir;

        public Builder prompt(String v) { prompt = v; return this; }
        public Builder negativePrompt(String v) { negativePrompt = v; return this; }
        public Builder animagine(AnimagineSettings v) { animagine = v; return this; }
        public Builder verbatim(boolean v) { verbatim = v; return this; }
        public Builder size(ImageSize v) { size = v; return this; }
        public Builder size(int width, int height) { size = new ImageSize(width, height); return this; }
        public Builder steps(int v) { steps = v; return this; }
        public Builder cfgScale(double v) { cfgScale = v; return this; }
        public Builder sampler(String v) { sampler = v; return this; }
        public Builder schedule(String v) { schedule = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder batchCount(int v) { batchCount = v; return this; }
        public Builder rng(String v) { rng = v; return this; }
        public Builder compat(Compat v) { compat = v; return this; }
        public Builder emphasis(String v) { emphasis = v; return this; }
        public Builder clipSkip(int v) { clipSkip = v; return this; }
        public Builder originalSize(int width, int height) { originalWidth = width; originalHeight = height; return this; }
        public Builder targetSize(int width, int height) { targetWidth = width; targetHeight = height; return this; }
        public Builder crop(int top, int left) { cropTop = top; cropLeft = left; return this; }
        public Builder loras(List<LoraStack.Request> v) { loras = v; return this; }
        public Builder loraDir(Path v) { loraDir = v; return this; }

        public ImageRequest build() {
            return new ImageRequest(prompt, negativePrompt, animagine, verbatim, size, steps, cfgScale, sampler, schedule, seed,
                    batchCount, rng, compat, emphasis, clipSkip, originalWidth, originalHeight, targetWidth, targetHeight, cropTop, cropLeft,
                    loras, loraDir);
        }
    }
}
