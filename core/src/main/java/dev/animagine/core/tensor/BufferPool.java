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
    /** Fresh allocations past which {@link #clearAndCollect} asks for a collection (miniature models never reach it). */
    static final long COLLECT_ABOVE_BYTES = 256L << 20;
    private final long maxIdleBytes;
    private final Map<Integer, ArrayDeque<float[]>> idle = new HashMap<>();
    /** Identity of every idle array: giving one back twice would hand it to two owners. */
    private final Set<float[]> idleSet = Collections.newSetFromMap(new IdentityHashMap<>());
    private long idleBytes;
    /** Bytes of arrays allocated (not reused) since the last {@link #clearAndCollect}. */
    private long freshBytes;

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
        if (a == null) {
            freshBytes += 4L * n;
            return new float[n];
        }
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

    /**
     * Drops every idle array and, when more than {@value #COLLECT_ABOVE_BYTES} bytes were allocated
     * since the last call, asks for a full collection. Called when a phase's arrays become garbage
     * (end of the UNet loop, end of a run). Why: a run's activations live long enough to be promoted
     * to the old generation, and the parallel collector grows the old generation by another run's
     * worth rather than collect it, so without this the resident heap rises with every image of a
     * process (measured: 6 GB to 9.5 GB over 4 full-size 512x512 images). A full collection of a
     * heap whose weights are memory-mapped takes well under a second; the freed pages are then
     * reused by the next phase instead of new ones being touched.
     */
    public void clearAndCollect() {
        boolean collect;
        synchronized (this) {
            clear();
            collect = freshBytes > COLLECT_ABOVE_BYTES;
            freshBytes = 0;
        }
        if (collect) System.gc();
    }

    /** Bytes allocated fresh since the last {@link #clearAndCollect}, for tests and diagnostics. */
    public synchronized long freshBytes() {
        return freshBytes;
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
