package dev.animagine.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.animagine.core.InvalidRequestException;
import dev.animagine.core.service.AnimagineSettings;
import dev.animagine.core.service.Compat;
import dev.animagine.core.service.ImageRequest;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The native API's request body ({@code POST /api/v1/jobs}, {@code POST /api/v1/prompt}): the
 * engine's own fields in snake_case, with the engine's defaults (the Animagine cards': Euler a, 28
 * steps, CFG 5, the version's default size, conventions on). Unknown fields are refused, so a typo
 * does not silently give another image.
 */
final class NativeRequests {
    static final Set<String> FIELDS = Set.of("prompt", "negative_prompt", "animagine", "verbatim", "width", "height", "size", "steps",
            "cfg_scale", "sampler", "schedule", "seed", "batch_count", "batch_size", "compat", "emphasis", "clip_skip", "model", "save",
            "subseed", "subseed_strength", "seed_resize_from_w", "seed_resize_from_h",
            // img2img, inpainting and the hires fix: A1111's field names and defaults (A1111ImageFields)
            "init_images", "denoising_strength", "resize_mode", "mask", "mask_blur", "mask_blur_x", "mask_blur_y", "inpainting_fill",
            "inpaint_full_res", "inpaint_full_res_padding", "inpainting_mask_invert", "enable_hr", "hr_scale", "hr_upscaler",
            "hr_second_pass_steps", "hr_resize_x", "hr_resize_y", "hr_prompt", "hr_negative_prompt", "hr_sampler_name",
            // step savings (DeepCache, CFG cutoff)
            StepSavingsFields.DEEPCACHE, StepSavingsFields.CFG_CUTOFF);

    private NativeRequests() {}

    static JobSpec parse(ObjectNode body, ModelHost host, Limits limits) {
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) throw ApiException.unprocessable(f, "unknown field (known: " + String.join(", ", FIELDS.stream().sorted().toList()) + ")");
        }
        ImageRequest.Builder b = ImageRequest.builder()
                .loraDir(host.catalog().loraDir())
                .prompt(Fields.string(body, "prompt", "", limits.maxPromptChars()))
                .negativePrompt(Fields.string(body, "negative_prompt", null, limits.maxPromptChars()))
                .verbatim(Fields.bool(body, "verbatim", false))
                .steps(Fields.int32(body, "steps", 28, 1, limits.maxSteps()))
                .cfgScale(Fields.number(body, "cfg_scale", 5, 0, 100))
                .sampler(Fields.string(body, "sampler", "euler_a", 100))
                .schedule(Fields.string(body, "schedule", "default", 100))
                .seed(Fields.integer(body, "seed", -1, -1, 0xFFFFFFFFL))
                .batchCount(Fields.int32(body, "batch_count", 1, 1, limits.maxImages()))
                .batchSize(Fields.int32(body, "batch_size", 1, 1, limits.maxImages()))
                .emphasis(Fields.string(body, "emphasis", "Original", 100))
                .clipSkip(Fields.int32(body, "clip_skip", 1, 1, 12));
        StepSavingsFields.apply(body, Json.object(), b);
        String compat = Fields.string(body, "compat", null);
        if (compat != null) {
            try {
                b.compat(Compat.parse(compat));
            } catch (InvalidRequestException e) {
                throw ApiException.unprocessable("compat", e.reason());
            }
        }
        if (Fields.given(body, "animagine")) b.animagine(A1111Mapping.animagineSettings(Fields.object(body, "animagine"), "animagine."));
        else b.animagine(AnimagineSettings.NONE);
        int[] size = size(body, limits);
        if (size != null) b.size(size[0], size[1]);
        A1111ImageFields.variation(body, b);
        List<String> notes = new ArrayList<>();
        if (Fields.given(body, "init_images")) {
            A1111ImageFields.img2img(body, b, limits, notes);
        } else {
            for (String f : List.of("mask", "denoising_strength", "resize_mode"))
                if (Fields.given(body, f) && !(f.equals("denoising_strength") && Fields.bool(body, "enable_hr", false)))
                    throw ApiException.unprocessable(f, "needs init_images");
            A1111ImageFields.hires(body, b, size);
        }
        ImageRequest request = b.build();
        if ((long) request.batchCount() * request.batchSize() > limits.maxImages())
            throw ApiException.unprocessable("batch_size", "batch_count x batch_size is " + request.imageCount() + ", at most " + limits.maxImages());
        try {
            request.validate();
        } catch (InvalidRequestException e) {
            throw ApiException.unprocessable(snake(A1111ImageFields.a1111Field(e.field())), e.reason());
        }
        String model = Fields.string(body, "model", null, 1000);
        ModelCatalog.Entry checkpoint = model == null || model.isBlank() ? host.selected() : host.catalog().checkpoint("model", model);
        return new JobSpec(request, checkpoint, Fields.bool(body, "save", true), "native", notes, null);
    }

    /** width/height, or size "WxH"; null for the version's default (or the animagine aspect). */
    static int[] size(ObjectNode body, Limits limits) {
        String text = Fields.string(body, "size", null, 40);
        boolean wh = Fields.given(body, "width") || Fields.given(body, "height");
        if (text != null && wh) throw ApiException.unprocessable("size", "give size or width/height, not both");
        int w, h;
        String field = "size";
        if (text != null) {
            if (text.equalsIgnoreCase("auto")) return null;
            String[] p = text.toLowerCase(Locale.ROOT).split("x");
            if (p.length != 2 || !p[0].strip().matches("\\d{1,5}") || !p[1].strip().matches("\\d{1,5}"))
                throw ApiException.unprocessable("size", "expected WIDTHxHEIGHT, e.g. 832x1216 (got '" + text + "')");
            w = Integer.parseInt(p[0].strip());
            h = Integer.parseInt(p[1].strip());
        } else if (wh) {
            if (!Fields.given(body, "width") || !Fields.given(body, "height"))
                throw ApiException.unprocessable(Fields.given(body, "width") ? "height" : "width", "width and height go together");
            w = Fields.int32(body, "width", 0, 8, limits.maxSide());
            h = Fields.int32(body, "height", 0, 8, limits.maxSide());
            field = "width";
        } else {
            return null;
        }
        if (w < 8 || h < 8 || w > limits.maxSide() || h > limits.maxSide())
            throw ApiException.unprocessable(field, "each side must be between 8 and " + limits.maxSide() + " (got " + w + "x" + h + ")");
        if (w % 8 != 0 || h % 8 != 0) throw ApiException.unprocessable(field, "must be multiples of 8 (got " + w + "x" + h + ")");
        if ((long) w * h > limits.maxPixels()) throw ApiException.unprocessable(field, w + "x" + h + " is more than " + limits.maxPixels() + " pixels");
        return new int[] {w, h};
    }

    static String snake(String field) {
        return switch (field) {
            case "cfgScale" -> "cfg_scale";
            case "batchCount" -> "batch_count";
            case "batchSize" -> "batch_size";
            case "clipSkip" -> "clip_skip";
            case "deepCacheInterval", "cfgCutoff" -> StepSavingsFields.apiName(field);
            default -> field;
        };
    }
}
