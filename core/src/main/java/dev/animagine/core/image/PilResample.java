package dev.animagine.core.image;

/**
 * Pillow's {@code Image.resize(size, resample, box)} for 8-bit images ({@code Resample.c}):
 * separable convolution, horizontal pass first, with filter weights computed in double, normalised
 * per output pixel, converted to 22-bit fixed point and accumulated in integers with Pillow's
 * rounding, so results equal Pillow's byte for byte. A box (a source rectangle, possibly of zero
 * height or width, as A1111's resize-and-fill uses) is supported.
 */
public final class PilResample {
    /** Pillow's filters with their support radius. */
    public enum Filter {
        BILINEAR(1.0), BICUBIC(2.0), LANCZOS(3.0);

        final double support;

        Filter(double support) {
            this.support = support;
        }

        double weight(double x) {
            return switch (this) {
                case BILINEAR -> {
                    double a = Math.abs(x);
                    yield a < 1.0 ? 1.0 - a : 0.0;
                }
                case BICUBIC -> bicubic(x);
                case LANCZOS -> -3.0 <= x && x < 3.0 ? sinc(x) * sinc(x / 3.0) : 0.0;
            };
        }

        private static double bicubic(double x) {
            double a = -0.5;
            if (x < 0.0) x = -x;
            if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
            if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
            return 0.0;
        }

        private static double sinc(double x) {
            if (x == 0.0) return 1.0;
            x = x * Math.PI;
            return Math.sin(x) / x;
        }
    }

    private static final int PRECISION_BITS = 32 - 8 - 2;

    private PilResample() {}

    /** {@code im.resize((width, height), filter)} over the whole image. */
    public static PixelImage resize(PixelImage im, int width, int height, Filter filter) {
        return resize(im, width, height, filter, 0, 0, im.width(), im.height());
    }

    /** {@code im.resize((width, height), filter, box=(x0, y0, x1, y1))}. */
    public static PixelImage resize(PixelImage im, int width, int height, Filter filter, double x0, double y0, double x1, double y1) {
        if (width < 1 || height < 1) throw new IllegalArgumentException("resize to " + width + "x" + height);
        if (x0 < 0 || y0 < 0 || x1 > im.width() || y1 > im.height() || x1 - x0 < 0 || y1 - y0 < 0)
            throw new IllegalArgumentException("box (" + x0 + ", " + y0 + ", " + x1 + ", " + y1 + ") outside " + im.width() + "x" + im.height());
        boolean full = x0 == 0 && y0 == 0 && x1 == im.width() && y1 == im.height();
        if (width == im.width() && height == im.height() && full) return new PixelImage(width, height, im.channels(), im.data().clone());
        boolean horizontal = width != im.width() || x0 != 0 || x1 != width;
        boolean vertical = height != im.height() || y0 != 0 || y1 != height;
        PixelImage out = im;
        if (horizontal) {
            Coeffs k = coeffs(im.width(), x0, x1, width, filter);
            out = pass(out, k, true);
        }
        if (vertical) {
            Coeffs k = coeffs(im.height(), y0, y1, height, filter);
            out = pass(out, k, false);
        }
        return out == im ? new PixelImage(width, height, im.channels(), im.data().clone()) : out;
    }

    /**
     * {@code im.resize((width, height), NEAREST)}: Pillow does not convolve here but samples through
     * its affine scale ({@code ImagingScaleAffine}): source coordinate {@code 0.5 * step}, then
     * {@code + step} per output pixel (accumulated in double, as Pillow does), truncated.
     */
    public static PixelImage nearest(PixelImage im, int width, int height) {
        if (width < 1 || height < 1) throw new IllegalArgumentException("resize to " + width + "x" + height);
        int[] xs = nearestIndices(im.width(), width), ys = nearestIndices(im.height(), height);
        int[] src = im.data(), out = new int[width * height * im.channels()];
        for (int c = 0; c < im.channels(); c++)
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++) out[(c * height + y) * width + x] = src[(c * im.height() + ys[y]) * im.width() + xs[x]];
        return new PixelImage(width, height, im.channels(), out);
    }

    private static int[] nearestIndices(int inSize, int outSize) {
        double step = (double) (float) inSize / outSize;
        double pos = step * 0.5;
        int[] idx = new int[outSize];
        for (int i = 0; i < outSize; i++) {
            idx[i] = Math.min((int) pos, inSize - 1);
            pos += step;
        }
        return idx;
    }

    /** Fixed-point weights of each output pixel: bounds (xmin, count) and {@code ksize} weights. */
    private record Coeffs(int ksize, int[] bounds, int[] weights) {}

    /** Pillow's {@code precompute_coeffs} + {@code normalize_coeffs_8bpc}. */
    private static Coeffs coeffs(int inSize, double in0, double in1, int outSize, Filter filter) {
        double scale = (in1 - in0) / outSize;
        double filterScale = Math.max(scale, 1.0);
        double support = filter.support * filterScale;
        int ksize = (int) Math.ceil(support) * 2 + 1;
        int[] bounds = new int[2 * outSize];
        int[] kk = new int[outSize * ksize];
        double[] k = new double[ksize];
        for (int xx = 0; xx < outSize; xx++) {
            double center = in0 + (xx + 0.5) * scale;
            double ww = 0.0, ss = 1.0 / filterScale;
            int xmin = (int) (center - support + 0.5); // C truncation toward zero
            if (xmin < 0) xmin = 0;
            int xmax = (int) (center + support + 0.5);
            if (xmax > inSize) xmax = inSize;
            xmax -= xmin;
            for (int x = 0; x < xmax; x++) {
                double w = filter.weight((x + xmin - center + 0.5) * ss);
                k[x] = w;
                ww += w;
            }
            for (int x = 0; x < xmax; x++) {
                if (ww != 0.0) k[x] /= ww;
                double v = k[x] * (1 << PRECISION_BITS);
                kk[xx * ksize + x] = (int) (v < 0 ? v - 0.5 : v + 0.5);
            }
            bounds[2 * xx] = xmin;
            bounds[2 * xx + 1] = Math.max(xmax, 0);
        }
        return new Coeffs(ksize, bounds, kk);
    }

    private static PixelImage pass(PixelImage in, Coeffs k, boolean horizontal) {
        int outLen = k.bounds.length / 2;
        int w = horizontal ? outLen : in.width(), h = horizontal ? in.height() : outLen;
        int[] out = new int[w * h * in.channels()];
        int[] src = in.data();
        int iw = in.width(), ih = in.height();
        for (int c = 0; c < in.channels(); c++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) {
                    int o = horizontal ? x : y;
                    int xmin = k.bounds[2 * o], n = k.bounds[2 * o + 1];
                    int ss = 1 << (PRECISION_BITS - 1);
                    for (int j = 0; j < n; j++) {
                        int v = horizontal ? src[(c * ih + y) * iw + xmin + j] : src[(c * ih + xmin + j) * iw + x];
                        ss += v * k.weights[o * k.ksize + j];
                    }
                    out[(c * h + y) * w + x] = clip8(ss);
                }
        return new PixelImage(w, h, in.channels(), out);
    }

    private static int clip8(int in) {
        int v = in >> PRECISION_BITS;
        return v < 0 ? 0 : Math.min(v, 255);
    }
}
