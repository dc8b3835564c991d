package dev.animagine.core.tensor;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Wall time spent in each kernel family, for {@code animagine bench --profile}: every public
 * kernel entry point is timed on the thread that called it (the kernels split the work over the
 * pool and return when it is done), and only the outermost one counts, so a convolution's GEMMs
 * are convolution time. Calls made from inside pool tasks are not timed. Off by default; when off
 * a kernel call costs one volatile read.
 */
public final class KernelProfile {
    /** What a kernel does; time outside any kernel (Java glue, schedulers) is not attributed here. */
    public enum Family {
        GEMM("gemm"), CONVOLUTION("convolution"), ATTENTION("attention"), NORMALISATION("normalisation"),
        ELEMENTWISE("elementwise"), DATA_MOVEMENT("data_movement");

        private final String key;

        Family(String key) {
            this.key = key;
        }

        /** Lower-case name for reports. */
        public String key() {
            return key;
        }
    }

    private static final long UNTRACKED = Long.MIN_VALUE, NESTED = Long.MIN_VALUE + 1;
    private static final int FAMILIES = Family.values().length;
    private static final AtomicLongArray NANOS = new AtomicLongArray(FAMILIES), CALLS = new AtomicLongArray(FAMILIES);
    private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);
    private static volatile boolean enabled;

    private KernelProfile() {}

    public static void setEnabled(boolean on) {
        enabled = on;
    }

    public static boolean enabled() {
        return enabled;
    }

    /** Nanoseconds per family so far, indexed by {@link Family#ordinal()}. */
    public static long[] nanos() {
        long[] r = new long[FAMILIES];
        for (int i = 0; i < FAMILIES; i++) r[i] = NANOS.get(i);
        return r;
    }

    /** Timed (outermost) calls per family so far. */
    public static long[] calls() {
        long[] r = new long[FAMILIES];
        for (int i = 0; i < FAMILIES; i++) r[i] = CALLS.get(i);
        return r;
    }

    /** Call at a kernel's entry; pass the result to {@link #stop}. */
    static long start() {
        if (!enabled || Parallel.inTask()) return UNTRACKED;
        int[] depth = DEPTH.get();
        return depth[0]++ == 0 ? System.nanoTime() : NESTED;
    }

    static void stop(Family family, long start) {
        if (start == UNTRACKED) return;
        DEPTH.get()[0]--;
        if (start == NESTED) return;
        NANOS.addAndGet(family.ordinal(), System.nanoTime() - start);
        CALLS.incrementAndGet(family.ordinal());
    }
}
