package dev.animagine.core.tensor;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;
import java.util.function.IntConsumer;

/**
 * The engine's worker pool: one thread per core (override with {@code -Danimagine.threads=N}).
 * Kernels split their work into at least a few tasks per thread so 2 and 64 cores are both busy.
 */
public final class Parallel {
    private static final ForkJoinPool POOL = new ForkJoinPool(threadCount());

    private Parallel() {}

    public static int threads() {
        return POOL.getParallelism();
    }

    private static int threadCount() {
        String p = System.getProperty("animagine.threads");
        int n = p == null ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(p);
        return Math.max(1, n);
    }

    /** Runs {@code body.accept(i)} for i in [0, n), in parallel; returns when all are done. */
    public static void forEach(int n, IntConsumer body) {
        if (n <= 0) return;
        if (n == 1 || threads() == 1) {
            for (int i = 0; i < n; i++) body.accept(i);
            return;
        }
        POOL.invoke(new Range(body, 0, n));
    }

    private static final class Range extends RecursiveAction {
        private final IntConsumer body;
        private final int from, to;

        Range(IntConsumer body, int from, int to) {
            this.body = body;
            this.from = from;
            this.to = to;
        }

        @Override
        protected void compute() {
            if (to - from == 1) {
                body.accept(from);
                return;
            }
            int mid = (from + to) >>> 1;
            invokeAll(new Range(body, from, mid), new Range(body, mid, to));
        }
    }
}
