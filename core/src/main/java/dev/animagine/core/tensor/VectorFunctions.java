package dev.animagine.core.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Transcendental functions on whole vectors for the element-wise kernels (softmax, SiLU, GELU),
 * accurate to a few float ulps: the JDK's scalar {@code Math.exp} and a double-precision erf cost
 * more than the matrix multiplies around them.
 */
public final class VectorFunctions {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private VectorFunctions() {}

    private static final float LOG2E = 1.44269504088896341f;
    // ln 2 split so that n * LN2_HI is exact for |n| < 2^9 (Cody & Waite)
    private static final float LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    private static final float ROUND = 0x1.8p23f; // adding it rounds a float below 2^22 to an integer
    // e^r - 1 - r = r^2 P(r) on |r| <= ln2/2: Cephes' expf coefficients
    private static final float P0 = 1.9875691500E-4f, P1 = 1.3981999507E-3f, P2 = 8.3334519073E-3f,
            P3 = 4.1665795894E-2f, P4 = 1.6666665459E-1f, P5 = 5.0000001201E-1f;

    /**
     * e^x, relative error about 2 ulp; arguments below -87.3 give (nearly) 0 (a tiny subnormal), above
     * 88.7 the largest float region; no infinities or NaNs are produced from finite input.
     */
    public static FloatVector exp(FloatVector x) {
        x = x.max(-87.33654f).min(88.72283f);
        FloatVector t = x.fma(LOG2E, ROUND);          // round(x log2 e) in the low mantissa bits
        FloatVector n = t.sub(ROUND);
        FloatVector r = n.fma(c(-LN2_HI), x);
        r = n.fma(c(-LN2_LO), r);
        FloatVector p = r.fma(P0, P1);
        p = p.fma(r, c(P2));
        p = p.fma(r, c(P3));
        p = p.fma(r, c(P4));
        p = p.fma(r, c(P5));
        p = p.mul(r.mul(r)).add(r).add(1f);
        IntVector e = t.reinterpretAsInts().sub(Float.floatToRawIntBits(ROUND)).lanewise(VectorOperators.LSHL, 23);
        return p.reinterpretAsInts().add(e).reinterpretAsFloats();
    }

    /**
     * The sum of a vector's lanes, added in lane order. {@code reduceLanes(ADD)} may associate
     * differently once compiled than interpreted, and a result that depends on the JIT's progress
     * would make the same seed give (slightly) different images.
     */
    public static float sumLanes(FloatVector v) {
        float s = 0f;
        for (int i = 0; i < v.length(); i++) s += v.lane(i);
        return s;
    }

    private static FloatVector c(float v) {
        return FloatVector.broadcast(S, v);
    }

    /** x * sigmoid(x). */
    public static FloatVector silu(FloatVector x) {
        return x.div(exp(x.neg()).add(1f));
    }

    private static final float SQRT_HALF = 0.70710678118654752f;
    // erfc(t) e^(t^2) = w (Q0 + Q1 w + ... + Q9 w^9) with w = 1 / (1 + t/2), 0 <= t <= 9.3: a relative
    // least-squares fit made for this engine (max relative error 3e-8 in double, 3e-7 evaluated in float)
    private static final float[] Q = {0.282062828540802f, 0.28288325667381287f, 0.23848974704742432f, 0.22592253983020782f,
            -0.09831418097019196f, 0.41905948519706726f, -0.6645882725715637f, 0.42272964119911194f,
            -0.11970994621515274f, 0.011464864946901798f};

    /** erfc(t) for t >= 0 (0 past t = 9.3, where it underflows). */
    static FloatVector erfcNonNegative(FloatVector t) {
        t = t.min(9.3f);
        FloatVector w = t.fma(0.5f, 1f);
        w = FloatVector.broadcast(S, 1f).div(w);
        FloatVector q = w.fma(Q[9], Q[8]);
        for (int i = 7; i >= 0; i--) q = q.fma(w, c(Q[i]));
        q = q.mul(w);
        // e^(-t^2) with t^2 split into hi + lo, so the rounding of t^2 is not magnified by exp
        FloatVector hi = t.mul(t), lo = t.fma(t, hi.neg());
        return exp(hi.neg()).mul(q).mul(lo.neg().add(1f));
    }

    /** Exact-form GELU, 0.5 x (1 + erf(x / sqrt 2)) (torch's default), via erfc so both tails keep their precision. */
    public static FloatVector gelu(FloatVector x) {
        FloatVector c = erfcNonNegative(x.abs().mul(SQRT_HALF));
        FloatVector half = x.mul(0.5f).mul(c);                 // 0.5 x erfc(|x|/sqrt2)
        return x.sub(half).blend(half, x.compare(VectorOperators.LT, 0f));
    }

    /** OpenAI CLIP's QuickGELU, x sigmoid(1.702 x). */
    public static FloatVector quickGelu(FloatVector x) {
        return x.div(exp(x.mul(-1.702f)).add(1f));
    }
}
