package dev.animagine.core.tensor;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One run's reusable activation arrays, by exact length. A UNet evaluation allocates and drops
 * gigabytes of intermediates; handing them back here keeps the Java heap at the working set of one
 * layer plus the skip connections, so the garbage collector neither runs nor grows the heap (whose
 * touched pages count in the process's resident memory). A pool belongs to one run and is dropped
 * with it; the layers reach it through {@link Buffers}.
 * <p>
 * {@link #take} returns an array with arbitrary contents: every producer writes all of its output.
 * Give back only arrays nothing refers to any more. At most {@code maxIdleBytes} are kept idle.
 */
public final class BufferPool {
    static final long DEFAULT_MAX_IDLE_BYTES = 2L << 30;
    private final long maxIdleBytes;
    private final Map<Integer, ArrayDeque<float[]>> idle = new HashMap<>();
    /** Identity of every idle array: giving one back twice would hand it to two owners. */
    private final Set<float[]> idleSet = Collections.newSetFromMap(new IdentityHashMap<>());
    private long idleBytes;

    public BufferPool() {
        this(DEFAULT_MAX_IDLE_BYTES);
    }

    public BufferPool(long maxIdleBytes) {
        this.maxIdleBytes = maxIdleBytes;
    }

    /** An array of exactly {@code n} floats, contents undefined. */
    public synchronized float[] take(int n) {
        ArrayDeque<float[]> q = idle.get(n);
        float[] a = q == null ? null : q.pollLast();
        if (a == null) return new float[n];
        idleSet.remove(a);
        idleBytes -= 4L * n;
        return a;
    }

    /** Hands arrays back for reuse (null is ignored). */
    public synchronized void give(float[]... arrays) {
        for (float[] a : arrays) {
            if (a == null || a.length == 0 || idleBytes + 4L * a.length > maxIdleBytes) continue;
            if (!idleSet.add(a)) throw new IllegalStateException("array of " + a.length + " floats given back twice");
            idle.computeIfAbsent(a.length, k -> new ArrayDeque<>()).addLast(a);
            idleBytes += 4L * a.length;
        }
    }

    /** Drops every idle array (e.g. before a phase with other shapes). */
    public synchronized void clear() {
        idle.clear();
        idleSet.clear();
        idleBytes = 0;
    }

    /** Bytes held idle, for tests and diagnostics. */
    public synchronized long idleBytes() {
        return idleBytes;
    }

    @Override
    public synchronized String toString() {
        return "BufferPool[" + idleBytes + " bytes idle in " + Arrays.toString(idle.keySet().toArray()) + "]";
    }
}
