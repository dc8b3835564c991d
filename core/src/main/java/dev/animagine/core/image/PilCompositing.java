package dev.animagine.core.image;

/**
 * The Pillow 8-bit operations A1111's inpainting uses around the model, with Pillow's integer
 * rounding: premultiplying ("RGBA" to "RGBa") and back, {@code paste} through an "L" mask,
 * {@code alpha_composite} and {@code ImageFilter.GaussianBlur} (Pillow's three-pass extended box blur).
 * Images here are 4-channel {@link PixelImage}s (RGBA or premultiplied RGBa).
 */
public final class PilCompositing {
    private PilCompositing() {}

    /** RGB (or L) to RGBA with alpha 255, as {@code convert('RGBA')}. */
    public static PixelImage toRgba(PixelImage rgb) {
        PixelImage src = rgb.channels() == 3 ? rgb : ImageFiles.flattenToRgb(rgb, 0, 0, 0);
        int n = src.plane();
        int[] d = new int[4 * n];
        System.arraycopy(src.data(), 0, d, 0, 3 * n);
        java.util.Arrays.fill(d, 3 * n, 4 * n, 255);
        return new PixelImage(src.width(), src.height(), 4, d);
    }

    /** {@code convert('RGBa')}: c·a/255 rounded (Pillow's MULDIV255). */
    public static PixelImage premultiply(PixelImage rgba) {
        int n = rgba.plane();
        int[] s = rgba.data(), d = s.clone();
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < n; i++) d[c * n + i] = ImageFiles.div255(s[c * n + i] * s[3 * n + i]);
        return new PixelImage(rgba.width(), rgba.height(), 4, d);
    }

    /** {@code convert('RGBA')} of "RGBa": c·255/a truncated and clipped, alpha 0 and 255 unchanged. */
    public static PixelImage unpremultiply(PixelImage rgba) {
        int n = rgba.plane();
        int[] s = rgba.data(), d = s.clone();
        for (int i = 0; i < n; i++) {
            int a = s[3 * n + i];
            if (a == 0 || a == 255) continue;
            for (int c = 0; c < 3; c++) d[c * n + i] = Math.min(255, 255 * s[c * n + i] / a);
        }
        return new PixelImage(rgba.width(), rgba.height(), 4, d);
    }

    /** {@code dst.paste(src, mask=mask)} at (0, 0), same sizes: every channel round((src·m + dst·(255 − m)) / 255). */
    public static void pasteWithMask(PixelImage dst, PixelImage src, PixelImage mask) {
        int n = dst.plane();
        for (int c = 0; c < dst.channels(); c++)
            for (int i = 0; i < n; i++) {
                int m = mask.data()[i];
                dst.data()[c * n + i] = ImageFiles.div255(src.data()[c * n + i] * m + dst.data()[c * n + i] * (255 - m));
            }
    }

    /** {@code dst.alpha_composite(src)} (RGBA over RGBA, in place), Pillow's 7-bit-precision integer formula. */
    public static void alphaComposite(PixelImage dst, PixelImage src) {
        int n = dst.plane();
        int[] d = dst.data(), s = src.data();
        final int shift = 7;
        for (int i = 0; i < n; i++) {
            int sa = s[3 * n + i];
            if (sa == 0) continue;
            int da = d[3 * n + i];
            long blend = (long) da * (255 - sa);
            long outa255 = sa * 255L + blend;
            long coef1 = sa * 255L * 255L * (1 << shift) / outa255;
            long coef2 = 255L * (1 << shift) - coef1;
            for (int c = 0; c < 3; c++) {
                long tmp = s[c * n + i] * coef1 + d[c * n + i] * coef2 + (0x80L << shift);
                d[c * n + i] = (int) (shiftForDiv255(tmp) >> shift);
            }
            d[3 * n + i] = (int) shiftForDiv255(outa255 + 0x80);
        }
    }

    private static long shiftForDiv255(long a) {
        return ((a >> 8) + a) >> 8;
    }

    /** {@code ImageFilter.GaussianBlur(radius)}: three passes of Pillow's box blur of the matching radius, per axis. */
    public static PixelImage gaussianBlur(PixelImage im, double radius) {
        if (radius == 0) return new PixelImage(im.width(), im.height(), im.channels(), im.data().clone());
        float box = boxRadius(radius, 3);
        int[] d = im.data().clone();
        int w = im.width(), h = im.height(), n = w * h;
        int[] line = new int[Math.max(w, h)], out = new int[Math.max(w, h)];
        for (int c = 0; c < im.channels(); c++) {
            for (int pass = 0; pass < 3; pass++)
                for (int y = 0; y < h; y++) {
                    System.arraycopy(d, c * n + y * w, line, 0, w);
                    boxLine(line, out, w, box);
                    System.arraycopy(out, 0, d, c * n + y * w, w);
                }
            for (int pass = 0; pass < 3; pass++)
                for (int x = 0; x < w; x++) {
                    for (int y = 0; y < h; y++) line[y] = d[c * n + y * w + x];
                    boxLine(line, out, h, box);
                    for (int y = 0; y < h; y++) d[c * n + y * w + x] = out[y];
                }
        }
        return new PixelImage(w, h, im.channels(), d);
    }

    /** Pillow's {@code _gaussian_blur_radius}: the extended box radius whose n passes have the Gaussian's variance. */
    static float boxRadius(double radius, int passes) {
        double sigma2 = radius * radius / passes;
        double l = Math.sqrt(12.0 * sigma2 + 1.0);
        double li = Math.floor((l - 1.0) / 2.0);
        double a = (2 * li + 1) * (li * (li + 1) - 3 * sigma2);
        a /= 6 * (sigma2 - (li + 1) * (li + 1));
        return (float) (li + a);
    }

    /** Pillow's {@code ImagingLineBoxBlur} on one line: an extended box of fractional radius, edges replicated. */
    static void boxLine(int[] in, int[] out, int len, float floatRadius) {
        int radius = (int) floatRadius;
        long ww = (long) ((float) (1 << 24) / (floatRadius * 2 + 1));
        long fw = ((1L << 24) - (radius * 2L + 1) * ww) / 2;
        int lastx = len - 1;
        int edgeA = Math.min(radius + 1, len), edgeB = Math.max(len - radius - 1, 0);
        long acc = (long) in[0] * (radius + 1);
        for (int x = 0; x < edgeA - 1; x++) acc += in[x];
        acc += (long) in[lastx] * (radius - edgeA + 1);
        if (edgeA <= edgeB) {
            for (int x = 0; x < edgeA; x++) {
                acc += in[x + radius] - in[0];
                out[x] = save(acc, ww, fw, in[0], in[x + radius + 1]);
            }
            for (int x = edgeA; x < edgeB; x++) {
                acc += in[x + radius] - in[x - radius - 1];
                out[x] = save(acc, ww, fw, in[x - radius - 1], in[x + radius + 1]);
            }
            for (int x = edgeB; x <= lastx; x++) {
                acc += in[lastx] - in[x - radius - 1];
                out[x] = save(acc, ww, fw, in[x - radius - 1], in[lastx]);
            }
        } else {
            for (int x = 0; x < edgeB; x++) {
                acc += in[x + radius] - in[0];
                out[x] = save(acc, ww, fw, in[0], in[x + radius + 1]);
            }
            for (int x = edgeB; x < edgeA; x++) {
                acc += in[lastx] - in[0];
                out[x] = save(acc, ww, fw, in[0], in[lastx]);
            }
            for (int x = edgeA; x <= lastx; x++) {
                acc += in[lastx] - in[x - radius - 1];
                out[x] = save(acc, ww, fw, in[x - radius - 1], in[lastx]);
            }
        }
    }

    private static int save(long acc, long ww, long fw, int left, int right) {
        long bulk = (acc * ww + (left + right) * fw) & 0xFFFFFFFFL; // Pillow accumulates in UINT32
        return (int) (((bulk + (1L << 23)) >> 24) & 0xFF);
    }
}
