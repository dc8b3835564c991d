package dev.animagine.core.service;

import dev.animagine.core.InvalidArgumentException;
import dev.animagine.core.InvalidRequestException;
import dev.animagine.core.image.A1111Resize;
import dev.animagine.core.image.InitImage;
import dev.animagine.core.pipeline.A1111Img2Img;
import dev.animagine.core.pipeline.HiresUpscaler;
import dev.animagine.core.pipeline.LatentUpscaler;
import dev.animagine.core.sampling.Sampler;
import dev.animagine.core.sampling.ScheduleType;
import dev.animagine.core.sampling.a1111.A1111Sampler;
import dev.animagine.core.sampling.a1111.RngSource;
import dev.animagine.core.sampling.a1111.SigmaSchedule;
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
 * @param sampler        sampler name: an id such as {@code euler_a}, an A1111 name such as "DPM++ 2M", an old
 *                       combined name such as "DPM++ 2M Karras" or a k-diffusion id such as {@code dpmpp_2m}
 * @param schedule       schedule name ({@code default}, {@code karras}, A1111's "SGM Uniform", ...)
 * @param seed           the first image's seed; -1 picks one at random
 * @param batchCount     batches made one after another (A1111's n_iter), seeds continuing from batch to batch
 * @param batchSize      images per batch, denoised together in every UNet evaluation (A1111's batch size,
 *                       diffusers' num_images_per_prompt); image i of batch b has seed seed + b·batchSize + i
 * @param rng            noise source: cpu, gpu or nv (A1111's NVIDIA numbers); default gpu in A1111 mode, cpu in diffusers mode
 * @param compat         whose behaviour to reproduce
 * @param emphasis       A1111 emphasis mode name ("Original", "No norm", "Ignore", "None")
 * @param clipSkip       text-encoder layers skipped; 1 = SDXL's penultimate layer
 * @param originalWidth  SDXL size conditioning (original size); 0: the image size (with originalHeight)
 * @param originalHeight see originalWidth
 * @param targetWidth    SDXL size conditioning (target size); 0: the image size (with targetHeight)
 * @param targetHeight   see targetWidth
 * @param cropTop        SDXL crop conditioning, pixels
 * @param cropLeft       SDXL crop conditioning, pixels
 * @param initImage      img2img / inpainting: the picture to start from, or null for txt2img
 * @param strength       denoising strength in (0, 1]; null: 0.75 in A1111 mode, diffusers' 0.3 (img2img) / 0.9999 (inpainting)
 * @param resizeMode     A1111's resize mode when the size differs from the init image's: just-resize, crop-and-resize, resize-and-fill
 * @param mask           inpainting mask (white = repaint), the init image's size, or null
 * @param maskBlur       A1111's mask blur in pixels; null: 4 in A1111 mode, none with diffusers
 * @param maskInvert     repaint the black part instead ("inpaint not masked")
 * @param inpaintFill    A1111's masked content: original, fill, latent-noise, latent-nothing
 * @param inpaintArea    whole (the whole picture) or masked (A1111's "only masked": crop, work at the size, paste back)
 * @param inpaintPadding "only masked" padding in pixels
 * @param hires          the hires fix of a txt2img request, or null
 * @param sampling       A1111's seed and sampler settings (variation seed, ENSD, NGMS, eta, ...)
 * @param loras          adapter files with their text-encoder and UNet weights, applied after the prompt's
 *                       {@code <lora:...>} tags (a bare name is looked up in the LoRA folder)
 * @param loraDir        where {@code <lora:NAME>} tags are looked up; null: a {@code Lora/} folder next
 *                       to the model, else {@code models/Lora}
 * @param deepCacheInterval DeepCache: the full UNet every N-th UNet call, the shallow branch on the cached
 *                       deep feature between (N >= 1); 0 = off
 * @param cfgCutoff      CFG cutoff ratio R in [0, 1]: after step int(steps * R) only the prompt's pass runs
 *                       (diffusers' SDXLCFGCutoffCallback); 1 = off
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
        int batchSize,
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
        InitImage initImage,
        Double strength,
        String resizeMode,
        InitImage mask,
        Integer maskBlur,
        boolean maskInvert,
        String inpaintFill,
        String inpaintArea,
        int inpaintPadding,
        HiresSettings hires,
        SamplingOptions sampling,
        List<LoraStack.Request> loras,
        Path loraDir,
        int deepCacheInterval,
        double cfgCutoff) {

    public static final int MAX_STEPS = 10_000;
    public static final int MAX_BATCH_COUNT = 10_000;
    /** A1111's UI allows 8; a bound keeps one UNet batch's activations in memory. */
    public static final int MAX_BATCH_SIZE = 64;

    public ImageRequest {
        if (prompt == null) prompt = "";
        if (animagine == null) animagine = AnimagineSettings.NONE;
        if (sampler == null) sampler = "euler_a";
        if (schedule == null) schedule = "default";
        if (rng == null) rng = compat == Compat.DIFFUSERS ? "cpu" : "gpu";
        if (compat == null) compat = Compat.A1111;
        if (emphasis == null) emphasis = "Original";
        if (resizeMode == null) resizeMode = "just-resize";
        if (inpaintFill == null) inpaintFill = "original";
        if (inpaintArea == null) inpaintArea = "whole";
        if (sampling == null) sampling = SamplingOptions.DEFAULTS;
        loras = loras == null ? List.of() : List.copyOf(loras);
    }

    /** Images the request makes: batchCount x batchSize. */
    public int imageCount() {
        return batchCount * batchSize;
    }

    /** Whether the request starts from a picture. */
    public boolean img2img() {
        return initImage != null;
    }

    /** The denoising strength to run: the given one, else the mode's default. */
    public double strengthOrDefault() {
        if (strength != null) return strength;
        if (compat == Compat.DIFFUSERS) return mask != null ? 0.9999 : 0.3;
        return 0.75;
    }

    /** The mask blur to run: the given one, else 4 in A1111 mode and 0 with diffusers (which has none). */
    public int maskBlurOrDefault() {
        return maskBlur != null ? maskBlur : compat == Compat.DIFFUSERS ? 0 : 4;
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
        if (batchSize < 1) throw new InvalidRequestException("batchSize", "must be at least 1 (got " + batchSize + ")");
        if (batchSize > MAX_BATCH_SIZE)
            throw new InvalidRequestException("batchSize", "must be at most " + MAX_BATCH_SIZE + " (got " + batchSize + ")");
        if ((long) batchCount * batchSize > MAX_BATCH_COUNT)
            throw new InvalidRequestException("batchSize", "batchCount x batchSize must be at most " + MAX_BATCH_COUNT + " images (got "
                    + batchCount + " x " + batchSize + ")");
        if (clipSkip < 1) throw new InvalidRequestException("clipSkip", "must be at least 1 (got " + clipSkip + ")");
        if (deepCacheInterval < 0)
            throw new InvalidRequestException("deepCacheInterval", "must be at least 1 (0 = off; got " + deepCacheInterval + ")");
        if (!(cfgCutoff >= 0 && cfgCutoff <= 1))
            throw new InvalidRequestException("cfgCutoff", "must be between 0 and 1 (1 = off; got " + cfgCutoff + ")");
        if (size != null) checkSize("size", size);
        checkConditioningSize("originalSize", originalWidth, originalHeight);
        checkConditioningSize("targetSize", targetWidth, targetHeight);
        if (cropTop < 0 || cropLeft < 0)
            throw new InvalidRequestException("crop", "must be non-negative (got " + cropTop + "," + cropLeft + ")");
        validateImageInputs();
        sampling.validate();
        for (LoraStack.Request l : loras)
            if (!Float.isFinite(l.te()) || !Float.isFinite(l.unet()))
                throw new InvalidRequestException("loras", l.path() + ": weight must be a number (got " + l.te() + ", " + l.unet() + ")");
        resolve();
        return this;
    }

    private void validateImageInputs() {
        if (strength != null && !(strength > 0 && strength <= 1))
            throw new InvalidRequestException("strength", "must be in (0, 1] (got " + strength + ")");
        if (mask != null && initImage == null) throw new InvalidRequestException("mask", "needs an init image to inpaint");
        if (maskBlur != null && (maskBlur < 0 || maskBlur > 256))
            throw new InvalidRequestException("maskBlur", "must be between 0 and 256 pixels (got " + maskBlur + ")");
        if (inpaintPadding < 0) throw new InvalidRequestException("inpaintPadding", "must not be negative (got " + inpaintPadding + ")");
        A1111Resize resize = field("resizeMode", () -> A1111Resize.byId(resizeMode));
        if (compat == Compat.DIFFUSERS && initImage != null && resize != A1111Resize.JUST_RESIZE)
            throw new InvalidRequestException("resizeMode", "is an A1111 option; diffusers stretches the picture to the size (use --compat a1111)");
        if (resize == A1111Resize.LATENT_UPSCALE && mask != null)
            throw new InvalidRequestException("resizeMode", "latent-upscale is for img2img without a mask (use just-resize, crop-and-resize or resize-and-fill)");
        A1111Img2Img.MaskedContent fill = field("inpaintFill", () -> A1111Img2Img.MaskedContent.byId(inpaintFill));
        boolean onlyMasked = onlyMasked();
        if (compat == Compat.DIFFUSERS && mask != null) {
            if (fill != A1111Img2Img.MaskedContent.ORIGINAL)
                throw new InvalidRequestException("inpaintFill", "is an A1111 option; diffusers inpaints from the original (use --compat a1111)");
            if (onlyMasked) throw new InvalidRequestException("inpaintArea", "masked is an A1111 option (use --compat a1111)");
            if (maskBlur != null && maskBlur > 0)
                throw new InvalidRequestException("maskBlur", "is an A1111 option; diffusers does not blur the mask (use --compat a1111)");
        }
        if (hires != null) validateHires();
    }

    /** "whole" or "masked" (A1111's "only masked"). */
    public boolean onlyMasked() {
        String a = inpaintArea.strip().toLowerCase(java.util.Locale.ROOT).replace('_', '-').replace(' ', '-');
        return switch (a) {
            case "whole", "whole-picture" -> false;
            case "masked", "only-masked" -> true;
            default -> throw new InvalidRequestException("inpaintArea", "must be whole or masked (got '" + inpaintArea + "')");
        };
    }

    private void validateHires() {
        HiresSettings h = hires;
        if (initImage != null) throw new InvalidRequestException("hires", "applies to txt2img only (not with an init image), as in A1111");
        if (h.scale() != null && !(h.scale() > 0 && h.scale() <= 8))
            throw new InvalidRequestException("hiresScale", "must be above 0 and at most 8 (got " + h.scale() + ")");
        if (h.sizeGiven()) {
            if (h.scale() != null) throw new InvalidRequestException("hiresSize", "and hiresScale are alternatives: give one");
            if (h.width() <= 0 || h.height() <= 0 || h.width() % 8 != 0 || h.height() % 8 != 0 || h.width() > 8192 || h.height() > 8192)
                throw new InvalidRequestException("hiresSize", "must be positive multiples of 8 up to 8192 (got " + h.width() + "x" + h.height() + ")");
        }
        if (h.scale() == null && !h.sizeGiven()) throw new InvalidRequestException("hiresScale", "(or a hires size) is needed for a hires pass");
        if (h.denoise() != null && !(h.denoise() > 0 && h.denoise() <= 1))
            throw new InvalidRequestException("hiresDenoise", "must be in (0, 1] (got " + h.denoise() + ")");
        if (h.steps() < 0 || h.steps() > MAX_STEPS)
            throw new InvalidRequestException("hiresSteps", "must be between 0 (= steps) and " + MAX_STEPS + " (got " + h.steps() + ")");
        HiresUpscaler upscaler = field("hiresUpscaler", () -> HiresUpscaler.byId(h.upscalerOrDefault(compat)));
        if (compat == Compat.DIFFUSERS && !(upscaler instanceof LatentUpscaler))
            throw new InvalidRequestException("hiresUpscaler", upscaler.a1111Name() + " is an A1111 image upscaler; diffusers mode (the Animagine space) "
                    + "upscales latents only (use a latent upscaler or --compat a1111)");
        if (h.sampler() != null && compat == Compat.A1111) {
            field("hiresSampler", () -> A1111Sampler.byName(h.sampler()));
        } else if (h.sampler() != null) {
            Sampler s = field("hiresSampler", () -> Sampler.byId(h.sampler()));
            ScheduleType t = field("schedule", () -> ScheduleType.byId(schedule));
            if (!s.supports(t)) throw new InvalidRequestException("hiresSampler", s.id() + " has no " + t.id() + " schedule");
        }
    }

    /** The named enumerations of a request, checked. */
    record Resolved(Sampler sampler, ScheduleType schedule, EmphasisMode emphasis, A1111Sampler.Choice a1111, RngSource rngSource) {}

    Resolved resolve() {
        if (compat == Compat.A1111) return resolveA1111();
        Sampler s = field("sampler", () -> Sampler.byId(sampler));
        ScheduleType t = field("schedule", () -> ScheduleType.byId(schedule));
        if (!s.supports(t)) throw new InvalidRequestException("schedule", t.id() + " is not available for sampler " + s.id());
        if (!rng.strip().equalsIgnoreCase("cpu")) throw new InvalidRequestException("rng", "must be cpu (got '" + rng + "')");
        if (sampling.subseedStrength() != 0)
            throw new InvalidRequestException("subseedStrength", "a variation seed is an A1111 option; diffusers has none (use --compat a1111)");
        if (sampling.seedResizeFromW() != 0 || sampling.seedResizeFromH() != 0)
            throw new InvalidRequestException("seedResizeFrom", "is an A1111 option; diffusers has none (use --compat a1111)");
        if (sampling.anySet()) throw new InvalidRequestException("compat", "diffusers has no A1111 seed or sampler settings (variation seed, ENSD, NGMS, eta...)");
        EmphasisMode e = field("emphasis", () -> EmphasisMode.fromA1111Name(emphasis));
        return new Resolved(s, t, e, null, RngSource.CPU);
    }

    /** A1111 mode: A1111's samplers and schedule types, and its noise sources. */
    private Resolved resolveA1111() {
        SigmaSchedule given = isDefaultSchedule(schedule) ? SigmaSchedule.AUTOMATIC : field("schedule", () -> SigmaSchedule.byName(schedule));
        A1111Sampler.Choice c = field("sampler", () -> A1111Sampler.parse(sampler, given.label()));
        // UniPC (order 3) needs as many steps as its order; said before the model runs
        if (c.sampler() == A1111Sampler.UNIPC && steps < 3) throw new InvalidRequestException("steps", "must be at least 3 for UniPC (got " + steps + ")");
        checkUniPcImg2Img(c);
        RngSource r = field("rng", () -> RngSource.byId(rng));
        EmphasisMode e = field("emphasis", () -> EmphasisMode.fromA1111Name(emphasis));
        // the engine-level request names a diffusers sampler too (unused by the A1111 sampler)
        Sampler s = java.util.Arrays.stream(Sampler.values()).filter(x -> x.id().equals(c.sampler().id())).findFirst().orElse(Sampler.EULER_A);
        return new Resolved(s, ScheduleType.DEFAULT, e, c, r);
    }

    /**
     * UniPC in img2img runs {@code t_enc = int(min(d, 0.999) · steps)} steps, in a hires pass {@code S - 1}
     * (S = hires steps or steps); A1111's UniPC asserts at least its order (3).
     */
    private void checkUniPcImg2Img(A1111Sampler.Choice c) {
        if (initImage != null && c.sampler() == A1111Sampler.UNIPC) {
            int tEnc = (int) (Math.min(strengthOrDefault(), 0.999) * steps);
            if (tEnc < 3) throw new InvalidRequestException("strength", "with " + steps + " steps leaves UniPC int(strength * steps) = " + tEnc
                    + " steps; it needs at least 3 (raise the strength or the steps)");
        }
        if (hires == null) return;
        A1111Sampler hs = hires.sampler() == null ? c.sampler() : A1111Sampler.byName(hires.sampler());
        int s = hires.steps() > 0 ? hires.steps() : steps;
        if (hs == A1111Sampler.UNIPC && s - 1 < 3)
            throw new InvalidRequestException("hiresSteps", "UniPC's hires pass runs hires steps - 1 = " + (s - 1) + " steps; it needs at least 3 (use 4 or more)");
    }

    private static boolean isDefaultSchedule(String name) {
        return name.isBlank() || name.strip().equalsIgnoreCase("default");
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
        b.batchSize = batchSize;
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
        b.initImage = initImage;
        b.strength = strength;
        b.resizeMode = resizeMode;
        b.mask = mask;
        b.maskBlur = maskBlur;
        b.maskInvert = maskInvert;
        b.inpaintFill = inpaintFill;
        b.inpaintArea = inpaintArea;
        b.inpaintPadding = inpaintPadding;
        b.hires = hires;
        b.sampling = sampling;
        b.loras = loras;
        b.loraDir = loraDir;
        b.deepCacheInterval = deepCacheInterval;
        b.cfgCutoff = cfgCutoff;
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
        private int batchSize = 1;
        private String rng;
        private Compat compat = Compat.A1111;
        private String emphasis = "Original";
        private int clipSkip = 1;
        private int originalWidth;
        private int originalHeight;
        private int targetWidth;
        private int targetHeight;
        private int cropTop;
        private int cropLeft;
        private InitImage initImage;
        private Double strength;
        private String resizeMode = "just-resize";
        private InitImage mask;
        private Integer maskBlur;
        private boolean maskInvert;
        private String inpaintFill = "original";
        private String inpaintArea = "whole";
        private int inpaintPadding = 32;
        private HiresSettings hires;
        private boolean animagineUpscale;
        private SamplingOptions sampling = SamplingOptions.DEFAULTS;
        private List<LoraStack.Request> loras = List.of();
        private Path loraDir;
        private int deepCacheInterval;
        private double cfgCutoff = 1;

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
        public Builder batchSize(int v) { batchSize = v; return this; }
        public Builder rng(String v) { rng = v; return this; }
        public Builder compat(Compat v) { compat = v; return this; }
        public Builder emphasis(String v) { emphasis = v; return this; }
        public Builder clipSkip(int v) { clipSkip = v; return this; }
        public Builder originalSize(int width, int height) { originalWidth = width; originalHeight = height; return this; }
        public Builder targetSize(int width, int height) { targetWidth = width; targetHeight = height; return this; }
        public Builder crop(int top, int left) { cropTop = top; cropLeft = left; return this; }
        public Builder initImage(InitImage v) { initImage = v; return this; }
        public Builder strength(Double v) { strength = v; return this; }
        public Builder resizeMode(String v) { resizeMode = v; return this; }
        public Builder mask(InitImage v) { mask = v; return this; }
        public Builder maskBlur(Integer v) { maskBlur = v; return this; }
        public Builder maskInvert(boolean v) { maskInvert = v; return this; }
        public Builder inpaintFill(String v) { inpaintFill = v; return this; }
        public Builder inpaintArea(String v) { inpaintArea = v; return this; }
        public Builder inpaintPadding(int v) { inpaintPadding = v; return this; }
        public Builder hires(HiresSettings v) { hires = v; return this; }
        public Builder hiresScale(Double v) { return hires(h(v, h().width(), h().height(), h().denoise(), h().steps(), h().upscaler(), h().sampler(), h().prompt(), h().negativePrompt(), h().reseed())); }
        public Builder hiresSize(int width, int height) { return hires(h(h().scale(), width, height, h().denoise(), h().steps(), h().upscaler(), h().sampler(), h().prompt(), h().negativePrompt(), h().reseed())); }
        public Builder hiresDenoise(Double v) { return hires(h(h().scale(), h().width(), h().height(), v, h().steps(), h().upscaler(), h().sampler(), h().prompt(), h().negativePrompt(), h().reseed())); }
        public Builder hiresSteps(int v) { return hires(h(h().scale(), h().width(), h().height(), h().denoise(), v, h().upscaler(), h().sampler(), h().prompt(), h().negativePrompt(), h().reseed())); }
        public Builder hiresUpscaler(String v) { return hires(h(h().scale(), h().width(), h().height(), h().denoise(), h().steps(), v, h().sampler(), h().prompt(), h().negativePrompt(), h().reseed())); }
        public Builder hiresSampler(String v) { return hires(h(h().scale(), h().width(), h().height(), h().denoise(), h().steps(), h().upscaler(), v, h().prompt(), h().negativePrompt(), h().reseed())); }
        public Builder hiresPrompt(String v) { return hires(h(h().scale(), h().width(), h().height(), h().denoise(), h().steps(), h().upscaler(), h().sampler(), v, h().negativePrompt(), h().reseed())); }
        public Builder hiresNegativePrompt(String v) { return hires(h(h().scale(), h().width(), h().height(), h().denoise(), h().steps(), h().upscaler(), h().sampler(), h().prompt(), v, h().reseed())); }
        public Builder hiresReseed(boolean v) { return hires(h(h().scale(), h().width(), h().height(), h().denoise(), h().steps(), h().upscaler(), h().sampler(), h().prompt(), h().negativePrompt(), v)); }
        /** The Animagine space's hires preset (x1.5, nearest-exact, strength 0.55); hires values given explicitly win. */
        public Builder animagineUpscale(boolean v) { animagineUpscale = v; return this; }

        private HiresSettings h() {
            return hires != null ? hires : new HiresSettings(null, 0, 0, null, 0, null, null, null, null, false);
        }

        private static HiresSettings h(Double scale, int w, int hgt, Double denoise, int steps, String upscaler, String sampler, String prompt,
                                       String negative, boolean reseed) {
            return new HiresSettings(scale, w, hgt, denoise, steps, upscaler, sampler, prompt, negative, reseed);
        }
        public Builder sampling(SamplingOptions v) { sampling = v; return this; }
        public Builder loras(List<LoraStack.Request> v) { loras = v; return this; }
        public Builder loraDir(Path v) { loraDir = v; return this; }
        /** DeepCache's interval N (the full UNet every N-th call); 0 = off. */
        public Builder deepCacheInterval(int v) { deepCacheInterval = v; return this; }
        /** The CFG cutoff ratio in [0, 1]; 1 = off. */
        public Builder cfgCutoff(double v) { cfgCutoff = v; return this; }

        public ImageRequest build() {
            HiresSettings hr = hires;
            if (animagineUpscale) {
                HiresSettings b = h();
                hr = new HiresSettings(b.scale() == null && !b.sizeGiven() ? HiresSettings.ANIMAGINE_SCALE : b.scale(), b.width(), b.height(),
                        b.denoise() == null ? HiresSettings.ANIMAGINE_DENOISE : b.denoise(), b.steps(),
                        b.upscaler() == null ? HiresSettings.ANIMAGINE_UPSCALER : b.upscaler(), b.sampler(), b.prompt(), b.negativePrompt(), b.reseed());
            }
            return new ImageRequest(prompt, negativePrompt, animagine, verbatim, size, steps, cfgScale, sampler, schedule, seed,
                    batchCount, batchSize, rng, compat, emphasis, clipSkip, originalWidth, originalHeight, targetWidth, targetHeight, cropTop, cropLeft,
                    initImage, strength, resizeMode, mask, maskBlur, maskInvert, inpaintFill, inpaintArea, inpaintPadding, hr,
                    sampling,
                    loras, loraDir, deepCacheInterval, cfgCutoff);
        }
    }
}
