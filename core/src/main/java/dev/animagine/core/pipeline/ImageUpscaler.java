package dev.animagine.core.pipeline;

import dev.animagine.core.image.PilResample;
import dev.animagine.core.image.PixelImage;

/**
 * A1111's model-free image upscalers ({@code modules/upscaler.py}: {@code UpscalerNone},
 * {@code UpscalerLanczos}, {@code UpscalerNearest}) as {@code images.resize_image(0, im, w, h,
 * upscaler_name)} runs them for a hires pass, byte for byte through {@link PilResample}:
 * <ul>
 * <li>None: one Pillow LANCZOS resize straight to the target;</li>
 * <li>Lanczos / Nearest, when the target is larger ({@code scale = max(w / W, h / H) > 1}):
 *     {@code Upscaler.upscale} resizes to {@code int(side * scale)} with its filter, then with LANCZOS to
 *     {@code int(side * scale // 8 * 8)} if that differs, and {@code resize} finishes with LANCZOS to
 *     the target if that still differs; otherwise (no enlargement) only the LANCZOS resize.</li>
 * </ul>
 */
public enum ImageUpscaler implements HiresUpscaler {
    NONE("none", "None"),
    LANCZOS("lanczos", "Lanczos"),
    NEAREST("nearest", "Nearest");

    private final String id, a1111Name;

    ImageUpscaler(String id, String a1111Name) {
        this.id = id;
        this.a1111Name = a1111Name;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String a1111Name() {
        return a1111Name;
    }

    /** {@code images.resize_image(0, im, width, height, upscaler_name=this)}. */
    public PixelImage resize(PixelImage im, int width, int height) {
        if (this == NONE) return lanczos(im, width, height);
        double scale = Math.max((double) width / im.width(), (double) height / im.height());
        if (scale > 1.0) im = upscale(im, scale);
        return im.width() != width || im.height() != height ? lanczos(im, width, height) : im;
    }

    /**
     * {@code Upscaler.upscale(img, scale)}: up to three passes of the upscaler until the image covers
     * {@code side * scale // 8 * 8}; a model-free upscaler always reaches it in one, then a LANCZOS
     * resize to that size when the pass overshot it.
     */
    private PixelImage upscale(PixelImage im, double scale) {
        int destW = (int) Math.floor(im.width() * scale / 8) * 8, destH = (int) Math.floor(im.height() * scale / 8) * 8;
        for (int i = 0; i < 3; i++) {
            if (im.width() >= destW && im.height() >= destH && (i > 0 || scale != 1)) break;
            int w0 = im.width(), h0 = im.height();
            im = pass(im, scale);
            if (im.width() == w0 && im.height() == h0) break;
        }
        return im.width() != destW || im.height() != destH ? lanczos(im, destW, destH) : im;
    }

    /** One {@code do_upscale}: {@code img.resize((int(W * scale), int(H * scale)), filter)}. */
    private PixelImage pass(PixelImage im, double scale) {
        int w = (int) (im.width() * scale), h = (int) (im.height() * scale);
        return this == NEAREST ? PilResample.nearest(im, w, h) : lanczos(im, w, h);
    }

    private static PixelImage lanczos(PixelImage im, int w, int h) {
        return PilResample.resize(im, w, h, PilResample.Filter.LANCZOS);
    }
}
