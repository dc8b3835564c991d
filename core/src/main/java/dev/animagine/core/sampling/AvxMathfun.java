package dev.animagine.core.sampling;

/**
 * One lane of {@code log256_ps} and {@code sincos256_ps} from PyTorch's {@code avx_mathfun.h}
 * (Cephes single-precision polynomials by way of Pommier's sse_mathfun), which torch's AVX2
 * {@code normal_fill_16_AVX2} uses instead of libm. Torch compiles them with {@code -mfma} and
 * GCC's default {@code -ffp-contract=fast}, so every multiply whose only use is an add or subtract
 * becomes a fused multiply-add; the {@link Math#fma} calls below sit exactly where GCC fuses, which
 * is what makes the results bit-identical rather than merely close.
 */
final class AvxMathfun {
    private AvxMathfun() {}

    private static final float SQRTHF = 0.707106781186547524f;
    private static final float LOG_P0 = 7.0376836292E-2f, LOG_P1 = -1.1514610310E-1f, LOG_P2 = 1.1676998740E-1f,
            LOG_P3 = -1.2420140846E-1f, LOG_P4 = 1.4249322787E-1f, LOG_P5 = -1.6668057665E-1f,
            LOG_P6 = 2.0000714765E-1f, LOG_P7 = -2.4999993993E-1f, LOG_P8 = 3.3333331174E-1f;
    private static final float LOG_Q1 = -2.12194440e-4f, LOG_Q2 = 0.693359375f;

    private static final float MINUS_DP1 = -0.78515625f, MINUS_DP2 = -2.4187564849853515625e-4f,
            MINUS_DP3 = -3.77489497744594108e-8f;
    private static final float SINCOF_P0 = -1.9515295891E-4f, SINCOF_P1 = 8.3321608736E-3f, SINCOF_P2 = -1.6666654611E-1f;
    private static final float COSCOF_P0 = 2.443315711809948E-005f, COSCOF_P1 = -1.388731625493765E-003f,
            COSCOF_P2 = 4.166664568298827E-002f;
    private static final float FOPI = 1.27323954473516f; // 4 / pi

    /** Natural logarithm; NaN for x <= 0 (denormals are flushed to the smallest normal). */
    static float log(float x) {
        if (!(x > 0)) return Float.NaN;
        x = Math.max(x, Float.MIN_NORMAL);
        int bits = Float.floatToRawIntBits(x);
        float e = (float) ((bits >>> 23) - 0x7f) + 1f;
        // mantissa in [0.5, 1)
        x = Float.intBitsToFloat((bits & ~0x7f800000) | Float.floatToRawIntBits(0.5f));
        boolean small = x < SQRTHF; // then use 2x - 1 and e - 1, keeping the argument near 0
        float tmp = small ? x : 0f;
        x = x - 1f;
        e = e - (small ? 1f : 0f);
        x = x + tmp;

        float z = x * x;
        float y = Math.fma(LOG_P0, x, LOG_P1);
        y = Math.fma(y, x, LOG_P2);
        y = Math.fma(y, x, LOG_P3);
        y = Math.fma(y, x, LOG_P4);
        y = Math.fma(y, x, LOG_P5);
        y = Math.fma(y, x, LOG_P6);
        y = Math.fma(y, x, LOG_P7);
        y = Math.fma(y, x, LOG_P8);
        y = y * x;
        y = Math.fma(y, z, e * LOG_Q1);
        y = Math.fma(-z, 0.5f, y);
        x = x + y;
        return Math.fma(e, LOG_Q2, x);
    }

    /** Sine and cosine of x, written to {@code out[0]} and {@code out[1]}. */
    static void sincos(float x, float[] out) {
        int signSin = Float.floatToRawIntBits(x) & 0x80000000;
        x = Math.abs(x);
        float y = x * FOPI;
        int j = (int) y; // cvttps: truncation (arguments here are far below 2^31)
        j = (j + 1) & ~1;
        y = j;
        int swapSignSin = (j & 4) << 29;
        boolean sinPoly = (j & 2) == 0; // the sine polynomial gives the sine, else the cosine one does
        // extended precision modular arithmetic: x = ((x - y*DP1) - y*DP2) - y*DP3
        x = Math.fma(y, MINUS_DP1, x);
        x = Math.fma(y, MINUS_DP2, x);
        x = Math.fma(y, MINUS_DP3, x);
        int signCos = (~(j - 2) & 4) << 29;
        signSin ^= swapSignSin;

        float z = x * x;
        float yc = Math.fma(COSCOF_P0, z, COSCOF_P1);
        yc = Math.fma(yc, z, COSCOF_P2);
        yc = yc * z;
        yc = Math.fma(yc, z, -(z * 0.5f));
        yc = yc + 1f;

        float ys = Math.fma(SINCOF_P0, z, SINCOF_P1);
        ys = Math.fma(ys, z, SINCOF_P2);
        ys = ys * z;
        ys = Math.fma(ys, x, x);

        float s = sinPoly ? ys : yc, c = sinPoly ? yc : ys;
        out[0] = Float.intBitsToFloat(Float.floatToRawIntBits(s) ^ signSin);
        out[1] = Float.intBitsToFloat(Float.floatToRawIntBits(c) ^ signCos);
    }
}
