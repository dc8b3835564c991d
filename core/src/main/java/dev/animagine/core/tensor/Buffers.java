package dev.animagine.core.tensor;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Activation arrays reused between layers and denoising steps, by exact length. A UNet evaluation
 * allocates and drops gigabytes of intermediates; handing them back here keeps the Java heap at the
 * working set of one layer plus the skip connections, so the garbage collector neither runs nor
 * grows the heap (whose touched pages count in the process's resident memory).
 * <p>
 * {@link #take} returns an array with arbitrary contents: every producer writes all of its output.
 * Give back only arrays nothing refers to any more. At most {@link #MAX_IDLE_BYTES} are kept idle.
 */
public final class Buffers {
    static final long MAX_IDLE_BYTES = 2L << 30;
    private static final Map<Integer, ArrayDeque<float[]>> IDLE = new HashMap<>();
    /** Identity of every idle array: giving one back twice would hand it to two owners. */
    private static final java.util.Set<float[]> IDLE_SET = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    private static long idleBytes;

    private Buffers() {}

    /** An array of exactly {@code n} floats, contents undefined. */
    public static float[] take(int n) {
        synchronized (IDLE) {
            ArrayDeque<float[]> q = IDLE.get(n);
            float[] a = q == null ? null : q.pollLast();
            if (a != null) {
                IDLE_SET.remove(a);
                idleBytes -= 4L * n;
                return a;
            }
        }
        return new float[n];
    }

    /** An array of exactly {@code n} zeros. */
    public static float[] takeZeroed(int n) {
        float[] a = take(n);
        java.util.Arrays.fill(a, 0f);
        return a;
    }

    /** Hands arrays back for reuse (null is ignored). */
    public static void give(float[]... arrays) {
        synchronized (IDLE) {
            for (float[] a : arrays) {
                if (a == null || a.length == 0 || idleBytes + 4L * a.length > MAX_IDLE_BYTES) continue;
                if (!IDLE_SET.add(a)) throw new IllegalStateException("array of " + a.length + " floats given back twice");
                IDLE.computeIfAbsent(a.length, k -> new ArrayDeque<>()).addLast(a);
                idleBytes += 4L * a.length;
            }
        }
    }

    /** Hands back a tensor's array. */
    public static void give(Tensor t) {
        if (t != null) give(t.data());
    }

    /** Drops every idle array (e.g. before a phase with other shapes). */
    public static void clear() {
        synchronized (IDLE) {
            IDLE.clear();
            IDLE_SET.clear();
            idleBytes = 0;
        }
    }

    /** Bytes held idle, for tests and diagnostics. */
    public static long idleBytes() {
        synchronized (IDLE) {
            return idleBytes;
        }
    }
}
