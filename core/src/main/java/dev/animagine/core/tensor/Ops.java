package dev.animagine.core.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.function.UnaryOperator;

/**
 * Element-wise and normalisation kernels on fp32 activations, vectorised and split over the worker
 * threads; new outputs come from {@link Buffers}. Statistics (means, variances) are summed in float vectors over short runs and the runs
 * in double, so results stay within float rounding of the references.
 */
public final class Ops {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Elements per parallel task of a streaming kernel. */
    private static final int CHUNK = 1 << 15;
    /** Floats summed in float lanes before the partial sum moves to double. */
    private static final int RUN = 16 * L;

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
        long profile = KernelProfile.start();
        try {
            mapInPlace(x, VectorFunctions::silu);
        } finally {
            KernelProfile.stop(KernelProfile.Family.ELEMENTWISE, profile);
        }
    }

    public static void geluInPlace(float[] x) {
        long profile = KernelProfile.start();
        try {
            mapInPlace(x, VectorFunctions::gelu);
        } finally {
            KernelProfile.stop(KernelProfile.Family.ELEMENTWISE, profile);
        }
    }

    public static void quickGeluInPlace(float[] x) {
        long profile = KernelProfile.start();
        try {
            mapInPlace(x, VectorFunctions::quickGelu);
        } finally {
            KernelProfile.stop(KernelProfile.Family.ELEMENTWISE, profile);
        }
    }

    private static void mapInPlace(float[] x, UnaryOperator<FloatVector> f) {
        Parallel.forEach(chunks(x.length), c -> {
            int from = c * CHUNK, to = Math.min(x.length, from + CHUNK);
            int i = from;
            for (; i + L <= to; i += L) f.apply(FloatVector.fromArray(S, x, i)).intoArray(x, i);
            if (i < to) {
                VectorMask<Float> m = S.indexInRange(i, to);
                f.apply(FloatVector.fromArray(S, x, i, m)).intoArray(x, i, m);
            }
        });
    }

    /** a += b element-wise. */
    public static void addInPlace(float[] a, float[] b) {
        long profile = KernelProfile.start();
        try {
            if (a.length != b.length) throw new IllegalArgumentException("length " + a.length + " vs " + b.length);
            Parallel.forEach(chunks(a.length), c -> {
                int from = c * CHUNK, to = Math.min(a.length, from + CHUNK);
                int i = from;
                for (; i + L <= to; i += L) FloatVector.fromArray(S, a, i).add(FloatVector.fromArray(S, b, i)).intoArray(a, i);
                for (; i < to; i++) a[i] += b[i];
            });
        } finally {
            KernelProfile.stop(KernelProfile.Family.ELEMENTWISE, profile);
        }
    }

    /** {@code x[p*hw + i] += add[p]} for each plane p of {@code x[planes, hw]} (e.g. a bias per channel of NCHW). */
    public static void addPerChannel(float[] x, float[] add, int planes, int hw) {
        long profile = KernelProfile.start();
        try {
            Parallel.forEach(ceilDiv(planes, 16), t -> {
                for (int p = t * 16; p < Math.min(planes, t * 16 + 16); p++) {
                    float v = add[p];
                    int o = p * hw, i = 0;
                    for (; i + L <= hw; i += L) FloatVector.fromArray(S, x, o + i).add(v).intoArray(x, o + i);
                    for (; i < hw; i++) x[o + i] += v;
                }
            });
        } finally {
            KernelProfile.stop(KernelProfile.Family.ELEMENTWISE, profile);
        }
    }

    /**
     * GEGLU: {@code x[rows, 2*d]} split into hidden (first half) and gate (second half);
     * returns {@code hidden * gelu(gate)} as [rows, d].
     */
    public static float[] geglu(float[] x, int rows, int d) {
        long profile = KernelProfile.start();
        try {
            float[] out = Buffers.take(rows * d);
            Parallel.forEach(rows, r -> {
                int src = r * 2 * d, dst = r * d, j = 0;
                for (; j + L <= d; j += L)
                    FloatVector.fromArray(S, x, src + j).mul(VectorFunctions.gelu(FloatVector.fromArray(S, x, src + d + j))).intoArray(out, dst + j);
                for (; j < d; j++) out[dst + j] = x[src + j] * gelu(x[src + d + j]);
            });
            return out;
        } finally {
            KernelProfile.stop(KernelProfile.Family.ELEMENTWISE, profile);
        }
    }

    /** LayerNorm over the last dimension of {@code x[rows, dim]}. */
    public static float[] layerNorm(float[] x, int rows, int dim, float[] gamma, float[] beta, double eps) {
        long profile = KernelProfile.start();
        try {
            float[] out = Buffers.take(rows * dim);
            Parallel.forEach(ceilDiv(rows, 8), t -> {
                for (int r = t * 8; r < Math.min(rows, t * 8 + 8); r++) {
                    int o = r * dim;
                    double mean = sum(x, o, dim) / dim;
                    double var = sumSquaredDeviations(x, o, dim, (float) mean) / dim;
                    float m = (float) mean, inv = (float) (1.0 / Math.sqrt(var + eps));
                    int j = 0;
                    for (; j + L <= dim; j += L)
                        FloatVector.fromArray(S, x, o + j).sub(m).mul(inv)
                                .fma(FloatVector.fromArray(S, gamma, j), FloatVector.fromArray(S, beta, j)).intoArray(out, o + j);
                    for (; j < dim; j++) out[o + j] = Math.fma((x[o + j] - m) * inv, gamma[j], beta[j]);
                }
            });
            return out;
        } finally {
            KernelProfile.stop(KernelProfile.Family.NORMALISATION, profile);
        }
    }

    /**
     * GroupNorm on NCHW {@code x[n, c, hw]}: statistics over each group of {@code c/groups}
     * channels, then the per-channel affine; optionally SiLU fused in the same pass.
     */
    public static float[] groupNorm(float[] x, int n, int c, int hw, int groups, float[] gamma, float[] beta,
                                    double eps, boolean silu) {
        float[] out = Buffers.take(x.length);
        groupNorm(x, out, n, c, hw, groups, gamma, beta, eps, silu);
        return out;
    }

    /** {@link #groupNorm(float[], int, int, int, int, float[], float[], double, boolean)} into {@code out} (may be {@code x}). */
    public static void groupNorm(float[] x, float[] out, int n, int c, int hw, int groups, float[] gamma, float[] beta,
                                 double eps, boolean silu) {
        long profile = KernelProfile.start();
        try {
            if (c % groups != 0) throw new IllegalArgumentException(c + " channels in " + groups + " groups");
            int cpg = c / groups;
            double[] mean = new double[n * groups], inv = new double[n * groups];
            Parallel.forEach(n * groups, t -> {
                int base = t * cpg * hw, len = cpg * hw;
                double m = sum(x, base, len) / len;
                double var = sumSquaredDeviations(x, base, len, (float) m) / len;
                mean[t] = m;
                inv[t] = 1.0 / Math.sqrt(var + eps);
            });
            // normalise channel by channel: y = (x - mean) * a + beta with a = gamma / std
            Parallel.forEach(n * c, p -> {
                int b = p / c, ch = p % c, g = b * groups + ch / cpg, o = p * hw;
                float m = (float) mean[g], a = (float) (gamma[ch] * inv[g]), be = beta[ch];
                int i = 0;
                for (; i + L <= hw; i += L) {
                    FloatVector v = FloatVector.fromArray(S, x, o + i).sub(m).fma(a, be);
                    (silu ? VectorFunctions.silu(v) : v).intoArray(out, o + i);
                }
                for (; i < hw; i++) {
                    float v = Math.fma(x[o + i] - m, a, be);
                    out[o + i] = silu ? silu(v) : v;
                }
            });
        } finally {
            KernelProfile.stop(KernelProfile.Family.NORMALISATION, profile);
        }
    }

    /** Sum of {@code x[off, off+len)}. */
    static double sum(float[] x, int off, int len) {
        double total = 0;
        int i = 0;
        while (i + L <= len) {
            FloatVector acc = FloatVector.zero(S);
            int end = Math.min(len - L, i + RUN - L);
            for (; i <= end; i += L) acc = acc.add(FloatVector.fromArray(S, x, off + i));
            total += VectorFunctions.sumLanes(acc);
        }
        for (; i < len; i++) total += x[off + i];
        return total;
    }

    /** Sum of {@code (x - mean)^2} over {@code x[off, off+len)}. */
    static double sumSquaredDeviations(float[] x, int off, int len, float mean) {
        double total = 0;
        int i = 0;
        while (i + L <= len) {
            FloatVector acc = FloatVector.zero(S);
            int end = Math.min(len - L, i + RUN - L);
            for (; i <= end; i += L) {
                FloatVector d = FloatVector.fromArray(S, x, off + i).sub(mean);
                acc = d.fma(d, acc);
            }
            total += VectorFunctions.sumLanes(acc);
        }
        for (; i < len; i++) {
            double d = x[off + i] - mean;
            total += d * d;
        }
        return total;
    }

    /** [n, c, hw] -> [n, hw, c]. */
    public static float[] channelsLast(float[] x, int n, int c, int hw) {
        long profile = KernelProfile.start();
        try {
            float[] out = Buffers.take(x.length);
            transpose(x, out, n, c, hw);
            return out;
        } finally {
            KernelProfile.stop(KernelProfile.Family.DATA_MOVEMENT, profile);
        }
    }

    /** [n, hw, c] -> [n, c, hw]. */
    public static float[] channelsFirst(float[] x, int n, int c, int hw) {
        long profile = KernelProfile.start();
        try {
            float[] out = Buffers.take(x.length);
            transpose(x, out, n, hw, c);
            return out;
        } finally {
            KernelProfile.stop(KernelProfile.Family.DATA_MOVEMENT, profile);
        }
    }

    /** {@code out[b][j][i] = x[b][i][j]} for {@code x[n][rows][cols]}, in cache-sized tiles. */
    private static void transpose(float[] x, float[] out, int n, int rows, int cols) {
        final int tile = 32;
        int tr = ceilDiv(rows, tile), tc = ceilDiv(cols, tile);
        Parallel.forEach(n * tr, t -> {
            int b = t / tr, r0 = (t % tr) * tile, r1 = Math.min(rows, r0 + tile), base = b * rows * cols;
            for (int c0 = 0; c0 < tc * tile; c0 += tile) {
                int c1 = Math.min(cols, c0 + tile);
                for (int i = r0; i < r1; i++)
                    for (int j = c0; j < c1; j++) out[base + j * rows + i] = x[base + i * cols + j];
            }
        });
    }

    /**
     * Nearest-neighbour resize of NCHW {@code x[n, c, h, w]} to {@code [oh, ow]} with torch's rule
     * (source index = floor(dst * in / out)); 2x upsampling is the common case.
     */
    public static float[] resizeNearest(float[] x, int n, int c, int h, int w, int oh, int ow) {
        long profile = KernelProfile.start();
        try {
            float[] out = Buffers.take(n * c * oh * ow);
            double sy = (double) h / oh, sx = (double) w / ow;
            int[] xs = new int[ow];
            for (int j = 0; j < ow; j++) xs[j] = Math.min((int) Math.floor(j * sx), w - 1);
            Parallel.forEach(n * c, p -> {
                int src = p * h * w, dst = p * oh * ow;
                int prev = -1;
                for (int i = 0; i < oh; i++) {
                    int yi = Math.min((int) Math.floor(i * sy), h - 1);
                    int o = dst + i * ow;
                    if (yi == prev) { // the same source row as the output row above
                        System.arraycopy(out, o - ow, out, o, ow);
                        continue;
                    }
                    int row = src + yi * w;
                    for (int j = 0; j < ow; j++) out[o + j] = x[row + xs[j]];
                    prev = yi;
                }
            });
            return out;
        } finally {
            KernelProfile.stop(KernelProfile.Family.DATA_MOVEMENT, profile);
        }
    }

    /** Concatenation along channels of NCHW tensors with equal n and spatial size. */
    public static float[] concatChannels(float[] a, int ca, float[] b, int cb, int n, int hw) {
        long profile = KernelProfile.start();
        try {
            float[] out = Buffers.take(n * (ca + cb) * hw);
            Parallel.forEach(2 * n, t -> {
                int i = t / 2;
                if (t % 2 == 0) System.arraycopy(a, i * ca * hw, out, i * (ca + cb) * hw, ca * hw);
                else System.arraycopy(b, i * cb * hw, out, (i * (ca + cb) + ca) * hw, cb * hw);
            });
            return out;
        } finally {
            KernelProfile.stop(KernelProfile.Family.DATA_MOVEMENT, profile);
        }
    }

    static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }

    private static int chunks(int n) {
        return ceilDiv(n, CHUNK);
    }
}
