package dev.animagine.core.sampling.a1111;

/**
 * {@code torch.exp} on a float32 CPU tensor as x86-64 torch computes it: SLEEF's {@code expf8_u10}
 * (Cody–Waite reduction by ln 2, a degree-6 polynomial, FMA), which is within 1 ulp but not always
 * correctly rounded. The schedules need its exact bits: a Brownian tree rounds its query times to 6
 * decimals, and one ulp of σ can cross a rounding boundary.
 */
final class SleefExp {
    private SleefExp() {}

    private static final float R_LN2 = 1.442695040888963407359924681001892137426645954152985934135449406931f;
    private static final float L2U = 0.693145751953125f, L2L = 1.428606765330187045e-06f;

    static float expf(float d) {
        if (Float.isNaN(d)) return d;
        if (d < -104f) return 0f;
        if (d > 1e38f) return Float.POSITIVE_INFINITY;
        int q = (int) Math.rint(d * R_LN2);
        float s = Math.fma((float) q, -L2U, d);
        s = Math.fma((float) q, -L2L, s);
        float u = 0.000198527617612853646278381f;
        u = Math.fma(u, s, 0.00139304355252534151077271f);
        u = Math.fma(u, s, 0.00833336077630519866943359f);
        u = Math.fma(u, s, 0.0416664853692054748535156f);
        u = Math.fma(u, s, 0.166666671633720397949219f);
        u = Math.fma(u, s, 0.5f);
        u = 1f + Math.fma(s * s, u, s);
        return Math.scalb(u, q);
    }
}
