package dev.animagine.core.tensor;

/**
 * {@code torch.nn.functional.interpolate(x, size=(h, w), mode, align_corners=False, antialias)} on
 * NCHW float32 tensors, with the index and weight rules of torch's CPU kernels ({@code UpSample.h},
 * {@code UpSampleKernel.cpp}), so A1111's and the Animagine space's latent upscalers match torch.
 * The scale of an axis is always {@code (float) in / out} (size given, no scale factor).
 */
public final class Interpolate {
    /** torch's interpolation modes that latent upscaling uses. */
    public enum Mode {
        NEAREST, NEAREST_EXACT, BILINEAR, BICUBIC
    }

    private static final float CUBIC_A = -0.75f, AA_CUBIC_A = -0.5f;

    private Interpolate() {}

    /** A new tensor of shape [n, c, outH, outW]. Antialiasing exists for bilinear and bicubic only (as in torch). */
    public static Tensor resize(Tensor x, int outH, int outW, Mode mode, boolean antialias) {
        if (x.rank() != 4) throw new IllegalArgumentException("interpolate expects NCHW, got " + x);
        if (outH < 1 || outW < 1) throw new IllegalArgumentException("output size " + outH + "x" + outW);
        if (antialias && (mode == Mode.NEAREST || mode == Mode.NEAREST_EXACT))
            throw new IllegalArgumentException("antialias is only defined for bilinear and bicubic");
        int h = x.dim(2), w = x.dim(3);
        Axis ay = axis(h, outH, mode, antialias), ax = axis(w, outW, mode, antialias);
        int planes = x.dim(0) * x.dim(1);
        float[] in = x.data();
        if (antialias) {
            // torch's separable antialiased kernel: the width pass first, then the height pass
            float[] tmp = new float[planes * h * outW];
            for (int p = 0; p < planes; p++)
                for (int y = 0; y < h; y++) ax.apply(in, (p * h + y) * w, 1, tmp, (p * h + y) * outW, 1);
            float[] out = new float[planes * outH * outW];
            for (int p = 0; p < planes; p++)
                for (int xx = 0; xx < outW; xx++) ay.apply(tmp, p * h * outW + xx, outW, out, p * outH * outW + xx, outW);
            return new Tensor(out, x.dim(0), x.dim(1), outH, outW);
        }
        // torch's generic kernel: for each output pixel, sum over height taps of (sum over width taps)
        float[] out = new float[planes * outH * outW];
        for (int p = 0; p < planes; p++)
            for (int oy = 0; oy < outH; oy++)
                for (int ox = 0; ox < outW; ox++) {
                    int base = p * h * w;
                    float acc = 0f;
                    for (int j = 0; j < ay.taps; j++) {
                        int row = base + ay.index[oy * ay.taps + j] * w;
                        float t = 0f;
                        for (int k = 0; k < ax.taps; k++) {
                            float v = in[row + ax.index[ox * ax.taps + k]] * ax.weight[ox * ax.taps + k];
                            t = k == 0 ? v : t + v;
                        }
                        float v = t * ay.weight[oy * ay.taps + j];
                        acc = j == 0 ? v : acc + v;
                    }
                    out[(p * outH + oy) * outW + ox] = acc;
                }
        return new Tensor(out, x.dim(0), x.dim(1), outH, outW);
    }

    /** Per output index along one axis: {@code taps} source indices and weights. */
    private record Axis(int taps, int[] index, float[] weight) {
        /** One 1-D antialiased pass: out[o] = sum of weight * in over the window. */
        void apply(float[] src, int srcOff, int srcStride, float[] dst, int dstOff, int dstStride) {
            int outLen = index.length / taps;
            for (int o = 0; o < outLen; o++) {
                float t = 0f;
                for (int k = 0; k < taps; k++) {
                    float wgt = weight[o * taps + k];
                    if (k > 0 && wgt == 0f && index[o * taps + k] < 0) break;
                    int i = Math.max(index[o * taps + k], 0);
                    float v = src[srcOff + i * srcStride] * wgt;
                    t = k == 0 ? v : t + v;
                }
                dst[dstOff + o * dstStride] = t;
            }
        }
    }

    private static Axis axis(int in, int out, Mode mode, boolean antialias) {
        float scale = (float) in / out;
        if (antialias) return mode == Mode.BILINEAR ? antialiased(in, out, scale, 1, false) : antialiased(in, out, scale, 2, true);
        return switch (mode) {
            case NEAREST -> nearest(in, out, scale, false);
            case NEAREST_EXACT -> nearest(in, out, scale, true);
            case BILINEAR -> bilinear(in, out, scale);
            case BICUBIC -> bicubic(in, out, scale);
        };
    }

    /** {@code nearest}: floor(dst * s); {@code nearest-exact}: floor((dst + 0.5) * s); both capped at in - 1. */
    private static Axis nearest(int in, int out, float scale, boolean exact) {
        int[] idx = new int[out];
        float[] wgt = new float[out];
        for (int o = 0; o < out; o++) {
            int src;
            if (in == out) src = o;
            else if (!exact && out == 2 * in) src = o >> 1;
            else src = (int) Math.floor((float) ((exact ? o + 0.5 : o) * scale));
            idx[o] = Math.min(src, in - 1);
            wgt[o] = 1f;
        }
        return new Axis(1, idx, wgt);
    }

    /** Source coordinate s·(dst + 0.5) − 0.5 (float32), negatives clamped to 0; two taps. */
    private static Axis bilinear(int in, int out, float scale) {
        int[] idx = new int[2 * out];
        float[] wgt = new float[2 * out];
        for (int o = 0; o < out; o++) {
            float real = scale * (o + 0.5f) - 0.5f;
            if (real < 0) real = 0f;
            int i0 = (int) real;
            float l1 = Math.min(real - i0, 1f);
            idx[2 * o] = i0;
            idx[2 * o + 1] = i0 + (i0 < in - 1 ? 1 : 0);
            wgt[2 * o] = 1f - l1;
            wgt[2 * o + 1] = l1;
        }
        return new Axis(2, idx, wgt);
    }

    /** Keys' cubic convolution (A = −0.75) over 4 taps, tap indices clamped into [0, in − 1]. */
    private static Axis bicubic(int in, int out, float scale) {
        int[] idx = new int[4 * out];
        float[] wgt = new float[4 * out];
        for (int o = 0; o < out; o++) {
            float real = scale * (o + 0.5f) - 0.5f;
            int i0 = (int) Math.floor(real);
            float t = real - i0;
            float x2 = 1f - t;
            wgt[4 * o] = cubic2(t + 1f);
            wgt[4 * o + 1] = cubic1(t);
            wgt[4 * o + 2] = cubic1(x2);
            wgt[4 * o + 3] = cubic2(x2 + 1f);
            for (int j = 0; j < 4; j++) idx[4 * o + j] = Math.clamp(i0 - 1 + j, 0, in - 1);
        }
        return new Axis(4, idx, wgt);
    }

    private static float cubic1(float x) {
        return ((CUBIC_A + 2f) * x - (CUBIC_A + 3f)) * x * x + 1f;
    }

    private static float cubic2(float x) {
        return ((CUBIC_A * x - 5f * CUBIC_A) * x + 8f * CUBIC_A) * x - 4f * CUBIC_A;
    }

    /**
     * torch's antialiased weights ({@code _compute_weights_aa}): the filter (triangle, or cubic with
     * A = −0.5) stretched by the scale when downsampling, evaluated at (j + 0.5 − centre) over the
     * window around centre = s·(dst + 0.5), cut at the borders and normalised to sum 1. Unused tap
     * slots carry index −1.
     */
    private static Axis antialiased(int in, int out, float scale, int halfTaps, boolean cubic) {
        float support = scale >= 1f ? halfTaps * scale : halfTaps;
        int taps = (int) Math.ceil(support) * 2 + 1;
        float invScale = scale >= 1f ? 1f / scale : 1f;
        int[] idx = new int[taps * out];
        float[] wgt = new float[taps * out];
        java.util.Arrays.fill(idx, -1);
        for (int o = 0; o < out; o++) {
            float center = (float) (scale * (o + 0.5));
            int xmin = Math.max((int) (center - support + 0.5), 0);
            int xsize = Math.min((int) (center + support + 0.5), in) - xmin;
            float total = 0f;
            for (int j = 0; j < xsize; j++) {
                float arg = (float) ((j + xmin - center + 0.5) * invScale);
                float v = cubic ? aaCubic(arg) : aaTriangle(arg);
                wgt[o * taps + j] = v;
                total += v;
            }
            for (int j = 0; j < xsize; j++) {
                if (total != 0f) wgt[o * taps + j] /= total;
                idx[o * taps + j] = xmin + j;
            }
        }
        return new Axis(taps, idx, wgt);
    }

    private static float aaTriangle(float x) {
        float a = Math.abs(x);
        return a < 1f ? 1f - a : 0f;
    }

    private static float aaCubic(float x) {
        float a = Math.abs(x);
        if (a < 1f) return ((AA_CUBIC_A + 2f) * a - (AA_CUBIC_A + 3f)) * a * a + 1f;
        if (a < 2f) return (((a - 5f) * a + 8f) * a - 4f) * AA_CUBIC_A;
        return 0f;
    }
}
