package dev.animagine.core.tensor;

/**
 * Element-wise and normalisation kernels on fp32 activations. Statistics (means, variances) are
 * accumulated in double so results stay within float rounding of the references.
 */
public final class Ops {
    private Ops() {}

    /** y = x * sigmoid(x). */
    public static float silu(float x) {
        return x / (1f + (float) Math.exp(-x));
    }

    /** Exact GELU, 0.5 x (1 + erf(x / sqrt 2)), as torch's default. */
    public static float gelu(float x) {
        return (float) (0.5 * x * (1.0 + Erf.erf(x / Math.sqrt(2.0))));
    }

    /** OpenAI CLIP's QuickGELU, x * sigmoid(1.702 x). */
    public static float quickGelu(float x) {
        return x / (1f + (float) Math.exp(-1.702f * x));
    }

    public static void siluInPlace(float[] x) {
        Parallel.forEach(chunks(x.length), c -> {
            int from = c * CHUNK, to = Math.min(x.length, from + CHUNK);
            for (int i = from; i < to; i++) x[i] = silu(x[i]);
        });
    }

    public static void geluInPlace(float[] x) {
        Parallel.forEach(chunks(x.length), c -> {
            int from = c * CHUNK, to = Math.min(x.length, from + CHUNK);
            for (int i = from; i < to; i++) x[i] = gelu(x[i]);
        });
    }

    public static void quickGeluInPlace(float[] x) {
        Parallel.forEach(chunks(x.length), c -> {
            int from = c * CHUNK, to = Math.min(x.length, from + CHUNK);
            for (int i = from; i < to; i++) x[i] = quickGelu(x[i]);
        });
    }

    /** a += b element-wise. */
    public static void addInPlace(float[] a, float[] b) {
        if (a.length != b.length) throw new IllegalArgumentException("length " + a.length + " vs " + b.length);
        Parallel.forEach(chunks(a.length), c -> {
            int from = c * CHUNK, to = Math.min(a.length, from + CHUNK);
            for (int i = from; i < to; i++) a[i] += b[i];
        });
    }

    public static void scaleInPlace(float[] a, float s) {
        for (int i = 0; i < a.length; i++) a[i] *= s;
    }

    /**
     * GEGLU: {@code x[rows, 2*d]} split into hidden (first half) and gate (second half);
     * returns {@code hidden * gelu(gate)} as [rows, d].
     */
    public static float[] geglu(float[] x, int rows, int d) {
        float[] out = new float[rows * d];
        Parallel.forEach(rows, r -> {
            int src = r * 2 * d, dst = r * d;
            for (int j = 0; j < d; j++) out[dst + j] = x[src + j] * gelu(x[src + d + j]);
        });
        return out;
    }

    /** LayerNorm over the last dimension of {@code x[rows, dim]}. */
    public static float[] layerNorm(float[] x, int rows, int dim, float[] gamma, float[] beta, double eps) {
        float[] out = new float[rows * dim];
        Parallel.forEach(rows, r -> {
            int o = r * dim;
            double sum = 0;
            for (int j = 0; j < dim; j++) sum += x[o + j];
            double mean = sum / dim, var = 0;
            for (int j = 0; j < dim; j++) {
                double d = x[o + j] - mean;
                var += d * d;
            }
            double inv = 1.0 / Math.sqrt(var / dim + eps);
            for (int j = 0; j < dim; j++)
                out[o + j] = (float) ((x[o + j] - mean) * inv) * gamma[j] + beta[j];
        });
        return out;
    }

    /**
     * GroupNorm on NCHW {@code x[n, c, hw]}: statistics over each group of {@code c/groups}
     * channels, then the per-channel affine; optionally SiLU fused in the same pass.
     */
    public static float[] groupNorm(float[] x, int n, int c, int hw, int groups, float[] gamma, float[] beta,
                                    double eps, boolean silu) {
        if (c % groups != 0) throw new IllegalArgumentException(c + " channels in " + groups + " groups");
        float[] out = new float[x.length];
        int cpg = c / groups;
        Parallel.forEach(n * groups, t -> {
            int b = t / groups, g = t % groups;
            int base = (b * c + g * cpg) * hw, len = cpg * hw;
            double sum = 0;
            for (int i = 0; i < len; i++) sum += x[base + i];
            double mean = sum / len, var = 0;
            for (int i = 0; i < len; i++) {
                double d = x[base + i] - mean;
                var += d * d;
            }
            double inv = 1.0 / Math.sqrt(var / len + eps);
            for (int ch = 0; ch < cpg; ch++) {
                int cc = g * cpg + ch, o = base + ch * hw;
                float ga = gamma[cc], be = beta[cc];
                for (int i = 0; i < hw; i++) {
                    float v = (float) ((x[o + i] - mean) * inv) * ga + be;
                    out[o + i] = silu ? silu(v) : v;
                }
            }
        });
        return out;
    }

    /** Softmax over each row of {@code x[rows, cols]} in place (max-subtracted). */
    public static void softmaxRows(float[] x, int off, int rows, int cols, int ld) {
        for (int r = 0; r < rows; r++) {
            int o = off + r * ld;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) max = Math.max(max, x[o + j]);
            float sum = 0;
            for (int j = 0; j < cols; j++) {
                float e = (float) Math.exp(x[o + j] - max);
                x[o + j] = e;
                sum += e;
            }
            float inv = 1f / sum;
            for (int j = 0; j < cols; j++) x[o + j] *= inv;
        }
    }

    /** [n, c, hw] -> [n, hw, c]. */
    public static float[] channelsLast(float[] x, int n, int c, int hw) {
        float[] out = new float[x.length];
        Parallel.forEach(n, b -> {
            int base = b * c * hw;
            for (int ch = 0; ch < c; ch++)
                for (int i = 0; i < hw; i++) out[base + i * c + ch] = x[base + ch * hw + i];
        });
        return out;
    }

    /** [n, hw, c] -> [n, c, hw]. */
    public static float[] channelsFirst(float[] x, int n, int c, int hw) {
        float[] out = new float[x.length];
        Parallel.forEach(n, b -> {
            int base = b * c * hw;
            for (int i = 0; i < hw; i++)
                for (int ch = 0; ch < c; ch++) out[base + ch * hw + i] = x[base + i * c + ch];
        });
        return out;
    }

    /**
     * Nearest-neighbour resize of NCHW {@code x[n, c, h, w]} to {@code [oh, ow]} with torch's rule
     * (source index = floor(dst * in / out)); 2x upsampling is the common case.
     */
    public static float[] resizeNearest(float[] x, int n, int c, int h, int w, int oh, int ow) {
        float[] out = new float[n * c * oh * ow];
        double sy = (double) h / oh, sx = (double) w / ow;
        int[] xs = new int[ow];
        for (int j = 0; j < ow; j++) xs[j] = Math.min((int) Math.floor(j * sx), w - 1);
        Parallel.forEach(n * c, p -> {
            int src = p * h * w, dst = p * oh * ow;
            for (int i = 0; i < oh; i++) {
                int yi = Math.min((int) Math.floor(i * sy), h - 1);
                int row = src + yi * w, o = dst + i * ow;
                for (int j = 0; j < ow; j++) out[o + j] = x[row + xs[j]];
            }
        });
        return out;
    }

    /** Concatenation along channels of NCHW tensors with equal n and spatial size. */
    public static float[] concatChannels(float[] a, int ca, float[] b, int cb, int n, int hw) {
        float[] out = new float[n * (ca + cb) * hw];
        for (int i = 0; i < n; i++) {
            System.arraycopy(a, i * ca * hw, out, i * (ca + cb) * hw, ca * hw);
            System.arraycopy(b, i * cb * hw, out, (i * (ca + cb) + ca) * hw, cb * hw);
        }
        return out;
    }

    private static final int CHUNK = 1 << 15;

    private static int chunks(int n) {
        return (n + CHUNK - 1) / CHUNK;
    }
}
