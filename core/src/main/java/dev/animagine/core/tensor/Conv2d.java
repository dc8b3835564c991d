package dev.animagine.core.tensor;

/**
 * 2-D convolution on NCHW activations with {@code [out, in, kh, kw]} weights kept in their file
 * dtype. Lowered to {@link Gemm}: a band of output pixels gathers its input patches into rows of
 * {@code [pixels, in*kh*kw]} (im2col), which multiply the weight matrix {@code [out, in*kh*kw]^T};
 * 1x1 stride-1 convolutions skip the gather.
 */
public final class Conv2d {
    /** Upper bound on the im2col band, in floats (32 MB). */
    private static final int MAX_BAND_FLOATS = 8 << 20;

    private final StoredTensor weight;
    private final float[] bias;
    private final int out, in, kh, kw, stride, padding;
    private final GemmOperand matrix;

    public Conv2d(StoredTensor weight, float[] bias, int stride, int padding) {
        if (weight.rank() != 4) throw new IllegalArgumentException(weight.describe() + ": conv weight must be 4-D");
        this.weight = weight;
        this.bias = bias;
        this.out = (int) weight.dim(0);
        this.in = (int) weight.dim(1);
        this.kh = (int) weight.dim(2);
        this.kw = (int) weight.dim(3);
        this.stride = stride;
        this.padding = padding;
        this.matrix = GemmOperand.weights(weight);
    }

    public int outChannels() {
        return out;
    }

    public int inChannels() {
        return in;
    }


    /** x[n, in, h, w] -> [n, out, oh, ow]. */
    public Tensor forward(Tensor x) {
        int n = x.dim(0), h = x.dim(2), w = x.dim(3);
        if (x.dim(1) != in)
            throw new IllegalArgumentException(weight.describe() + ": expects " + in + " input channels, got " + x.dim(1));
        int oh = (h + 2 * padding - kh) / stride + 1, ow = (w + 2 * padding - kw) / stride + 1;
        int p = oh * ow, k = in * kh * kw;
        float[] src = x.data();
        float[] y = new float[n * out * p];
        boolean pointwise = kh == 1 && kw == 1 && stride == 1 && padding == 0;
        int band = Math.max(Gemm.MR, Math.min(p, MAX_BAND_FLOATS / Math.max(k, out)));
        float[] cols = new float[Math.min(p, band) * k];
        float[] res = new float[Math.min(p, band) * out];
        for (int b = 0; b < n; b++) {
            int xOff = b * in * h * w, yOff = b * out * p;
            for (int p0 = 0; p0 < p; p0 += band) {
                int pc = Math.min(band, p - p0);
                if (pointwise) {
                    transposeInto(src, xOff, in, h * w, p0, pc, cols);
                } else {
                    im2col(src, xOff, h, w, ow, p0, pc, cols);
                }
                Gemm.multiply(cols, 0, k, pc, matrix, bias, res, 0, out, false);
                final int base = yOff + p0;
                Parallel.forEach((out + 63) / 64, t -> {
                    int c0 = t * 64, c1 = Math.min(out, c0 + 64);
                    for (int c = c0; c < c1; c++) {
                        int o = base + c * p;
                        for (int i = 0; i < pc; i++) y[o + i] = res[i * out + c];
                    }
                });
            }
        }
        return new Tensor(y, n, out, oh, ow);
    }

    /** cols[i, c] = x[c, p0 + i] for a 1x1 convolution. */
    private static void transposeInto(float[] x, int xOff, int c, int hw, int p0, int pc, float[] cols) {
        Parallel.forEach((pc + 255) / 256, t -> {
            int i0 = t * 256, i1 = Math.min(pc, i0 + 256);
            for (int ch = 0; ch < c; ch++) {
                int s = xOff + ch * hw + p0;
                for (int i = i0; i < i1; i++) cols[i * c + ch] = x[s + i];
            }
        });
    }

    /** cols[i, (ci*kh + ky)*kw + kx] = x[ci, y*stride - pad + ky, x*stride - pad + kx] (0 outside). */
    private void im2col(float[] x, int xOff, int h, int w, int ow, int p0, int pc, float[] cols) {
        int k = in * kh * kw;
        Parallel.forEach((pc + 63) / 64, t -> {
            int i0 = t * 64, i1 = Math.min(pc, i0 + 64);
            for (int i = i0; i < i1; i++) {
                int pix = p0 + i, oy = pix / ow, ox = pix % ow;
                int row = i * k, col = 0;
                for (int ci = 0; ci < in; ci++) {
                    int plane = xOff + ci * h * w;
                    for (int ky = 0; ky < kh; ky++) {
                        int iy = oy * stride - padding + ky;
                        boolean rowIn = iy >= 0 && iy < h;
                        for (int kx = 0; kx < kw; kx++, col++) {
                            int ix = ox * stride - padding + kx;
                            cols[row + col] = rowIn && ix >= 0 && ix < w ? x[plane + iy * w + ix] : 0f;
                        }
                    }
                }
            }
        });
    }
}
