package dev.animagine.core.tensor;

import dev.animagine.core.testing.Close;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** Each kernel against a straightforward double-precision reference, on shapes that are not multiples of anything. */
class KernelsTest {
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    static float[] random(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextDouble() * 2 - 1);
        return a;
    }

    /** A weight tensor of the given dtype; returns it and fills {@code exact} with the values it holds. */
    static StoredTensor weight(DType dtype, float[] values, float[] exact, long... shape) {
        MemorySegment seg = MemorySegment.ofArray(new byte[values.length * dtype.byteSize()]);
        for (int i = 0; i < values.length; i++) {
            switch (dtype) {
                case F32 -> { seg.set(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i * 4L, values[i]); exact[i] = values[i]; }
                case F16 -> { short h = Float.floatToFloat16(values[i]); seg.set(LE_SHORT, i * 2L, h); exact[i] = Float.float16ToFloat(h); }
                case BF16 -> { short h = (short) (Float.floatToIntBits(values[i]) >>> 16); seg.set(LE_SHORT, i * 2L, h); exact[i] = Float.intBitsToFloat(h << 16); }
                default -> throw new IllegalArgumentException();
            }
        }
        return new StoredTensor("w", dtype, shape, seg, "test");
    }

    @ParameterizedTest
    @CsvSource({"1,1,1,F32", "5,7,3,F16", "6,16,256,F32", "7,33,257,BF16", "13,17,300,F16", "64,129,70,F32", "2,600,513,F16", "37,5,1,BF16",
            "300,37,70,F16", "257,530,33,BF16", "301,17,600,F32", "7,600,8200,F16", "599,40,70,F16", "600,40,70,F16", "700,37,70,BF16"})
    void linearMatchesReference(int m, int n, int k, DType dtype) {
        SplittableRandom r = new SplittableRandom(m * 1000 + n * 10 + k);
        float[] x = random(r, m * k), wv = random(r, n * k), w = new float[n * k], bias = random(r, n);
        StoredTensor wt = weight(dtype, wv, w, n, k);
        float[] y = new float[m * n];
        Gemm.multiply(x, 0, k, m, GemmOperand.weights(wt), bias, y, 0, n, false);
        float[] ref = new float[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double s = bias[j];
                for (int kk = 0; kk < k; kk++) s += (double) x[i * k + kk] * w[j * k + kk];
                ref[i * n + j] = (float) s;
            }
        Close.assertClose("linear " + m + "x" + n + "x" + k, y, ref, 2e-5 * Math.sqrt(k), 1e-5);
        // accumulate mode adds the product (no bias) to what is there
        float[] acc = ref.clone();
        Gemm.multiply(x, 0, k, m, GemmOperand.weights(wt), null, acc, 0, n, true);
        for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) ref[i * n + j] = 2 * ref[i * n + j] - bias[j];
        Close.assertClose("accumulate", acc, ref, 4e-5 * Math.sqrt(k), 1e-5);
    }

    @Test
    void stridedOperandsAndPlainLayout() {
        SplittableRandom r = new SplittableRandom(7);
        int m = 11, n = 19, k = 23, lda = 31, ldb = 29, ldc = 41;
        float[] a = random(r, 3 + m * lda), b = random(r, 5 + k * ldb), c = new float[2 + m * ldc];
        Gemm.multiplySerial(a, 3, lda, m, GemmOperand.plain(b, 5, ldb, k, n), null, c, 2, ldc, false);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int kk = 0; kk < k; kk++) s += (double) a[3 + i * lda + kk] * b[5 + kk * ldb + j];
                assertThat((double) c[2 + i * ldc + j]).isCloseTo(s, org.assertj.core.data.Offset.offset(1e-4));
            }
        float[] bt = random(r, 4 + n * ldb);
        Gemm.multiply(a, 3, lda, m, GemmOperand.transposed(bt, 4, ldb, n, k), null, c, 2, ldc, false);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int kk = 0; kk < k; kk++) s += (double) a[3 + i * lda + kk] * bt[4 + j * ldb + kk];
                assertThat((double) c[2 + i * ldc + j]).isCloseTo(s, org.assertj.core.data.Offset.offset(1e-4));
            }
    }

    @ParameterizedTest
    @CsvSource({"1,3,5,7,3,1,1", "2,4,6,9,3,1,1", "2,5,3,8,1,1,0", "1,6,4,9,3,2,1", "2,3,7,10,3,2,1", "1,32,40,8,3,1,1",
            "2,30,13,19,3,1,1", "1,3,5,40,3,2,1", "1,7,3,35,1,1,0", "2,2,9,17,3,1,0"})
    void conv2dMatchesReference(int n, int cin, int cout, int size, int ks, int stride, int pad) {
        SplittableRandom r = new SplittableRandom(n * 31 + cin * 7 + cout + size * 3 + ks + stride);
        int h = size, w = size + 3;
        float[] x = random(r, n * cin * h * w), wv = random(r, cout * cin * ks * ks), wexact = new float[wv.length], bias = random(r, cout);
        StoredTensor wt = weight(DType.F16, wv, wexact, cout, cin, ks, ks);
        Tensor y = new Conv2d(wt, bias, stride, pad).forward(new Tensor(x, n, cin, h, w));
        int oh = (h + 2 * pad - ks) / stride + 1, ow = (w + 2 * pad - ks) / stride + 1;
        assertThat(y.shape()).containsExactly(n, cout, oh, ow);
        float[] ref = new float[n * cout * oh * ow];
        for (int b = 0; b < n; b++)
            for (int co = 0; co < cout; co++)
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < ow; ox++) {
                        double s = bias[co];
                        for (int ci = 0; ci < cin; ci++)
                            for (int ky = 0; ky < ks; ky++)
                                for (int kx = 0; kx < ks; kx++) {
                                    int iy = oy * stride - pad + ky, ix = ox * stride - pad + kx;
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                                    s += (double) x[((b * cin + ci) * h + iy) * w + ix] * wexact[((co * cin + ci) * ks + ky) * ks + kx];
                                }
                        ref[((b * cout + co) * oh + oy) * ow + ox] = (float) s;
                    }
        Close.assertClose("conv", y.data(), ref, 1e-4, 1e-5);
    }

    @ParameterizedTest
    @CsvSource({"1,1,5,5,8,true", "2,3,77,77,16,true", "2,2,70,77,32,false", "1,4,130,9,24,false",
            "1,2,300,333,24,false", "1,2,150,150,16,true", "1,1,20,40,300,false", "2,1,7,600,8,false"})
    void attentionMatchesReference(int batch, int heads, int tq, int tk, int d, boolean causal) {
        SplittableRandom r = new SplittableRandom(batch + heads * 3 + tq + tk * 5 + d);
        int c = heads * d;
        float[] q = random(r, batch * tq * c), k = random(r, batch * tk * c), v = random(r, batch * tk * c), out = new float[batch * tq * c];
        Attention.forward(q, 0, c, k, 0, c, v, 0, c, out, 0, c, batch, heads, tq, tk, d, causal);
        float[] ref = new float[out.length];
        for (int b = 0; b < batch; b++)
            for (int h = 0; h < heads; h++)
                for (int i = 0; i < tq; i++) {
                    double[] s = new double[tk];
                    double max = Double.NEGATIVE_INFINITY;
                    int valid = causal ? Math.min(tk, i + 1) : tk;
                    for (int j = 0; j < valid; j++) {
                        double dot = 0;
                        for (int e = 0; e < d; e++) dot += (double) q[(b * tq + i) * c + h * d + e] * k[(b * tk + j) * c + h * d + e];
                        s[j] = dot / Math.sqrt(d);
                        max = Math.max(max, s[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < valid; j++) sum += (s[j] = Math.exp(s[j] - max));
                    for (int e = 0; e < d; e++) {
                        double o = 0;
                        for (int j = 0; j < valid; j++) o += s[j] / sum * v[(b * tk + j) * c + h * d + e];
                        ref[(b * tq + i) * c + h * d + e] = (float) o;
                    }
                }
        Close.assertClose("attention", out, ref, 2e-6 * Math.sqrt(tk), 1e-5);
    }

    @Test
    void groupNormWithFusedSilu() {
        SplittableRandom r = new SplittableRandom(3);
        int n = 2, c = 12, hw = 7, groups = 4;
        float[] x = random(r, n * c * hw), g = random(r, c), b = random(r, c);
        for (boolean silu : new boolean[] {false, true}) {
            float[] y = Ops.groupNorm(x, n, c, hw, groups, g, b, 1e-5, silu);
            float[] ref = new float[x.length];
            int cpg = c / groups;
            for (int bi = 0; bi < n; bi++)
                for (int gi = 0; gi < groups; gi++) {
                    double mean = 0, var = 0;
                    int base = (bi * c + gi * cpg) * hw, len = cpg * hw;
                    for (int i = 0; i < len; i++) mean += x[base + i];
                    mean /= len;
                    for (int i = 0; i < len; i++) var += (x[base + i] - mean) * (x[base + i] - mean);
                    var /= len;
                    for (int i = 0; i < len; i++) {
                        int ch = gi * cpg + i / hw;
                        double v = (x[base + i] - mean) / Math.sqrt(var + 1e-5) * g[ch] + b[ch];
                        ref[base + i] = (float) (silu ? v / (1 + Math.exp(-v)) : v);
                    }
                }
            Close.assertClose("groupnorm silu=" + silu, y, ref, 1e-6, 1e-5);
        }
    }

    @Test
    void erfAndGeluAgainstKnownValues() {
        // erf values from Abramowitz & Stegun, Table 7.1
        assertThat(Erf.erf(0.0)).isEqualTo(0.0);
        assertThat(Erf.erf(0.1)).isCloseTo(0.1124629160, org.assertj.core.data.Offset.offset(1e-10));
        assertThat(Erf.erf(0.5)).isCloseTo(0.5204998778, org.assertj.core.data.Offset.offset(1e-10));
        assertThat(Erf.erf(1.0)).isCloseTo(0.8427007929, org.assertj.core.data.Offset.offset(1e-10));
        assertThat(Erf.erf(-1.5)).isCloseTo(-0.9661051465, org.assertj.core.data.Offset.offset(1e-10));
        assertThat(Erf.erf(2.0)).isCloseTo(0.9953222650, org.assertj.core.data.Offset.offset(1e-10));
        assertThat(Erf.erf(3.0)).isCloseTo(0.9999779095, org.assertj.core.data.Offset.offset(1e-10));
        assertThat(Erf.erf(5.0)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-11));
        // erf is odd and monotone across the approximation's break points
        double prev = -1;
        for (double t = -6; t <= 6; t += 1e-3) {
            double e = Erf.erf(t);
            assertThat(e).isGreaterThanOrEqualTo(prev);
            assertThat(e).isCloseTo(-Erf.erf(-t), org.assertj.core.data.Offset.offset(1e-15));
            prev = e;
        }
        assertThat((double) Ops.gelu(1f)).isCloseTo(0.8413447461, org.assertj.core.data.Offset.offset(1e-7));
    }

    @Test
    void nearestResizeFollowsTorch() {
        float[] x = {1, 2, 3, 4, 5, 6}; // 1 x 1 x 2 x 3
        float[] y = Ops.resizeNearest(x, 1, 1, 2, 3, 4, 6);
        assertThat(y).containsExactly(1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 4, 4, 5, 5, 6, 6);
        // 3 -> 5: floor(j * 3/5) = 0,0,1,1,2
        float[] z = Ops.resizeNearest(new float[] {1, 2, 3}, 1, 1, 1, 3, 1, 5);
        assertThat(z).containsExactly(1, 1, 2, 2, 3);
    }
}
