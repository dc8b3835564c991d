package dev.animagine.bench;

import dev.animagine.core.io.FloatCodec;
import dev.animagine.core.tensor.DType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

/**
 * Random values for one weight, scaled so a forward pass stays finite: norm scales near 1, biases
 * near 0, embeddings N(0, 1) (positions N(0, 0.5^2)), other weights N(0, 1/fan_in). Fast enough to
 * fill a full-size SDXL checkpoint (3.5 G values) in seconds per core: each tensor gets a table of
 * 4096 Gaussian quantiles already encoded in the target dtype, indexed by 12-bit pieces of a
 * SplitMix64 stream, so the hot loop is a table lookup and a store. Values depend only on the seed,
 * the weight's name and the element index (not on threads or file layout).
 */
final class RandomWeights {
    private static final int TABLE_BITS = 12, TABLE = 1 << TABLE_BITS;
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private RandomWeights() {}

    /** Mean and standard deviation used for a weight (diffusers name, shape). */
    static double[] meanStd(String name, long[] shape) {
        if (name.endsWith(".bias")) return new double[] {0, 0.02};
        if (shape.length == 1) return new double[] {1, 0.02}; // GroupNorm / LayerNorm scale
        if (name.endsWith("token_embedding.weight")) return new double[] {0, 1};
        if (name.endsWith("position_embedding.weight")) return new double[] {0, 0.5};
        long fanIn = 1;
        for (int i = 1; i < shape.length; i++) fanIn *= shape[i];
        return new double[] {0, 1 / Math.sqrt(Math.max(1, fanIn))};
    }

    /** Fills {@code dst} (numel elements of {@code dtype}) with the weight's values. */
    static void fill(long seed, String name, long[] shape, DType dtype, MemorySegment dst) {
        long numel = dst.byteSize() / dtype.byteSize();
        double[] ms = meanStd(name, shape);
        long s = mix(seed ^ name.hashCode() * 0x9E3779B97F4A7C15L ^ mix(name.length()));
        int[] table = table(s, ms[0], ms[1], dtype);
        long state = s;
        long i = 0;
        while (i < numel) {
            long r = mix(state += 0x9E3779B97F4A7C15L);
            for (int k = 0; k < 5 && i < numel; k++, i++, r >>>= TABLE_BITS) {
                int v = table[(int) (r & (TABLE - 1))];
                if (dtype == DType.F32) dst.set(LE_INT, i * 4, v);
                else dst.set(LE_SHORT, i * 2, (short) v);
            }
        }
    }

    /** 4096 samples of N(mean, std^2) (standardised so their mean and spread are exact), encoded. */
    private static int[] table(long seed, double mean, double std, DType dtype) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] g = new double[TABLE];
        double sum = 0, sq = 0;
        for (int i = 0; i < TABLE; i++) {
            g[i] = rnd.nextGaussian();
            sum += g[i];
        }
        double m = sum / TABLE;
        for (int i = 0; i < TABLE; i++) sq += (g[i] - m) * (g[i] - m);
        double sd = Math.sqrt(sq / TABLE);
        int[] out = new int[TABLE];
        for (int i = 0; i < TABLE; i++) out[i] = FloatCodec.bits((float) (mean + std * (g[i] - m) / sd), dtype);
        return out;
    }

    /** SplitMix64's finaliser. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
