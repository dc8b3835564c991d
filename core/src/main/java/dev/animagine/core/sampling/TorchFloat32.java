package dev.animagine.core.sampling;

/**
 * The few float32 tensor constructions diffusers' schedulers make with torch on the CPU, with
 * torch's exact rounding, so the noise schedule matches to the last bit.
 */
public final class TorchFloat32 {
    private TorchFloat32() {}

    /** Torch's AVX2 float vectors hold 8 lanes. */
    private static final int VEC = 8;

    /**
     * {@code torch.linspace(start, end, steps, dtype=float32)} as torch 1.13's AVX2 kernel computes it:
     * step = (end - start) / (steps - 1) in float; the first half counts up from start, the second
     * half down from end. It fills 16 elements per iteration as two 8-lane vectors, each
     * {@code base + k * step} from a base computed for its first lane, and the remainder (fewer than 16)
     * element by element. The scalar formula {@code start + step * i} is fused (FMA contraction); the
     * vector lanes are a multiply then an add (measured: bit-exact on the fixture's SDXL betas and on
     * A1111's 20- and 28-step uniform and exponential sigmas only this way).
     */
    public static float[] linspace(double startD, double endD, int steps) {
        float[] out = new float[steps];
        float start = (float) startD, end = (float) endD;
        if (steps == 1) {
            out[0] = start;
            return out;
        }
        float step = (end - start) / (steps - 1);
        int halfway = steps / 2;
        int i = 0;
        for (; i <= steps - 2 * VEC; i += 2 * VEC) {
            for (int v = i; v < i + 2 * VEC; v += VEC) {
                float base = element(start, end, step, v, halfway, steps);
                for (int k = 0; k < VEC; k++) out[v + k] = base + k * step;
            }
        }
        for (; i < steps; i++) out[i] = element(start, end, step, i, halfway, steps);
        return out;
    }

    private static float element(float start, float end, float step, int i, int halfway, int steps) {
        return i < halfway ? Math.fma(step, (float) i, start) : Math.fma(-step, (float) (steps - i - 1), end);
    }

    /** {@code torch.cumprod} of a float32 tensor on the CPU: accumulated in double, each prefix rounded to float. */
    static float[] cumprod(float[] x) {
        float[] out = new float[x.length];
        double acc = 1;
        for (int i = 0; i < x.length; i++) {
            acc *= x[i];
            out[i] = (float) acc;
        }
        return out;
    }
}
