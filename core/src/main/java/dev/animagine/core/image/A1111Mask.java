package dev.animagine.core.image;

import dev.animagine.core.InvalidArgumentException;

/**
 * A1111's inpainting mask processing ({@code processing.StableDiffusionProcessingImg2Img.init},
 * {@code processing.create_binary_mask}, {@code masking.py}), on 8-bit masks; 255 = repaint.
 * Order in A1111: {@link #binary} → {@link #invert} (option) → {@link #blur} → either "whole
 * picture" (resize with the run's resize mode, overlay mask = 2 × mask clipped) or "only masked"
 * ({@link #cropRegion}, {@link #expandCropRegion}, crop, resize-and-fill to the run's size).
 * The latent mask is {@link #latentMask}; the picture after decoding is {@link #applyOverlay}.
 */
public final class A1111Mask {
    private A1111Mask() {}

    /**
     * {@code create_binary_mask(image, round)}: an RGBA mask whose alpha is not all 255 gives its
     * alpha (with {@code round}, > 128 → 255, else 0); anything else is {@code convert('L')}.
     */
    public static PixelImage binary(PixelImage mask, boolean round) {
        if (mask.channels() == 4) {
            PixelImage alpha = mask.channel(3);
            boolean opaque = true;
            for (int v : alpha.data()) opaque &= v == 255;
            if (!opaque) {
                if (round) for (int i = 0; i < alpha.data().length; i++) alpha.data()[i] = alpha.data()[i] > 128 ? 255 : 0;
                return alpha;
            }
        }
        return ImageFiles.toGrey(mask);
    }

    /** {@code ImageOps.invert}: 255 − v ("inpaint not masked"). */
    public static PixelImage invert(PixelImage mask) {
        int[] d = new int[mask.data().length];
        for (int i = 0; i < d.length; i++) d[i] = 255 - mask.data()[i];
        return new PixelImage(mask.width(), mask.height(), mask.channels(), d);
    }

    /** A1111's Gaussian kernel size for a mask blur σ: {@code 2 * int(2.5 * σ + 0.5) + 1}. */
    public static int kernelSize(int blur) {
        return 2 * (int) (2.5 * blur + 0.5) + 1;
    }

    /**
     * A1111's mask blur: {@code cv2.GaussianBlur(mask, (k, 1), blurX)} then
     * {@code cv2.GaussianBlur(mask, (1, k), blurY)} (each skipped at 0), k = {@link #kernelSize}, with
     * OpenCV's bit-exact 8-bit path: a kernel of 8-bit fixed-point taps summing to exactly 1, results
     * rounded half up, borders reflected without repeating the edge (BORDER_REFLECT_101).
     */
    public static PixelImage blur(PixelImage mask, int blurX, int blurY) {
        if (blurX < 0 || blurY < 0) throw new InvalidArgumentException("mask blur must not be negative (got " + blurX + ", " + blurY + ")");
        PixelImage m = mask;
        if (blurX > 0) m = blurAxis(m, OpenCvGaussian.fixedKernel(kernelSize(blurX), blurX), true);
        if (blurY > 0) m = blurAxis(m, OpenCvGaussian.fixedKernel(kernelSize(blurY), blurY), false);
        return m;
    }

    private static PixelImage blurAxis(PixelImage m, int[] k, boolean horizontal) {
        int w = m.width(), h = m.height(), r = k.length / 2;
        int[] out = new int[m.data().length];
        for (int c = 0; c < m.channels(); c++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) {
                    long s = 0;
                    for (int j = 0; j < k.length; j++) {
                        int xx = horizontal ? OpenCvGaussian.reflect101(x + j - r, w) : x;
                        int yy = horizontal ? y : OpenCvGaussian.reflect101(y + j - r, h);
                        s += (long) m.get(c, xx, yy) * k[j];
                    }
                    out[(c * h + y) * w + x] = (int) Math.min(255, (s + 128) >> 8);
                }
        return new PixelImage(w, h, m.channels(), out);
    }

    /** A crop rectangle {@code [x1, x2) x [y1, y2)} (A1111's (x1, y1, x2, y2) tuples). */
    public record Region(int x1, int y1, int x2, int y2) {
        public int width() {
            return x2 - x1;
        }

        public int height() {
            return y2 - y1;
        }
    }

    /**
     * {@code masking.get_crop_region_v2(mask, pad)}: the bounding box of the non-zero pixels, grown by
     * {@code pad} on every side within the image (when pad > 0); null for an all-black mask (A1111 then
     * falls back to a plain img2img of the whole picture).
     */
    public static Region cropRegion(PixelImage mask, int pad) {
        PixelImage m = ImageFiles.toGrey(mask);
        int x1 = Integer.MAX_VALUE, y1 = Integer.MAX_VALUE, x2 = -1, y2 = -1;
        for (int y = 0; y < m.height(); y++)
            for (int x = 0; x < m.width(); x++)
                if (m.get(0, x, y) != 0) {
                    x1 = Math.min(x1, x);
                    y1 = Math.min(y1, y);
                    x2 = Math.max(x2, x + 1);
                    y2 = Math.max(y2, y + 1);
                }
        if (x2 < 0) return null;
        if (pad <= 0) return new Region(x1, y1, x2, y2);
        return new Region(Math.max(x1 - pad, 0), Math.max(y1 - pad, 0), Math.min(x2 + pad, m.width()), Math.min(y2 + pad, m.height()));
    }

    /**
     * {@code masking.expand_crop_region}: grows the region (centred, shifted back inside the image)
     * to the aspect ratio of the processing size.
     */
    public static Region expandCropRegion(Region r, int processingWidth, int processingHeight, int imageWidth, int imageHeight) {
        int x1 = r.x1, y1 = r.y1, x2 = r.x2, y2 = r.y2;
        double ratioCrop = (double) (x2 - x1) / (y2 - y1);
        double ratioProcessing = (double) processingWidth / processingHeight;
        if (ratioCrop > ratioProcessing) {
            double desiredHeight = (x2 - x1) / ratioProcessing;
            int diff = (int) (desiredHeight - (y2 - y1));
            y1 -= Math.floorDiv(diff, 2);
            y2 += diff - Math.floorDiv(diff, 2);
            if (y2 >= imageHeight) {
                int d = y2 - imageHeight;
                y2 -= d;
                y1 -= d;
            }
            if (y1 < 0) {
                y2 -= y1;
                y1 = 0;
            }
            if (y2 >= imageHeight) y2 = imageHeight;
        } else {
            double desiredWidth = (y2 - y1) * ratioProcessing;
            int diff = (int) (desiredWidth - (x2 - x1));
            x1 -= Math.floorDiv(diff, 2);
            x2 += diff - Math.floorDiv(diff, 2);
            if (x2 >= imageWidth) {
                int d = x2 - imageWidth;
                x2 -= d;
                x1 -= d;
            }
            if (x1 < 0) {
                x2 -= x1;
                x1 = 0;
            }
            if (x2 >= imageWidth) x2 = imageWidth;
        }
        return new Region(x1, y1, x2, y2);
    }

    /** "Whole picture" overlay mask: {@code clip(2 * mask, 0, 255)}. */
    public static PixelImage doubledForOverlay(PixelImage mask) {
        int[] d = new int[mask.data().length];
        for (int i = 0; i < d.length; i++) d[i] = Math.min(255, 2 * mask.data()[i]);
        return new PixelImage(mask.width(), mask.height(), mask.channels(), d);
    }

    /**
     * The overlay A1111 composites over the result: the original (RGB) where the overlay mask is 0,
     * fading to transparent where it is 255 (premultiplied paste through the inverted mask, back to RGBA).
     */
    public static PixelImage overlay(PixelImage originalRgb, PixelImage overlayMask) {
        PixelImage masked = PixelImage.blank(originalRgb.width(), originalRgb.height(), 4);
        PilCompositing.pasteWithMask(masked, PilCompositing.premultiply(PilCompositing.toRgba(originalRgb)),
                invert(ImageFiles.toGrey(overlayMask)));
        return PilCompositing.unpremultiply(masked);
    }

    /**
     * {@code apply_overlay} (+ {@code uncrop} for "only masked"): the generated picture, resized
     * back into its crop rectangle with crop-and-resize when {@code pasteTo} is given, under the
     * overlay ({@link #overlay}); RGB out.
     *
     * @param pasteTo the crop region of "only masked", or null for the whole picture
     */
    public static PixelImage applyOverlay(PixelImage generatedRgb, Region pasteTo, PixelImage overlay) {
        PixelImage base;
        if (pasteTo != null) {
            base = PixelImage.blank(overlay.width(), overlay.height(), 4);
            base.paste(PilCompositing.toRgba(A1111Resize.CROP_AND_RESIZE.apply(generatedRgb, pasteTo.width(), pasteTo.height())),
                    pasteTo.x1, pasteTo.y1);
        } else {
            base = PilCompositing.toRgba(generatedRgb);
        }
        PilCompositing.alphaComposite(base, overlay);
        int n = base.plane();
        int[] rgb = new int[3 * n];
        System.arraycopy(base.data(), 0, rgb, 0, 3 * n);
        return new PixelImage(base.width(), base.height(), 3, rgb);
    }

    /**
     * A1111's latent mask: the mask (RGB-converted) resized to the latent size with Pillow's default
     * BICUBIC, / 255, rounded half to even with {@code mask_round} (default on). Returns the
     * repaint weight ({@code nmask}) [h × w]; A1111's {@code mask} is 1 − it.
     */
    public static float[] latentMask(PixelImage mask, int latentWidth, int latentHeight, boolean round) {
        PixelImage grey = ImageFiles.toGrey(mask);
        PixelImage small = PilResample.resize(grey, latentWidth, latentHeight, PilResample.Filter.BICUBIC);
        float[] out = new float[small.plane()];
        for (int i = 0; i < out.length; i++) {
            float v = (float) small.data()[i] / 255f;
            out[i] = round ? (float) Math.rint(v) : v;
        }
        return out;
    }

    /**
     * {@code masking.fill} ("fill" masked content): the unmasked picture blurred outwards into the
     * masked area by Gaussian blurs of radius 256, 64, 16 (twice), 4 (4×), 2 (2×) and 0 stacked with
     * alpha compositing. {@code mask} is the latent mask image (255 = repaint).
     */
    public static PixelImage fill(PixelImage rgb, PixelImage mask) {
        PixelImage masked = PixelImage.blank(rgb.width(), rgb.height(), 4);
        PilCompositing.pasteWithMask(masked, PilCompositing.premultiply(PilCompositing.toRgba(rgb)), invert(ImageFiles.toGrey(mask)));
        PixelImage mod = PixelImage.blank(rgb.width(), rgb.height(), 4);
        int[][] passes = {{256, 1}, {64, 1}, {16, 2}, {4, 4}, {2, 2}, {0, 1}};
        for (int[] p : passes) {
            PixelImage blurred = PilCompositing.unpremultiply(PilCompositing.gaussianBlur(masked, p[0]));
            for (int i = 0; i < p[1]; i++) PilCompositing.alphaComposite(mod, blurred);
        }
        int n = mod.plane();
        int[] out = new int[3 * n];
        System.arraycopy(mod.data(), 0, out, 0, 3 * n);
        return new PixelImage(rgb.width(), rgb.height(), 3, out);
    }
}
