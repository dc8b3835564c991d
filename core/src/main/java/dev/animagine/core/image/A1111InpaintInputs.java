package dev.animagine.core.image;

import dev.animagine.core.InvalidArgumentException;

/**
 * The pixel side of A1111's img2img / inpainting ({@code StableDiffusionProcessingImg2Img.init}),
 * composed from {@link A1111Mask}, {@link A1111Resize} and {@link ImageFiles} in A1111's order:
 * what to encode, the mask the latent mask is made from, and how to put the result back.
 *
 * @param image      the picture to VAE-encode, RGB at the processing size
 * @param latentMask the mask ({@code latent_mask}) at the processing size, 255 = repaint; null without a mask
 * @param overlay    RGBA overlay for {@link A1111Mask#applyOverlay}; null without a mask
 * @param pasteTo    "only masked": where the result goes back into the full picture; else null
 */
public record A1111InpaintInputs(PixelImage image, PixelImage latentMask, PixelImage overlay, A1111Mask.Region pasteTo) {

    /**
     * A1111's inpainting options (defaults: blur 4, whole picture, padding 32, round, original content).
     *
     * @param invert      "inpaint not masked"
     * @param onlyMasked  "inpaint area: only masked" ({@code inpaint_full_res})
     * @param padding     "only masked padding, pixels"
     * @param round       {@code mask_round} (binarise alpha masks at 128, round the latent mask)
     * @param fillPixels  whether {@code masking.fill} runs on the picture: A1111 does it for every masked
     *                    content except "original"
     */
    public record Options(int blurX, int blurY, boolean invert, boolean onlyMasked, int padding, boolean round, boolean fillPixels) {
        public static final Options DEFAULTS = new Options(4, 4, false, false, 32, true, false);

        public Options {
            if (blurX < 0 || blurY < 0) throw new InvalidArgumentException("mask blur must not be negative");
            if (padding < 0) throw new InvalidArgumentException("only-masked padding must not be negative (got " + padding + ")");
        }
    }

    /** Plain img2img (no mask): the flattened init picture resized with the run's resize mode. */
    public static A1111InpaintInputs img2img(PixelImage init, A1111Resize mode, int width, int height) {
        return new A1111InpaintInputs(mode.apply(ImageFiles.flattenToRgb(init, 255, 255, 255), width, height), null, null, null);
    }

    /**
     * With a mask: binarise / invert / blur it, crop to the masked area ("only masked") or resize the
     * whole picture, build the overlay from the picture at its processing size, and fill the
     * masked pixels when asked. An all-black mask with "only masked" falls back to plain img2img, as
     * A1111 does.
     */
    public static A1111InpaintInputs inpaint(PixelImage init, PixelImage mask, A1111Resize mode, int width, int height, Options o) {
        PixelImage m = A1111Mask.binary(mask, o.round());
        if (o.invert()) m = A1111Mask.invert(m);
        m = A1111Mask.blur(m, o.blurX(), o.blurY());
        PixelImage forOverlay;
        A1111Mask.Region crop = null;
        if (o.onlyMasked()) {
            forOverlay = m;
            crop = A1111Mask.cropRegion(m, o.padding());
            if (crop == null) return img2img(init, mode, width, height);
            crop = A1111Mask.expandCropRegion(crop, width, height, m.width(), m.height());
            m = A1111Resize.RESIZE_AND_FILL.apply(m.crop(crop.x1(), crop.y1(), crop.x2(), crop.y2()), width, height);
        } else {
            m = mode.apply(m, width, height);
            forOverlay = A1111Mask.doubledForOverlay(m);
        }
        PixelImage image = ImageFiles.flattenToRgb(init, 255, 255, 255);
        if (crop == null) image = mode.apply(image, width, height);
        if (forOverlay.width() != image.width() || forOverlay.height() != image.height())
            forOverlay = mode.apply(forOverlay, image.width(), image.height());
        PixelImage overlay = A1111Mask.overlay(image, forOverlay);
        if (crop != null) image = A1111Resize.RESIZE_AND_FILL.apply(image.crop(crop.x1(), crop.y1(), crop.x2(), crop.y2()), width, height);
        if (o.fillPixels()) image = A1111Mask.fill(image, m);
        return new A1111InpaintInputs(image, m, overlay, crop);
    }

    /** The decoded result (RGB at the processing size) put back: uncrop for "only masked", then the overlay. */
    public PixelImage finish(PixelImage generated) {
        if (overlay == null) return generated;
        return A1111Mask.applyOverlay(generated, pasteTo, overlay);
    }
}
