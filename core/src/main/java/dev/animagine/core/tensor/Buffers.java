package dev.animagine.core.tensor;

import java.util.Arrays;

/**
 * The layers' access to the current run's {@link BufferPool}: a run binds its pool for the calling
 * thread with {@link #withPool}, and every {@code take}/{@code give} inside goes to that pool.
 * Outside a run (a test calling a layer directly) arrays are simply allocated and dropped. The
 * pool is bound with a {@link ScopedValue}, so it cannot leak into another run or thread; kernels
 * call these methods only on the run's own thread, never inside {@link Parallel} tasks.
 */
public final class Buffers {
    private static final ScopedValue<BufferPool> CURRENT = ScopedValue.newInstance();

    private Buffers() {}

    /** Runs {@code body} with {@code pool} as the pool of every layer it calls on this thread. */
    public static <T, X extends Throwable> T withPool(BufferPool pool, ScopedValue.CallableOp<T, X> body) throws X {
        return ScopedValue.where(CURRENT, pool).call(body);
    }

    /** The bound pool, or null outside a run. */
    public static BufferPool current() {
        return CURRENT.isBound() ? CURRENT.get() : null;
    }

    /** An array of exactly {@code n} floats, contents undefined. */
    public static float[] take(int n) {
        return CURRENT.isBound() ? CURRENT.get().take(n) : new float[n];
    }

    /** An array of exactly {@code n} zeros. */
    public static float[] takeZeroed(int n) {
        float[] a = take(n);
        Arrays.fill(a, 0f);
        return a;
    }

    /** Hands arrays back to the run's pool (null is ignored; outside a run, nothing happens). */
    public static void give(float[]... arrays) {
        if (CURRENT.isBound()) CURRENT.get().give(arrays);
    }

    /** Hands back a tensor's array. */
    public static void give(Tensor t) {
        if (t != null) give(t.data());
    }

    /** Drops the run's idle arrays and lets the heap reuse them (see {@link BufferPool#clearAndCollect}). */
    public static void clearAndCollect() {
        if (CURRENT.isBound()) CURRENT.get().clearAndCollect();
    }

    /** Drops the run's idle arrays (e.g. before a phase with other shapes). */
    public static void clear() {
        if (CURRENT.isBound()) CURRENT.get().clear();
    }
}
