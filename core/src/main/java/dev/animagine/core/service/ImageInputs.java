package dev.animagine.core.service;

import dev.animagine.core.InvalidRequestException;
import dev.animagine.core.animagine.ImageSize;
import dev.animagine.core.image.A1111InpaintInputs;
import dev.animagine.core.image.A1111Resize;
import dev.animagine.core.image.ImageFiles;
import dev.animagine.core.image.PixelImage;
import dev.animagine.core.pipeline.A1111Img2Img;
import dev.animagine.core.pipeline.ImageToImageRequest;
import dev.animagine.core.pipeline.Infotext;
import dev.animagine.core.pipeline.HiresUpscaler;
import dev.animagine.core.sampling.Sampler;
import dev.animagine.core.sampling.a1111.A1111Sampler;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The img2img / inpainting / hires side of a request: decoding its pictures, the pipeline's settings, the infotext keys. */
final class ImageInputs {
    private ImageInputs() {}

    /** The decoded init picture and mask (null when absent) and the size an image without --size gets. */
    record Decoded(PixelImage init, PixelImage mask) {
        /** The init picture's size rounded down to a multiple of 8, or null without one. */
        ImageSize defaultSize() {
            if (init == null) return null;
            int[] s = ImageFiles.defaultSize(init.width(), init.height());
            return new ImageSize(s[0], s[1]);
        }
    }

    /** Reads the request's pictures (the header's size is checked first); the mask must match the init picture. */
    static Decoded decode(ImageRequest r) {
        if (r.initImage() == null) return new Decoded(null, null);
        PixelImage init = ImageFiles.read(r.initImage());
        PixelImage mask = r.mask() == null ? null : ImageFiles.read(r.mask());
        if (mask != null && (mask.width() != init.width() || mask.height() != init.height()))
            throw new InvalidRequestException("mask", r.mask().name() + " is " + mask.width() + "x" + mask.height() + " but the init image "
                    + r.initImage().name() + " is " + init.width() + "x" + init.height() + ": they must be the same size");
        return new Decoded(init, mask);
    }

    /** The pipeline's settings, or null for a plain txt2img. */
    static ImageToImageRequest toPipeline(ImageRequest r, Decoded d) {
        if (d.init() == null && r.hires() == null) return null;
        boolean diffusers = r.compat() == Compat.DIFFUSERS;
        A1111Img2Img.MaskedContent fill = A1111Img2Img.MaskedContent.byId(r.inpaintFill());
        int blur = r.maskBlurOrDefault();
        var options = new A1111InpaintInputs.Options(blur, blur, r.maskInvert(), r.onlyMasked(), r.inpaintPadding(), true, fill.fillsPixels());
        ImageToImageRequest.Hires hires = null;
        HiresSettings h = r.hires();
        if (h != null) {
            hires = new ImageToImageRequest.Hires(h.scale() == null ? 0 : h.scale(), h.width(), h.height(), h.denoiseOrDefault(r.compat()),
                    h.steps(), HiresUpscaler.byId(h.upscalerOrDefault(r.compat())), hiresSampler(h.sampler(), diffusers),
                    h.prompt(), h.negativePrompt(), h.reseed());
        }
        return new ImageToImageRequest(diffusers, d.init(), d.mask(), r.strengthOrDefault(), A1111Resize.byId(r.resizeMode()), options, fill, hires);
    }

    /**
     * The engine-level hires sampler: diffusers' by id; in A1111 mode the diffusers twin of the A1111 sampler
     * if there is one (only the diffusers schedulers read it; A1111's sampler comes from the request).
     */
    private static Sampler hiresSampler(String name, boolean diffusers) {
        if (name == null) return null;
        if (diffusers) return Sampler.byId(name);
        String id = A1111Sampler.byName(name).id();
        return java.util.Arrays.stream(Sampler.values()).filter(s -> s.id().equals(id)).findFirst().orElse(null);
    }

    /** A1111's label of a hires sampler, with the schedule its name asked for ("DPM++ 2M SDE Karras"). */
    private static String a1111HiresSampler(String name) {
        A1111Sampler.Choice c = A1111Sampler.parse(name, null);
        return c.schedule() == dev.animagine.core.sampling.a1111.SigmaSchedule.AUTOMATIC ? c.sampler().label()
                : c.sampler().label() + " " + c.schedule().label();
    }

    /**
     * A1111's infotext keys of img2img, inpainting and hires: {@code Denoising strength} after the
     * model (A1111's place for it), the rest ({@code Mask blur}, {@code Hires upscale}, ...) among the
     * extra parameters before {@code RNG} / {@code Version}.
     */
    static Infotext infotext(Infotext base, ImageRequest r, ImageToImageRequest in) {
        if (in == null) return base;
        Map<String, Object> early = new LinkedHashMap<>(), extra = new LinkedHashMap<>();
        if (in.hires() != null) {
            ImageToImageRequest.Hires h = in.hires();
            early.put("Denoising strength", h.denoise());
            if (h.width() > 0) extra.put("Hires resize", h.width() + "x" + h.height());
            else extra.put("Hires upscale", h.scale());
            if (h.steps() > 0) extra.put("Hires steps", h.steps());
            extra.put("Hires upscaler", h.upscaler().a1111Name());
            if (r.hires().sampler() != null)
                extra.put("Hires sampler", in.diffusers() ? h.sampler().a1111Name() : a1111HiresSampler(r.hires().sampler()));
            if (h.prompt() != null) extra.put("Hires prompt", h.prompt());
            if (h.negativePrompt() != null) extra.put("Hires negative prompt", h.negativePrompt());
            if (in.diffusers() && h.reseed()) extra.put("Hires reseed", "True");
        } else {
            early.put("Denoising strength", in.strength());
            if (in.resize() != A1111Resize.JUST_RESIZE) extra.put("Resize mode", r.resizeMode());
            if (in.mask() != null) {
                if (!in.diffusers()) extra.put("Mask blur", in.maskOptions().blurX());
                if (in.maskOptions().invert()) extra.put("Mask mode", "Inpaint not masked");
                if (!in.diffusers() && in.fill() != A1111Img2Img.MaskedContent.ORIGINAL) extra.put("Masked content", maskedContentName(in.fill()));
                if (in.maskOptions().onlyMasked()) {
                    extra.put("Inpaint area", "Only masked");
                    extra.put("Masked area padding", in.maskOptions().padding());
                }
            }
        }
        Map<String, String> params = base.params();
        List<Map.Entry<String, String>> entries = new ArrayList<>();
        for (Map.Entry<String, String> e : params.entrySet()) entries.add(Map.entry(e.getKey(), e.getValue()));
        String earlyAfter = params.containsKey("VAE") ? "VAE" : "Model";
        params.clear();
        boolean earlyDone = false, extraDone = false;
        for (Map.Entry<String, String> e : entries) {
            if (!extraDone && (e.getKey().equals("RNG") || e.getKey().equals("Version"))) {
                extra.forEach(base::put);
                extraDone = true;
            }
            base.put(e.getKey(), e.getValue());
            if (!earlyDone && e.getKey().equals(earlyAfter)) {
                early.forEach(base::put);
                earlyDone = true;
            }
        }
        if (!earlyDone) early.forEach(base::put);
        if (!extraDone) extra.forEach(base::put);
        return base;
    }

    /** A1111's UI names of the masked-content modes. */
    static String maskedContentName(A1111Img2Img.MaskedContent fill) {
        return switch (fill) {
            case FILL -> "fill";
            case ORIGINAL -> "original";
            case LATENT_NOISE -> "latent noise";
            case LATENT_NOTHING -> "latent nothing";
        };
    }
}
