package dev.animagine.core.tensor;

/**
 * 2-D convolution on NCHW activations with {@code [out, in, kh, kw]} weights kept in their file
 * dtype, as one {@link Gemm} per image: {@code Y[out, pixels] = W[out, in*kh*kw] · X̂ + bias}, where
 * X̂ (im2col) is never built: {@link Patches} packs its panels straight from the input, and the
 * product lands in NCHW order, so nothing is transposed. 1x1 stride-1 convolutions read the input
 * as it is; stride-1 3x3 ones go through {@link WinogradConv} unless {@link Winograd} is off. Optional
 * low-rank side paths (LoCon adapters) add {@code scale · U · conv(x, D)}: D a convolution of rank r
 * with this kernel, stride and padding, U a 1x1 convolution; the base weight is never merged or copied.
 */
public final class Conv2d {
    private final StoredTensor weight;
    private final float[] bias;
    private final int out, in, kh, kw, stride, padding;
    private final GemmA matrix;
    private final Side[] sides;

    private record Side(Conv2d down, GemmA up, float scale, int rank) {}
    /** Built on first use for the tile size {@link Winograd} asks for. */
    private volatile WinogradConv winograd;

    public Conv2d(StoredTensor weight, float[] bias, int stride, int padding) {
        this(weight, bias, stride, padding, java.util.List.of());
    }

    public Conv2d(StoredTensor weight, float[] bias, int stride, int padding, java.util.List<LowRank> lowRank) {
        if (weight.rank() != 4) throw new IllegalArgumentException(weight.describe() + ": conv weight must be 4-D");
        this.weight = weight;
        this.bias = bias;
        this.out = (int) weight.dim(0);
        this.in = (int) weight.dim(1);
        this.kh = (int) weight.dim(2);
        this.kw = (int) weight.dim(3);
        this.stride = stride;
        this.padding = padding;
        this.matrix = GemmA.weights(weight);
        if (bias != null && bias.length != out)
            throw new IllegalArgumentException(weight.describe() + ": bias has " + bias.length + " values for " + out + " channels");
        this.sides = new Side[lowRank.size()];
        for (int i = 0; i < sides.length; i++) {
            LowRank lr = lowRank.get(i);
            int r = lr.rank();
            if (lr.down().numel() != (long) r * in * kh * kw || lr.up().dim(0) != out)
                throw new IllegalArgumentException(weight.describe() + ": low-rank update " + lr.down().describe() + " / "
                        + lr.up().describe() + " does not fit a " + java.util.Arrays.toString(weight.shape()) + " weight");
            Conv2d down = new Conv2d(lr.down().reshape(r, in, kh, kw), null, stride, padding);
            sides[i] = new Side(down, GemmA.weights(lr.up().reshape(out, r)), lr.scale(), r);
        }
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
        float[] y = Buffers.take(n * out * oh * ow);
        forward(x.data(), n, h, w, y);
        return new Tensor(y, n, out, oh, ow);
    }

    /** Into {@code y[n, out, oh, ow]} (overwritten). */
    public void forward(float[] x, int n, int h, int w, float[] y) {
        int oh = (h + 2 * padding - kh) / stride + 1, ow = (w + 2 * padding - kw) / stride + 1, p = oh * ow;
        long profile = KernelProfile.start();
        try {
            int tile = Winograd.tileFor(kh, kw, stride, in, out, n, oh, ow);
            if (tile != 0) {
                WinogradConv wc = winograd;
                if (wc == null || wc.tile() != tile) winograd = wc = new WinogradConv(weight, bias, out, in, padding, tile);
                wc.forward(x, n, h, w, y);
            } else {
                boolean pointwise = kh == 1 && kw == 1 && stride == 1 && padding == 0;
                for (int b = 0; b < n; b++) {
                    int xOff = b * in * h * w;
                    GemmOperand patches = pointwise ? GemmOperand.plain(x, xOff, h * w, in, p) : new Patches(x, xOff, h, w, ow, p);
                    Gemm.multiply(matrix, patches, bias, null, y, b * out * p, p, false);
                }
            }
        } finally {
            KernelProfile.stop(KernelProfile.Family.CONVOLUTION, profile);
        }
        for (Side s : sides) {
            float[] t = Buffers.take(n * s.rank * p);
            s.down.forward(x, n, h, w, t);
            for (int i = 0; i < t.length; i++) t[i] *= s.scale;
            for (int b = 0; b < n; b++)
                Gemm.multiply(s.up, GemmOperand.plain(t, b * s.rank * p, p, s.rank, p), null, null, y, b * out * p, p, true);
            Buffers.give(t);
        }
    }

    /**
     * The im2col matrix {@code X̂[(ci*kh + ky)*kw + kx, oy*ow + ox] = x[ci, oy*stride - pad + ky, ox*stride - pad + kx]}
     * (0 outside the image), packed panel by panel from the input.
     */
    private final class Patches implements GemmOperand {
        private final float[] x;
        private final int xOff, h, w, ow, pixels;

        Patches(float[] x, int xOff, int h, int w, int ow, int pixels) {
            this.x = x;
            this.xOff = xOff;
            this.h = h;
            this.w = w;
            this.ow = ow;
            this.pixels = pixels;
        }

        @Override public int k() { return in * kh * kw; }
        @Override public int n() { return pixels; }

        @Override
        public void pack(int n0, int nc, int k0, int kc, float[] dst, int dstOff) {
            int nr = Gemm.NR;
            int[] iy0 = new int[nr], ix0 = new int[nr];
            for (int p = 0; p * nr < nc; p++) {
                int cols = Math.min(nr, nc - p * nr), first = n0 + p * nr, base = dstOff + p * kc * nr;
                int oy = first / ow, ox = first % ow;
                // a full panel inside one output row is a strided (stride 1: contiguous) run of each input row
                boolean oneRow = cols == nr && ox + nr <= ow;
                for (int j = 0; j < cols; j++) {
                    int pix = first + j;
                    iy0[j] = (pix / ow) * stride - padding;
                    ix0[j] = (pix % ow) * stride - padding;
                }
                int ci = k0 / (kh * kw), ky = k0 / kw % kh, kx = k0 % kw;
                for (int kk = 0; kk < kc; kk++) {
                    int d = base + kk * nr, plane = xOff + ci * h * w;
                    if (oneRow) {
                        int iy = oy * stride - padding + ky, ix = ox * stride - padding + kx;
                        if (iy < 0 || iy >= h) {
                            java.util.Arrays.fill(dst, d, d + nr, 0f);
                        } else if (stride == 1 && ix >= 0 && ix + nr <= w) {
                            System.arraycopy(x, plane + iy * w + ix, dst, d, nr);
                        } else {
                            int row = plane + iy * w;
                            for (int j = 0; j < nr; j++, ix += stride) dst[d + j] = ix >= 0 && ix < w ? x[row + ix] : 0f;
                        }
                    } else {
                        for (int j = 0; j < cols; j++) {
                            int iy = iy0[j] + ky, ix = ix0[j] + kx;
                            dst[d + j] = iy >= 0 && iy < h && ix >= 0 && ix < w ? x[plane + iy * w + ix] : 0f;
                        }
                        for (int j = cols; j < nr; j++) dst[d + j] = 0f;
                    }
                    if (++kx == kw) {
                        kx = 0;
                        if (++ky == kh) {
                            ky = 0;
                            ci++;
                        }
                    }
                }
            }
        }
    }
}
