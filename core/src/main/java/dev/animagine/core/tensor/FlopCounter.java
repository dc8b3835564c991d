package dev.animagine.core.tensor;

import java.util.concurrent.atomic.LongAdder;

/**
 * Floating-point operations of the matrix kernels (2 per multiply-add), counted as they run, so
 * benchmarks report what the engine did rather than an estimate. {@link #total} counts every
 * convolution as the direct one would (the figure "GFLOP/s" and "% of peak" are reported in, so
 * a faster algorithm shows up as a higher rate); {@link #executed} counts what was actually
 * computed (Winograd's smaller products plus its transforms).
 */
public final class FlopCounter {
    private static final LongAdder FLOPS = new LongAdder();
    private static final LongAdder EXECUTED = new LongAdder();

    private FlopCounter() {}

    static void add(long flops) {
        FLOPS.add(flops);
        EXECUTED.add(flops);
    }

    /** A kernel that gets the result of {@code directEquivalent} FLOPs with {@code executed} of them. */
    static void add(long directEquivalent, long executed) {
        FLOPS.add(directEquivalent);
        EXECUTED.add(executed);
    }

    /** Direct-equivalent FLOPs so far. */
    public static long total() {
        return FLOPS.sum();
    }

    /** FLOPs actually executed so far. */
    public static long executed() {
        return EXECUTED.sum();
    }
}
