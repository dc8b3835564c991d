package dev.animagine.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.animagine.core.InvalidArgumentException;
import dev.animagine.core.image.InitImage;
import dev.animagine.core.pipeline.HiresUpscaler;
import dev.animagine.core.pipeline.LatentUpscaler;
import dev.animagine.core.service.ImageRequest;
import dev.animagine.core.service.SamplingOptions;

import java.util.List;

/**
 * A1111's img2img, inpainting and hires-fix fields onto an {@link ImageRequest.Builder}, with
 * A1111's API defaults (denoising_strength 0.75, mask_blur 4, inpainting_fill 0 = fill,
 * inpaint_full_res true with 0 padding, hr_scale 2, hr_upscaler Latent). Shared by
 * {@code /sdapi/v1/img2img}, {@code /sdapi/v1/txt2img} and the native job API.
 */
final class A1111ImageFields {
    static final double DEFAULT_DENOISE = 0.75, DEFAULT_HR_SCALE = 2.0;

    private A1111ImageFields() {}

    /** init_images (first one used), mask and the inpainting options. */
    static void img2img(ObjectNode body, ImageRequest.Builder b, Limits limits, List<String> notes) {
        List<String> init = Fields.strings(body, "init_images");
        if (init.isEmpty()) throw ApiException.unprocessable("init_images", "img2img needs at least one image");
        for (int i = 0; i < init.size(); i++) {
            ImageDecoder.Checked c = ImageDecoder.check("init_images[" + i + "]", init.get(i), limits.maxImagePixels());
            if (i == 0) b.initImage(new InitImage(c.bytes(), "init_images[0]"));
        }
        if (init.size() > 1) notes.add("init_images: only the first of " + init.size() + " images is used");
        b.strength(Fields.number(body, "denoising_strength", DEFAULT_DENOISE, 0, 1));
        int resize = Fields.int32(body, "resize_mode", 0, 0, 3);
        b.resizeMode(switch (resize) {
            case 0 -> "just-resize";
            case 1 -> "crop-and-resize";
            case 2 -> "resize-and-fill";
            default -> "latent-upscale";
        });
        String mask = Fields.string(body, "mask", null);
        if (mask == null || mask.isBlank()) return;
        b.mask(new InitImage(ImageDecoder.check("mask", mask, limits.maxImagePixels()).bytes(), "mask"));
        int blur = Fields.int32(body, "mask_blur", 4, 0, 256);
        int blurX = Fields.int32(body, "mask_blur_x", blur, 0, 256);
        int blurY = Fields.int32(body, "mask_blur_y", blur, 0, 256);
        if (blurX != blurY) throw ApiException.unprocessable("mask_blur_x", "mask_blur_x and mask_blur_y must be equal (got " + blurX + " and " + blurY + ")");
        b.maskBlur(Fields.given(body, "mask_blur") ? blur : blurX);
        b.inpaintFill(switch (Fields.int32(body, "inpainting_fill", 0, 0, 3)) {
            case 0 -> "fill";
            case 1 -> "original";
            case 2 -> "latent-noise";
            default -> "latent-nothing";
        });
        b.inpaintArea(flag(body, "inpaint_full_res", true) ? "masked" : "whole");
        b.inpaintPadding(Fields.int32(body, "inpaint_full_res_padding", 0, 0, 4096));
        b.maskInvert(flag(body, "inpainting_mask_invert", false));
    }

    /**
     * enable_hr and the hr_* fields of a txt2img request; nothing when enable_hr is false. {@code size}
     * is the first pass's {width, height}, needed when only one of hr_resize_x/y is given (else null).
     */
    static void hires(ObjectNode body, ImageRequest.Builder b, int[] size) {
        hires(body, b, size, null);
    }

    /**
     * As {@link #hires(ObjectNode, ImageRequest.Builder, int[])} for a request in A1111 mode whose first pass
     * runs {@code firstSampler}, so that hr_scheduler can name another schedule type; null: only "Use same scheduler".
     */
    static void hires(ObjectNode body, ImageRequest.Builder b, int[] size, String firstSampler) {
        if (!Fields.bool(body, "enable_hr", false)) return;
        int x = Fields.int32(body, "hr_resize_x", 0, 0, 8192);
        int y = Fields.int32(body, "hr_resize_y", 0, 0, 8192);
        if (x == 0 && y == 0) {
            b.hiresScale(Fields.number(body, "hr_scale", DEFAULT_HR_SCALE, 0, 8));
        } else {
            if ((x == 0 || y == 0) && size == null)
                throw ApiException.unprocessable(x == 0 ? "hr_resize_x" : "hr_resize_y", "needs width and height to keep the aspect ratio (or give both)");
            // one side given: the other keeps the aspect ratio, as A1111 computes it
            if (y == 0) y = x * size[1] / size[0];
            if (x == 0) x = y * size[0] / size[1];
            if (x % 8 != 0 || y % 8 != 0)
                throw ApiException.unprocessable("hr_resize_x", "the hires size must be multiples of 8 (got " + x + "x" + y + ")");
            b.hiresSize(x, y);
        }
        b.hiresDenoise(Fields.number(body, "denoising_strength", DEFAULT_DENOISE, 0, 1));
        b.hiresSteps(Fields.int32(body, "hr_second_pass_steps", 0, 0, ImageRequest.MAX_STEPS));
        b.hiresUpscaler(upscaler(Fields.string(body, "hr_upscaler", null)));
        hiresSampler(body, b, firstSampler);
        refuseOtherThanSame(body, "hr_checkpoint_name", "Use same checkpoint", "a second-pass checkpoint");
        String prompt = Fields.string(body, "hr_prompt", "");
        if (!prompt.isEmpty()) b.hiresPrompt(prompt);
        String negative = Fields.string(body, "hr_negative_prompt", "");
        if (!negative.isEmpty()) b.hiresNegativePrompt(negative);
    }

    /** A1111's "Use same ..." choices are the only ones the engine's hires pass has. */
    private static void refuseOtherThanSame(ObjectNode body, String field, String same, String what) {
        String v = Fields.string(body, field, null);
        if (v != null && !v.isBlank() && !v.equalsIgnoreCase(same))
            throw ApiException.unprocessable(field, what + " is not supported (got '" + v + "'; send '" + same + "')");
    }

    /**
     * A1111's hires upscaler name (null: "Latent") to the engine's upscaler id: the latent modes and
     * the model-free image upscalers (None, Lanczos, Nearest); model upscalers (ESRGAN, SwinIR, ...) 422.
     */
    static String upscaler(String name) {
        if (name == null || name.isBlank()) return LatentUpscaler.LATENT.id();
        try {
            return HiresUpscaler.byId(name).id();
        } catch (InvalidArgumentException e) {
            throw ApiException.unprocessable("hr_upscaler", "upscaler '" + name + "' is not available (it needs a model this server does not load); "
                    + "available: " + String.join(", ", HiresUpscaler.all().stream().map(HiresUpscaler::a1111Name).toList()));
        }
    }

    /**
     * subseed, subseed_strength and seed_resize_from_w/h (A1111's defaults -1, 0, -1, -1): the seed
     * resize is off unless both sides are positive, as in A1111's {@code ImageRNG}.
     */
    static void variation(ObjectNode body, ImageRequest.Builder b) {
        long subseed = Fields.integer(body, "subseed", -1, -1, 0xFFFFFFFFL);
        double strength = Fields.number(body, "subseed_strength", 0, 0, 1);
        int w = Fields.int32(body, "seed_resize_from_w", -1, -1, 1 << 16);
        int h = Fields.int32(body, "seed_resize_from_h", -1, -1, 1 << 16);
        boolean resize = w > 0 && h > 0;
        if (subseed == -1 && strength == 0 && !resize) return;
        b.sampling(new SamplingOptions(subseed, strength, resize ? w : 0, resize ? h : 0, 0, 0, null, 1, 0, 0, 0));
    }

    /**
     * hr_sampler_name as sent (the engine validates it, as the first pass's sampler) and hr_scheduler: another
     * schedule type goes to the engine's hires pass in a combined name ("DPM++ 2M Karras").
     */
    private static void hiresSampler(ObjectNode body, ImageRequest.Builder b, String firstSampler) {
        String sampler = Fields.string(body, "hr_sampler_name", null, 200);
        boolean sameSampler = sampler == null || sampler.isBlank() || sampler.strip().equalsIgnoreCase("Use same sampler");
        String scheduler = Fields.string(body, "hr_scheduler", null, 200);
        boolean sameScheduler = scheduler == null || scheduler.isBlank() || scheduler.strip().equalsIgnoreCase("Use same scheduler");
        if (sameScheduler || firstSampler == null) {
            refuseOtherThanSame(body, "hr_scheduler", "Use same scheduler", "a second-pass scheduler");
            if (!sameSampler) b.hiresSampler(sampler.strip());
        } else if (sameSampler) {
            b.hiresSampler(A1111Samplers.withSchedule("sampler_name", firstSampler, scheduler));
        } else {
            b.hiresSampler(A1111Samplers.withSchedule("hr_sampler_name", sampler, scheduler));
        }
    }

    /** A1111 sends these as 0/1 or as booleans. */
    private static boolean flag(ObjectNode body, String field, boolean fallback) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) return fallback;
        if (v.isBoolean()) return v.booleanValue();
        return Fields.int32(body, field, 0, 0, 1) == 1;
    }

    /** The engine's field names of a refused request, in A1111's words. */
    static String a1111Field(String engineField) {
        return switch (engineField) {
            case "strength", "hiresDenoise" -> "denoising_strength";
            case "maskBlur" -> "mask_blur";
            case "resizeMode" -> "resize_mode";
            case "inpaintFill" -> "inpainting_fill";
            case "inpaintArea" -> "inpaint_full_res";
            case "inpaintPadding" -> "inpaint_full_res_padding";
            case "initImage" -> "init_images";
            case "hires" -> "enable_hr";
            case "hiresScale" -> "hr_scale";
            case "hiresSize" -> "hr_resize_x";
            case "hiresSteps" -> "hr_second_pass_steps";
            case "hiresUpscaler" -> "hr_upscaler";
            case "hiresSampler" -> "hr_sampler_name";
            case "subseedStrength" -> "subseed_strength";
            case "seedResizeFrom" -> "seed_resize_from_w";
            default -> engineField;
        };
    }
}
