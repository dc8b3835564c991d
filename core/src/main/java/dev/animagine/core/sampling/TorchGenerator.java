package dev.animagine.core.sampling;

import dev.animagine.core.InvalidArgumentException;

/**
 * PyTorch's CPU random generator: {@code torch.Generator('cpu').manual_seed(seed)} followed by
 * {@code torch.randn(shape, generator=g)} / {@code torch.rand(...)} in float32, value for value.
 *
 * <ul>
 *   <li>mt19937 seeded with the low 32 bits of the 64-bit seed (torch ignores the rest);</li>
 *   <li>float uniforms use 24 bits of one draw, double uniforms 53 bits of two draws (hi, lo);</li>
 *   <li>{@code randn} with 16 or more elements: all uniforms first, then Box–Muller in blocks of 16
 *       (pairs j, j+8); a ragged tail is redone from 16 fresh uniforms over the last 16 positions.
 *       The arithmetic is that of the {@link NormalKernel} chosen (AVX2 by default, as x86-64 torch);</li>
 *   <li>{@code randn} with fewer than 16 elements: double-precision Box–Muller per element whose
 *       second value is cached in the generator and returned by the next small draw, even if a large
 *       draw happens in between.</li>
 * </ul>
 * Not thread-safe: one generator per image stream, as in diffusers.
 */
public final class TorchGenerator implements NormalNoise {
    /** Which of torch's x86 CPU kernels the large-tensor normal fill reproduces. */
    public enum NormalKernel {
        /** {@code ATEN_CPU_CAPABILITY=avx2}: avx_mathfun polynomials with FMA; what x86-64 torch runs. */
        AVX2,
        /**
         * {@code ATEN_CPU_CAPABILITY=default}: the portable kernel, which calls the C library's
         * logf/sinf/cosf (used here too when the platform provides them).
         */
        DEFAULT
    }

    private static final float TWO_PI_F = (float) (2.0 * Math.PI);
    private static final double FLOAT_DIVISOR = 1.0 / (1 << 24), DOUBLE_DIVISOR = 1.0 / (1L << 53);

    private final NormalKernel kernel;
    private final long seed;
    private final Mt19937 engine;
    private boolean hasCachedNormal;
    private double cachedNormal;

    /** {@code torch.Generator('cpu').manual_seed(seed)} with the AVX2 normal kernel. */
    public TorchGenerator(long seed) {
        this(seed, NormalKernel.AVX2);
    }

    public TorchGenerator(long seed, NormalKernel kernel) {
        this.kernel = kernel;
        this.seed = seed;
        this.engine = new Mt19937((int) seed);
    }

    /** The seed given (all 64 bits, although only the low 32 take effect). */
    public long initialSeed() {
        return seed;
    }

    public NormalKernel kernel() {
        return kernel;
    }

    /** {@code torch.randn(shape, generator=g)}, float32, row-major. */
    public float[] randn(long... shape) {
        float[] out = new float[numel(shape)];
        fillNormal(out);
        return out;
    }

    /** {@code torch.rand(shape, generator=g)}, float32 uniforms in [0, 1). */
    public float[] rand(long... shape) {
        float[] out = new float[numel(shape)];
        for (int i = 0; i < out.length; i++) out[i] = nextFloat();
        return out;
    }

    /** Fills {@code out} as {@code torch.randn} fills a contiguous float32 tensor of that many elements. */
    @Override
    public void fillNormal(float[] out) {
        int n = out.length;
        if (n < 16) {
            for (int i = 0; i < n; i++) out[i] = (float) nextDoubleNormal();
            return;
        }
        for (int i = 0; i < n; i++) out[i] = nextFloat();
        for (int i = 0; i + 16 <= n; i += 16) boxMuller16(out, i);
        if (n % 16 != 0) {
            int tail = n - 16;
            for (int i = 0; i < 16; i++) out[tail + i] = nextFloat();
            boxMuller16(out, tail);
        }
    }

    /** A float uniform in [0, 1): 24 random bits ({@code at::uniform_real_distribution<float>}). */
    float nextFloat() {
        return (float) ((engine.nextInt() & 0xFFFFFF) * FLOAT_DIVISOR);
    }

    /** A double uniform in [0, 1): the low 53 bits of two draws, first one high. */
    double nextDouble() {
        long hi = engine.nextInt() & 0xFFFFFFFFL, lo = engine.nextInt() & 0xFFFFFFFFL;
        return (((hi << 32) | lo) & ((1L << 53) - 1)) * DOUBLE_DIVISOR;
    }

    /** {@code at::normal_distribution<double>}: Box–Muller with the sine half kept for the next call. */
    double nextDoubleNormal() {
        if (hasCachedNormal) {
            hasCachedNormal = false;
            return cachedNormal;
        }
        double u1 = nextDouble(), u2 = nextDouble();
        double r = Math.sqrt(-2.0 * Math.log1p(-u2));
        double theta = 2.0 * Math.PI * u1;
        cachedNormal = r * Math.sin(theta);
        hasCachedNormal = true;
        return r * Math.cos(theta);
    }

    /** Box–Muller over 16 uniforms in place: u1 = 1 - d[j] (never 0), u2 = d[j+8], j < 8. */
    private void boxMuller16(float[] d, int off) {
        if (kernel == NormalKernel.AVX2) {
            float[] sc = new float[2];
            for (int j = off; j < off + 8; j++) {
                float radius = (float) Math.sqrt(-2f * AvxMathfun.log(1f - d[j]));
                AvxMathfun.sincos(TWO_PI_F * d[j + 8], sc);
                d[j] = radius * sc[1];
                d[j + 8] = radius * sc[0];
            }
        } else {
            for (int j = off; j < off + 8; j++) {
                float radius = (float) Math.sqrt(-2f * Libm.logf(1f - d[j]));
                // theta is formed in double (2.0f * pi<double> * u2) and then stored as float
                float theta = (float) (2.0 * Math.PI * d[j + 8]);
                d[j] = radius * Libm.cosf(theta);
                d[j + 8] = radius * Libm.sinf(theta);
            }
        }
    }

    private static int numel(long... shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) throw new InvalidArgumentException("negative dimension " + d + " in a random tensor shape");
            n = Math.multiplyExact(n, d);
        }
        if (n > Integer.MAX_VALUE - 8) throw new InvalidArgumentException("random tensor of " + n + " elements is too large");
        return (int) n;
    }
}
