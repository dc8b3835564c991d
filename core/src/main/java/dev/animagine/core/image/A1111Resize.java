package dev.animagine.core.image;

import dev.animagine.core.InvalidArgumentException;

/**
 * A1111's {@code images.resize_image(resize_mode, im, width, height)} with no upscaler model
 * (mode 3 leaves the picture as it is: its resize happens on the latents)
 * (the default {@code upscaler_for_img2img = None}): the image is resized with Pillow's LANCZOS
 * and resize-and-fill's bars with Pillow's default BICUBIC ({@link PilResample}), byte-exact. A grey mask stays grey (A1111 pastes it into an RGB canvas
 * whose three channels are then equal).
 */
public enum A1111Resize {
    /** 0: stretch to the target size. */
    JUST_RESIZE,
    /** 1: scale to cover the target, centre, crop the overflow. */
    CROP_AND_RESIZE,
    /** 2: scale to fit inside the target, centre, fill the bars by stretching the image's edge rows/columns. */
    RESIZE_AND_FILL,
    /**
     * 3, "Just resize (latent upscale)": the picture is not resized here; it is VAE-encoded at its own
     * size and the latents are interpolated (bilinear) to the target's, see {@code A1111LatentResize}.
     */
    LATENT_UPSCALE;

    /** A1111 stretches the bars with {@code resize(size, box=...)} and no filter: Pillow's default, BICUBIC. */
    private static final PilResample.Filter BARS = PilResample.Filter.BICUBIC;

    /** By A1111's index (0..2) or name: "just-resize", "crop-and-resize", "resize-and-fill". */
    public static A1111Resize byId(String id) {
        String n = id == null ? "" : id.trim().toLowerCase(java.util.Locale.ROOT).replace(' ', '-').replace('_', '-');
        return switch (n) {
            case "0", "just-resize" -> JUST_RESIZE;
            case "1", "crop-and-resize" -> CROP_AND_RESIZE;
            case "2", "resize-and-fill" -> RESIZE_AND_FILL;
            case "3", "latent-upscale", "just-resize-(latent-upscale)", "just-resize-latent-upscale" -> LATENT_UPSCALE;
            default -> throw new InvalidArgumentException("unknown resize mode '" + id
                    + "' (valid: just-resize, crop-and-resize, resize-and-fill, latent-upscale)");
        };
    }

    public PixelImage apply(PixelImage im, int width, int height) {
        if (width < 1 || height < 1) throw new InvalidArgumentException("resize target " + width + "x" + height);
        if (this == JUST_RESIZE) return lanczos(im, width, height);
        if (this == LATENT_UPSCALE) return new PixelImage(im.width(), im.height(), im.channels(), im.data().clone());
        double ratio = (double) width / height, srcRatio = (double) im.width() / im.height();
        boolean wide = this == CROP_AND_RESIZE ? ratio > srcRatio : ratio < srcRatio;
        boolean tall = this == CROP_AND_RESIZE ? ratio <= srcRatio : ratio >= srcRatio;
        int srcW = wide ? width : im.width() * height / im.height();
        int srcH = tall ? height : im.height() * width / im.width();
        PixelImage resized = lanczos(im, srcW, srcH);
        PixelImage res = PixelImage.blank(width, height, im.channels());
        int px = width / 2 - srcW / 2, py = height / 2 - srcH / 2;
        res.paste(resized, px, py);
        if (this == RESIZE_AND_FILL) {
            if (ratio < srcRatio) {
                int fillHeight = height / 2 - srcH / 2;
                if (fillHeight > 0) {
                    // a zero-height box: the filter around the top / bottom edge, stretched
                    res.paste(PilResample.resize(resized, width, fillHeight, BARS, 0, 0, width, 0), 0, 0);
                    res.paste(PilResample.resize(resized, width, fillHeight, BARS, 0, resized.height(), width, resized.height()),
                            0, fillHeight + srcH);
                }
            } else if (ratio > srcRatio) {
                int fillWidth = width / 2 - srcW / 2;
                if (fillWidth > 0) {
                    res.paste(PilResample.resize(resized, fillWidth, height, BARS, 0, 0, 0, height), 0, 0);
                    res.paste(PilResample.resize(resized, fillWidth, height, BARS, resized.width(), 0, resized.width(), height),
                            fillWidth + srcW, 0);
                }
            }
        }
        return res;
    }

    private static PixelImage lanczos(PixelImage im, int w, int h) {
        if (w < 1 || h < 1) throw new InvalidArgumentException("image " + im.width() + "x" + im.height() + " cannot be resized to " + w + "x" + h);
        return PilResample.resize(im, w, h, PilResample.Filter.LANCZOS);
    }
}
