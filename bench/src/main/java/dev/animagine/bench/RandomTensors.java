package dev.animagine.bench;

import dev.animagine.core.tensor.DType;
import dev.animagine.core.tensor.StoredTensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

/** Benchmark inputs: fp16 weights off-heap (as a mapped checkpoint holds them) and fp32 activations. */
final class RandomTensors {
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private RandomTensors() {}

    /** Weights of the given shape, fp16, scaled by 1/sqrt(fan-in) like a trained layer's. */
    static StoredTensor f16Weights(Arena arena, long seed, long... shape) {
        long n = 1;
        for (long s : shape) n *= s;
        double scale = 1 / Math.sqrt(n / shape[0]);
        MemorySegment seg = arena.allocate(n * 2, 64);
        SplittableRandom r = new SplittableRandom(seed);
        for (long i = 0; i < n; i++) seg.set(LE_SHORT, i * 2, Float.floatToFloat16((float) ((r.nextDouble() * 2 - 1) * scale)));
        return new StoredTensor("bench", DType.F16, shape, seg, "benchmark");
    }

    static float[] activations(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextDouble() * 2 - 1);
        return a;
    }
}
