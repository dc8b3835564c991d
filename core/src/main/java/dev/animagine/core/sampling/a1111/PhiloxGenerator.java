package dev.animagine.core.sampling.a1111;

/**
 * A1111's "NV" random source ({@code modules/rng_philox.py}): the numbers an NVIDIA GPU's
 * {@code torch.randn} gives, computed on any machine. Philox4x32-10 with counter
 * (offset, 0, index, 0) and key (low, high 32 bits of the seed), then Box–Muller on the first two
 * output words. The offset grows by one per {@link #randn} call (not per number), so successive
 * calls never overlap. Box–Muller runs in double with float32-rounded constants, as numpy promotes
 * A1111's mixed uint32/float32 arithmetic, and rounds to float32 at the end.
 */
public final class PhiloxGenerator implements NoiseGenerator {
    private static final int M0 = 0xD2511F53, M1 = 0xCD9E8D57;
    private static final int W0 = 0x9E3779B9, W1 = 0xBB67AE85;
    /** float32(2.3283064e-10) and float32(2.3283064e-10 * 6.2831855), as doubles. */
    private static final double A = (double) 2.3283064e-10f, B = (double) (float) (2.3283064e-10 * 6.2831855);

    private final long seed;
    private long offset;

    public PhiloxGenerator(long seed) {
        this.seed = seed;
    }

    /** How many {@link #randn} calls have been made. */
    public long offset() {
        return offset;
    }

    @Override
    public float[] randn(int n) {
        float[] out = new float[n];
        int[] words = new int[4];
        int k0 = (int) seed, k1 = (int) (seed >>> 32);
        for (int i = 0; i < n; i++) {
            philox(words, (int) offset, 0, i, 0, k0, k1);
            out[i] = boxMuller(words[0], words[1]);
        }
        offset++;
        return out;
    }

    /** Philox4x32 with 10 rounds on counter (c0..c3) and key (k0, k1); the 4 output words go to {@code out}. */
    static void philox(int[] out, int c0, int c1, int c2, int c3, int k0, int k1) {
        for (int round = 0; round < 10; round++) {
            long p0 = (c0 & 0xFFFFFFFFL) * (M0 & 0xFFFFFFFFL);
            long p1 = (c2 & 0xFFFFFFFFL) * (M1 & 0xFFFFFFFFL);
            int n0 = (int) (p1 >>> 32) ^ c1 ^ k0;
            int n1 = (int) p1;
            int n2 = (int) (p0 >>> 32) ^ c3 ^ k1;
            int n3 = (int) p0;
            c0 = n0;
            c1 = n1;
            c2 = n2;
            c3 = n3;
            if (round < 9) {
                k0 += W0;
                k1 += W1;
            }
        }
        out[0] = c0;
        out[1] = c1;
        out[2] = c2;
        out[3] = c3;
    }

    static float boxMuller(int w0, int w1) {
        double u = (w0 & 0xFFFFFFFFL) * A + A / 2;
        double v = (w1 & 0xFFFFFFFFL) * B + B / 2;
        return (float) (Math.sqrt(-2 * Math.log(u)) * Math.sin(v));
    }
}
