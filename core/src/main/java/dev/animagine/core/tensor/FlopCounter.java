package dev.animagine.core.tensor;

import java.util.concurrent.atomic.LongAdder;

/**
 * Floating-point operations executed by the matrix kernels (2 per multiply-add), counted as they
 * run, so benchmarks report what the engine did rather than an estimate.
 */
public final class FlopCounter {
    private static final LongAdder FLOPS = new LongAdder();

    private FlopCounter() {}

    static void add(long flops) {
        FLOPS.add(flops);
    }

    public static long total() {
        return FLOPS.sum();
    }
}
