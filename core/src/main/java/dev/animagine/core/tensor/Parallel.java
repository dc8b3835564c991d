package dev.animagine.core.tensor;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;
import java.util.function.IntConsumer;

/**
 * The engine's worker pool: one thread per core (override with {@code -Danimagine.threads=N}).
 * Kernels split their work into at least a few tasks per thread so 2 and 64 cores are both busy.
 * <p>
 * A call runs on {@link SpinPool}: the calling thread takes tasks itself beside N - 1 workers that
 * spin briefly between calls, so a call costs about a microsecond of hand-off instead of the
 * 50-130 µs a fork/join pool's parked workers take to wake (measured on a 2-core VM; the UNet
 * makes thousands of calls per evaluation, many of them 0.1-0.5 ms long). A call made from inside
 * a task runs its tasks on the calling thread; a call while another thread holds the spin pool
 * (a second run, the text warm-up) goes to a fork/join pool of the same size.
 */
public final class Parallel {
    private static final int THREADS = threadCount();
    private static final SpinPool SPIN = THREADS > 1 ? new SpinPool(THREADS - 1, spinNanos()) : null;
    private static final ForkJoinPool SHARED = new ForkJoinPool(THREADS);

    private Parallel() {}

    public static int threads() {
        return THREADS;
    }

    private static int threadCount() {
        String p = System.getProperty("animagine.threads");
        int n = p == null ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(p);
        return Math.max(1, n);
    }

    /** How long an idle worker polls for the next call before it parks (default 200 µs). */
    private static long spinNanos() {
        return Long.getLong("animagine.spin.micros", 200) * 1000;
    }

    /** Whether the current thread is running a task of a parallel call (its own calls then run serially). */
    public static boolean inTask() {
        return SpinPool.inTask() || Thread.currentThread() instanceof java.util.concurrent.ForkJoinWorkerThread;
    }

    /** Runs {@code body.accept(i)} for i in [0, n), in parallel; returns when all are done. */
    public static void forEach(int n, IntConsumer body) {
        if (n <= 0) return;
        if (n == 1 || THREADS == 1 || SpinPool.inTask()) {
            for (int i = 0; i < n; i++) body.accept(i);
            return;
        }
        if (SPIN.tryRun(n, body)) return;
        SHARED.invoke(new Range(body, 0, n));
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
