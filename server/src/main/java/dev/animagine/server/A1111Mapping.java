package dev.animagine.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.animagine.core.InvalidArgumentException;
import dev.animagine.core.InvalidRequestException;
import dev.animagine.core.animagine.AnimagineVersion;
import dev.animagine.core.animagine.AspectRatio;
import dev.animagine.core.animagine.Rating;
import dev.animagine.core.service.AnimagineSettings;
import dev.animagine.core.service.ImageRequest;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * <b>The one place where A1111's request fields become an engine {@link ImageRequest}.</b>
 * <p>
 * Every field A1111's txt2img/img2img models define is accepted, with A1111's defaults (Euler,
 * 50 steps, CFG 7, 512x512, seed -1). Fields whose engine support has not landed yet are refused
 * with a 422 naming the field (see the section "NOT IN THE ENGINE YET" below: the lead extends it
 * as LoRA, variation seeds and infotext parsing land), never silently
 * dropped into a different image. Fields that do not change the image (restore_faces=false,
 * do_not_save_grid, ...) and unknown ones (alwayson_scripts, ...) are accepted and listed in the
 * answer's {@code info} as notes.
 * <p>
 * Animagine's prompt conventions are opt-in: an {@code animagine} object in the request (or the
 * {@code animagine} override setting) turns them on; otherwise the prompt is used exactly as sent.
 */
public final class A1111Mapping {
    /** What a txt2img/img2img body asks for. */
    public record Mapped(JobSpec spec, ObjectNode parameters, int batchSize, int nIter, boolean sendImages, String samplerName,
                         String schedulerName, boolean restoreOptions) {}

    /** The A1111 fields (StableDiffusionProcessingTxt2Img / Img2Img API models) this server knows. */
    static final Set<String> KNOWN = Set.of(
            "prompt", "negative_prompt", "styles", "seed", "subseed", "subseed_strength", "seed_resize_from_h", "seed_resize_from_w",
            "sampler_name", "sampler_index", "scheduler", "batch_size", "n_iter", "steps", "cfg_scale", "distilled_cfg_scale", "width",
            "height", "restore_faces", "tiling", "do_not_save_samples", "do_not_save_grid", "eta", "denoising_strength", "s_min_uncond",
            "s_churn", "s_tmax", "s_tmin", "s_noise", "override_settings", "override_settings_restore_afterwards", "refiner_checkpoint",
            "refiner_switch_at", "disable_extra_networks", "firstpass_image", "comments", "enable_hr", "firstphase_width",
            "firstphase_height", "hr_scale", "hr_upscaler", "hr_second_pass_steps", "hr_resize_x", "hr_resize_y", "hr_checkpoint_name",
            "hr_additional_modules", "hr_sampler_name", "hr_scheduler", "hr_prompt", "hr_negative_prompt", "hr_cfg", "hr_distilled_cfg",
            "force_task_id", "script_name", "script_args", "send_images", "save_images", "alwayson_scripts", "infotext",
            "init_images", "resize_mode", "image_cfg_scale", "mask", "mask_blur", "mask_blur_x", "mask_blur_y", "mask_round",
            "inpainting_fill", "inpaint_full_res", "inpaint_full_res_padding", "inpainting_mask_invert", "initial_noise_multiplier",
            "latent_mask", "include_init_images", "animagine", StepSavingsFields.DEEPCACHE, StepSavingsFields.CFG_CUTOFF);

    /** Defaults A1111 gives a txt2img request (modules/api/models.py and processing.py). */
    static final int DEFAULT_STEPS = 50, DEFAULT_SIZE = 512;
    static final double DEFAULT_CFG = 7.0;
    static final String DEFAULT_SAMPLER = "Euler";

    private static final Pattern EXTRA_NETWORK = Pattern.compile("<(lora|lyco|hypernet):([^:>]*)(?::[^>]*)?>", Pattern.CASE_INSENSITIVE);

    private final ModelHost host;
    private final Limits limits;

    public A1111Mapping(ModelHost host, Limits limits) {
        this.host = host;
        this.limits = limits;
    }

    public Mapped txt2img(ObjectNode body, Map<String, Object> options) {
        return map(body, options, false);
    }

    public Mapped img2img(ObjectNode body, Map<String, Object> options) {
        return map(body, options, true);
    }

    private Mapped map(ObjectNode body, Map<String, Object> options, boolean img2img) {
        List<String> notes = new ArrayList<>();
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!KNOWN.contains(f)) notes.add(f + " is not supported and was ignored");
        }
        ObjectNode overrides = Fields.object(body, "override_settings");
        String prompt = Fields.string(body, "prompt", "", limits.maxPromptChars());
        String negative = Fields.string(body, "negative_prompt", "", limits.maxPromptChars());
        List<String> styles = Fields.strings(body, "styles");
        if (!styles.isEmpty()) notes.add("styles " + styles + " ignored (this server has no prompt styles)");
        long seed = Fields.integer(body, "seed", -1, -1, 0xFFFFFFFFL);
        int steps = Fields.int32(body, "steps", DEFAULT_STEPS, 1, limits.maxSteps());
        double cfg = Fields.number(body, "cfg_scale", DEFAULT_CFG, 0, 100);
        int width = Fields.int32(body, "width", DEFAULT_SIZE, 8, limits.maxSide());
        int height = Fields.int32(body, "height", DEFAULT_SIZE, 8, limits.maxSide());
        checkSize(width, height);
        int batchSize = Fields.int32(body, "batch_size", 1, 1, limits.maxImages());
        int nIter = Fields.int32(body, "n_iter", 1, 1, limits.maxImages());
        if ((long) batchSize * nIter > limits.maxImages())
            throw ApiException.unprocessable("batch_size", "batch_size x n_iter is " + (batchSize * nIter) + ", at most " + limits.maxImages());
        A1111Samplers.Selection sampler = A1111Samplers.selection(body, DEFAULT_SAMPLER);
        boolean sendImages = Fields.bool(body, "send_images", true);
        boolean save = Fields.bool(body, "save_images", false);
        String taskId = Fields.string(body, "force_task_id", null);
        boolean restore = Fields.bool(body, "override_settings_restore_afterwards", true);

        // checkpoint: override_settings.sd_model_checkpoint, else the selected one (options)
        ModelCatalog.Entry checkpoint = host.selected();
        String named = Fields.string(overrides, "sd_model_checkpoint", null);
        if (named != null && !named.isBlank()) checkpoint = host.catalog().checkpoint("override_settings.sd_model_checkpoint", named);
        int clipSkip = Fields.int32(overrides, "CLIP_stop_at_last_layers", optionInt(options, "CLIP_stop_at_last_layers", 1), 1, 12);
        String emphasis = Fields.string(overrides, "emphasis", String.valueOf(options.getOrDefault("emphasis", "Original")));
        checkVae(Fields.string(overrides, "sd_vae", null));
        String format = Fields.string(overrides, "samples_format", String.valueOf(options.getOrDefault("samples_format", "png")));
        if (!format.equalsIgnoreCase("png")) throw ApiException.unprocessable("samples_format", "only png is produced (got '" + format + "')");
        for (Iterator<String> it = overrides.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!Set.of("sd_model_checkpoint", "CLIP_stop_at_last_layers", "emphasis", "sd_vae", "samples_format", "animagine").contains(k)
                    && !StepSavingsFields.NAMES.contains(k))
                notes.add("override_settings." + k + " ignored");
        }

        ignoredWhenDefault(body, notes);
        notYetInTheEngine(body, prompt, negative, img2img);

        AnimagineSettings animagine = animagine(body, overrides);
        boolean conventions = animagine != null;
        ImageRequest.Builder builder = ImageRequest.builder()
                .prompt(prompt)
                .negativePrompt(negative)
                .animagine(conventions ? animagine : AnimagineSettings.NONE)
                .verbatim(!conventions)
                .size(width, height)
                .steps(steps)
                .cfgScale(cfg)
                .sampler(sampler.sampler())
                .schedule(A1111Samplers.engineSchedule(sampler))
                .seed(seed)
                .batchCount(nIter)
                .batchSize(batchSize)
                .emphasis(emphasis)
                .clipSkip(clipSkip)
                .loraDir(host.catalog().loraDir());
        StepSavingsFields.apply(body, overrides, builder);
        A1111ImageFields.variation(body, builder);
        if (img2img) A1111ImageFields.img2img(body, builder, limits, notes);
        else A1111ImageFields.hires(body, builder, new int[] {width, height}, sampler.sampler());
        ImageRequest request = builder.build();
        validate(request, sampler.field());

        ObjectNode parameters = body.deepCopy();
        fillDefaults(parameters, img2img);
        JobSpec spec = new JobSpec(request, checkpoint, save, "a1111", notes, taskId);
        return new Mapped(spec, parameters, batchSize, nIter, sendImages, sampler.samplerLabel(), sampler.scheduleLabel(), restore);
    }

    // ---------------------------------------------------------------------------------------------
    // NOT IN THE ENGINE YET: each check below names the A1111 field and answers 422. When the engine
    // gains the feature, replace the check by the mapping onto ImageRequest.
    // ---------------------------------------------------------------------------------------------
    private void notYetInTheEngine(ObjectNode body, String prompt, String negative, boolean img2img) {
        String infotext = Fields.string(body, "infotext", null);
        if (infotext != null && !infotext.isBlank())
            throw ApiException.unprocessable("infotext", "reading settings from infotext is not supported by this engine yet");
        String refiner = Fields.string(body, "refiner_checkpoint", null);
        if (refiner != null && !refiner.isBlank() && !refiner.equalsIgnoreCase("None"))
            throw ApiException.unprocessable("refiner_checkpoint", "a refiner is not supported by this engine");
        String script = Fields.string(body, "script_name", null);
        if (script != null && !script.isBlank()) throw ApiException.unprocessable("script_name", "scripts are not supported ('" + script + "')");
        if (Fields.bool(body, "tiling", false)) throw ApiException.unprocessable("tiling", "tiling is not supported by this engine");
        if (Fields.bool(body, "restore_faces", false)) throw ApiException.unprocessable("restore_faces", "face restoration is not supported by this engine");
        extraNetworks("prompt", prompt);
        extraNetworks("negative_prompt", negative);
    }

    /**
     * {@code <lora:name:weight>} / {@code <lyco:...>} in a prompt: the name must be one of the listed
     * LoRAs (never a path); the engine resolves and applies it in the server's LoRA folder.
     * Hypernetworks are not supported.
     */
    private void extraNetworks(String field, String prompt) {
        Matcher m = EXTRA_NETWORK.matcher(prompt);
        while (m.find()) {
            String kind = m.group(1).toLowerCase(Locale.ROOT);
            String name = m.group(2).strip();
            ModelCatalog.refusePaths(field, name);
            if (kind.equals("hypernet"))
                throw ApiException.unprocessable(field, "<" + kind + ":" + name + "> needs hypernetwork support, which this engine does not have");
            if (host.catalog().lora(name).isEmpty())
                throw new ApiException(404, "HTTPException", field, field + ": no LoRA named '" + name + "' (see /sdapi/v1/loras)");
        }
    }
    // --------------------------------- end of NOT IN THE ENGINE YET ---------------------------------

    /** Fields that change nothing at their default; a non-default value is only noted. */
    private static void ignoredWhenDefault(ObjectNode body, List<String> notes) {
        for (String f : List.of("eta", "s_min_uncond", "s_churn", "s_tmax", "s_tmin", "s_noise"))
            if (Fields.given(body, f)) notes.add(f + " ignored (the engine's samplers use their defaults)");
        if (Fields.given(body, "alwayson_scripts") && !Fields.object(body, "alwayson_scripts").isEmpty())
            notes.add("alwayson_scripts ignored (no scripts on this server)");
        if (Fields.given(body, "script_args") && body.get("script_args").size() > 0) notes.add("script_args ignored");
        if (Fields.given(body, "comments")) notes.add("comments ignored");
    }

    private void checkSize(int width, int height) {
        if (width % 8 != 0) throw ApiException.unprocessable("width", "must be a multiple of 8 (got " + width + ")");
        if (height % 8 != 0) throw ApiException.unprocessable("height", "must be a multiple of 8 (got " + height + ")");
        if ((long) width * height > limits.maxPixels())
            throw ApiException.unprocessable("width", width + "x" + height + " is more than " + limits.maxPixels() + " pixels");
    }

    private void checkVae(String vae) {
        if (vae == null || vae.isBlank() || vae.equalsIgnoreCase("Automatic") || vae.equalsIgnoreCase("None")) return;
        ModelCatalog.refusePaths("sd_vae", vae);
        throw ApiException.unprocessable("sd_vae", "choosing a VAE per request is not supported (start the server with --vae)");
    }

    private static int optionInt(Map<String, Object> options, String key, int fallback) {
        Object v = options.get(key);
        return v instanceof Number n ? n.intValue() : fallback;
    }

    /**
     * The Animagine options: the request's {@code animagine} object, or {@code override_settings.animagine}
     * (an object, or true for the version's defaults); null when neither asks for the conventions.
     */
    static AnimagineSettings animagine(ObjectNode body, ObjectNode overrides) {
        JsonNode a = body.get("animagine");
        if (a == null || a.isNull()) a = overrides.get("animagine");
        if (a == null || a.isNull() || (a.isBoolean() && !a.booleanValue())) return null;
        if (a.isBoolean()) return AnimagineSettings.NONE;
        if (!a.isObject()) throw ApiException.unprocessable("animagine", "must be an object or true");
        return animagineSettings((ObjectNode) a, "animagine.");
    }

    /** The native API's and A1111's {@code animagine} object. */
    static AnimagineSettings animagineSettings(ObjectNode a, String prefix) {
        try {
            String version = Fields.string(a, "version", null);
            String rating = Fields.string(a, "rating", null);
            String aspect = Fields.string(a, "aspect", null);
            Integer year = Fields.given(a, "year") ? Fields.int32(a, "year", 0, 1900, 2100) : null;
            return new AnimagineSettings(
                    version == null ? null : AnimagineVersion.parse(version),
                    Fields.given(a, "quality") ? Fields.bool(a, "quality", true) : null,
                    Fields.given(a, "default_negative") ? Fields.bool(a, "default_negative", true) : null,
                    rating == null ? null : rating(prefix + "rating", rating),
                    year,
                    Fields.string(a, "character", null, 2000),
                    Fields.string(a, "series", null, 2000),
                    null,
                    aspect == null ? null : AspectRatio.parse(aspect));
        } catch (ApiException e) {
            throw e.field() != null && !e.field().startsWith(prefix) ? new ApiException(e.status(), e.error(), prefix + e.field(),
                    prefix + e.getMessage()) : e;
        } catch (InvalidArgumentException e) {
            throw ApiException.unprocessable(prefix.substring(0, prefix.length() - 1), e.getMessage().replace("--animagine", "version")
                    .replace("--aspect", "aspect"));
        }
    }

    private static Rating rating(String field, String text) {
        for (Rating r : Rating.values()) if (r.flagName().equalsIgnoreCase(text.strip())) return r;
        throw ApiException.unprocessable(field, "must be general, sensitive, questionable or explicit (got '" + text + "')");
    }

    /**
     * Engine validation, with the engine's field names turned into A1111's.
     *
     * @param samplerField the field that named the sampler (sampler_name or sampler_index)
     */
    static void validate(ImageRequest request, String samplerField) {
        try {
            request.validate();
        } catch (InvalidRequestException e) {
            String field = switch (e.field()) {
                case "cfgScale" -> "cfg_scale";
                case "sampler" -> samplerField;
                case "schedule" -> "scheduler";
                case "batchCount" -> "n_iter";
                case "batchSize" -> "batch_size";
                case "clipSkip" -> "CLIP_stop_at_last_layers";
                case "size" -> "width";
                case "deepCacheInterval", "cfgCutoff" -> StepSavingsFields.apiName(e.field());
                default -> A1111ImageFields.a1111Field(e.field());
            };
            throw ApiException.unprocessable(field, e.reason());
        }
    }

    /** The request echoed back as A1111 does: every field, defaults filled in. */
    private static void fillDefaults(ObjectNode p, boolean img2img) {
        putIfAbsent(p, "prompt", "");
        putIfAbsent(p, "negative_prompt", "");
        if (!p.has("styles")) p.putArray("styles");
        putIfAbsent(p, "seed", -1);
        putIfAbsent(p, "subseed", -1);
        putIfAbsent(p, "subseed_strength", 0);
        putIfAbsent(p, "seed_resize_from_h", -1);
        putIfAbsent(p, "seed_resize_from_w", -1);
        if (!p.has("sampler_name")) p.putNull("sampler_name");
        if (!p.has("scheduler")) p.putNull("scheduler");
        putIfAbsent(p, "batch_size", 1);
        putIfAbsent(p, "n_iter", 1);
        putIfAbsent(p, "steps", DEFAULT_STEPS);
        putIfAbsent(p, "cfg_scale", DEFAULT_CFG);
        putIfAbsent(p, "width", DEFAULT_SIZE);
        putIfAbsent(p, "height", DEFAULT_SIZE);
        if (!p.has("restore_faces")) p.putNull("restore_faces");
        if (!p.has("tiling")) p.putNull("tiling");
        putIfAbsent(p, "do_not_save_samples", false);
        putIfAbsent(p, "do_not_save_grid", false);
        // A1111's default for both: img2img's strength, txt2img's hires second pass
        putIfAbsent(p, "denoising_strength", A1111ImageFields.DEFAULT_DENOISE);
        if (!p.has("override_settings")) p.putNull("override_settings");
        putIfAbsent(p, "override_settings_restore_afterwards", true);
        putIfAbsent(p, "sampler_index", DEFAULT_SAMPLER);
        if (!p.has("script_name")) p.putNull("script_name");
        if (!p.has("script_args")) p.putArray("script_args");
        putIfAbsent(p, "send_images", true);
        putIfAbsent(p, "save_images", false);
        if (!p.has("alwayson_scripts")) p.putObject("alwayson_scripts");
        if (!p.has("force_task_id")) p.putNull("force_task_id");
        if (!img2img) {
            putIfAbsent(p, "enable_hr", false);
            putIfAbsent(p, "firstphase_width", 0);
            putIfAbsent(p, "firstphase_height", 0);
            putIfAbsent(p, "hr_scale", 2.0);
            if (!p.has("hr_upscaler")) p.putNull("hr_upscaler");
            putIfAbsent(p, "hr_second_pass_steps", 0);
            putIfAbsent(p, "hr_resize_x", 0);
            putIfAbsent(p, "hr_resize_y", 0);
            putIfAbsent(p, "hr_prompt", "");
            putIfAbsent(p, "hr_negative_prompt", "");
        } else {
            // images are not echoed back (A1111 drops init_images and mask from the parameters too)
            p.putNull("init_images");
            p.putNull("mask");
            putIfAbsent(p, "resize_mode", 0);
            putIfAbsent(p, "mask_blur", 4);
            putIfAbsent(p, "inpainting_fill", 0);
            putIfAbsent(p, "inpaint_full_res", true);
            putIfAbsent(p, "inpaint_full_res_padding", 0);
            putIfAbsent(p, "inpainting_mask_invert", 0);
        }
    }

    private static void putIfAbsent(ObjectNode p, String key, Object value) {
        if (p.has(key)) return;
        p.set(key, Json.MAPPER.valueToTree(value));
    }
}
