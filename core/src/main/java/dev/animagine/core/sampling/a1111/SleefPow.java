package dev.animagine.core.sampling.a1111;

/**
 * {@code torch.pow(float32 tensor, exponent)} as x86-64 torch 1.13 computes it for a positive base:
 * blocks of 16 elements go through SLEEF's {@code powf8_u10} (exp and log in double-float arithmetic
 * with FMA), the remaining fewer than 16 through {@code std::pow} in double. Needed for A1111's Karras
 * sigmas to the bit (see {@link SleefExp} for why bits matter).
 */
final class SleefPow {
    private SleefPow() {}

    private static final float R_LN2 = 1.442695040888963407359924681001892137426645954152985934135449406931f;
    private static final float L2U = 0.693145751953125f, L2L = 1.428606765330187045e-06f;

    /** {@code base^exponent} element-wise, as torch's vectorized loop splits the work. */
    static float[] pow(float[] base, double exponent) {
        float[] out = new float[base.length];
        int vec = base.length / 16 * 16;
        for (int i = 0; i < base.length; i++)
            out[i] = i < vec ? powf(base[i], (float) exponent) : (float) Math.pow(base[i], exponent);
        return out;
    }

    /** SLEEF's {@code xpowf} (u10) for x > 0. */
    static float powf(float x, float y) {
        if (!(x > 0) || Float.isInfinite(x) || Float.isNaN(y) || Float.isInfinite(y)) return (float) Math.pow(x, y);
        float[] l = logk(x);
        float[] m = mul(l, y);
        return expk(m[0], m[1]);
    }

    /** ln d as a double-float (hi, lo). */
    private static float[] logk(float d) {
        int adjust = 0;
        if (d < Float.MIN_NORMAL) {
            d *= 0x1p64f;
            adjust = 64;
        }
        int e = ((Float.floatToRawIntBits(d * (1f / 0.75f)) >>> 23) & 0xff) - 0x7f;
        float m = Math.scalb(d, -e);
        e -= adjust;
        float[] x = div(add2(-1f, m), add2(1f, m));
        float[] x2 = squ(x);
        float t = 0.240320354700088500976562f;
        t = Math.fma(t, x2[0], 0.285112679004669189453125f);
        t = Math.fma(t, x2[0], 0.400007992982864379882812f);
        float[] c = {0.66666662693023681640625f, 3.6468217680599680160439e-08f};
        float[] s = mul(new float[] {0.69314718246459960938f, -1.904654323148236017e-09f}, (float) e);
        s = add(s, new float[] {x[0] * 2f, x[1] * 2f});
        s = add(s, mul(mul(x2, x), add2(mul(x2, t), c)));
        return s;
    }

    /** e^(hi + lo). */
    private static float expk(float hi, float lo) {
        float u = (hi + lo) * R_LN2;
        int q = (int) Math.rint(u);
        float[] s = add2(new float[] {hi, lo}, q * -L2U);
        s = add2(s, q * -L2L);
        float sn = s[0] + s[1];
        s = new float[] {sn, (s[0] - sn) + s[1]};
        u = 0.00136324646882712841033936f;
        u = Math.fma(u, s[0], 0.00836596917361021041870117f);
        u = Math.fma(u, s[0], 0.0416710823774337768554688f);
        u = Math.fma(u, s[0], 0.166665524244308471679688f);
        u = Math.fma(u, s[0], 0.499999850988388061523438f);
        float[] t = add(s, mul(squ(s), u));
        float th = 1f + t[0];
        float tl = ((1f - th) + t[0]) + t[1];
        if (hi < -104f) return 0f;
        return Math.scalb(th + tl, q);
    }

    // double-float helpers (SLEEF's df*, FMA variants); a pair is {hi, lo}

    /** x + y, |x| >= |y|. */
    private static float[] add(float[] x, float[] y) {
        float s = x[0] + y[0];
        return new float[] {s, (((x[0] - s) + y[0]) + x[1]) + y[1]};
    }

    private static float[] add2(float[] x, float y) {
        float s = x[0] + y, v = s - x[0];
        float t = (x[0] - (s - v)) + (y - v);
        return new float[] {s, t + x[1]};
    }

    private static float[] add2(float x, float y) {
        float s = x + y, v = s - x;
        return new float[] {s, (x - (s - v)) + (y - v)};
    }

    private static float[] add2(float[] x, float[] y) {
        float s = x[0] + y[0], v = s - x[0];
        float t = (x[0] - (s - v)) + (y[0] - v);
        return new float[] {s, t + (x[1] + y[1])};
    }

    private static float[] mul(float[] x, float y) {
        float s = x[0] * y;
        return new float[] {s, Math.fma(x[1], y, Math.fma(x[0], y, -s))};
    }

    private static float[] mul(float[] x, float[] y) {
        float s = x[0] * y[0];
        return new float[] {s, Math.fma(x[0], y[1], Math.fma(x[1], y[0], Math.fma(x[0], y[0], -s)))};
    }

    private static float[] squ(float[] x) {
        float s = x[0] * x[0];
        return new float[] {s, Math.fma(x[0] + x[0], x[1], Math.fma(x[0], x[0], -s))};
    }

    private static float[] div(float[] n, float[] d) {
        float t = 1f / d[0];
        float s = n[0] * t;
        float u = Math.fma(t, n[0], -s);
        float v = Math.fma(-d[1], t, Math.fma(-d[0], t, 1f));
        return new float[] {s, Math.fma(s, v, Math.fma(n[1], t, u))};
    }
}
