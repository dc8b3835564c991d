package dev.animagine.core.tensor;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;

/**
 * A pool for one parallel call at a time (see {@link Parallel}): the caller publishes a {@link Job},
 * then caller and workers claim its task indices from one counter until none are left, and the
 * caller waits for the tasks others took. Idle workers poll for the next job for {@code spinNanos},
 * then park until a caller wakes them. Each job has its own counters, so a worker that wakes late
 * and holds a finished job finds no index left in it and goes back to waiting.
 */
final class SpinPool {
    private static final ThreadLocal<boolean[]> IN_TASK = ThreadLocal.withInitial(() -> new boolean[1]);

    private final Worker[] workers;
    private final long spinNanos;
    private final ReentrantLock owner = new ReentrantLock();
    private volatile Job current;

    SpinPool(int workerCount, long spinNanos) {
        this.spinNanos = spinNanos;
        this.workers = new Worker[workerCount];
        for (int i = 0; i < workerCount; i++) {
            workers[i] = new Worker(i);
            workers[i].start();
        }
    }

    static boolean inTask() {
        return IN_TASK.get()[0];
    }

    /** Runs the call if no other thread is running one; false (nothing run) if one is. */
    boolean tryRun(int n, IntConsumer body) {
        if (!owner.tryLock()) return false;
        try {
            Job job = new Job(body, n, Math.max(1, n / (8 * (workers.length + 1))));
            current = job;
            for (Worker w : workers) if (w.parked) LockSupport.unpark(w);
            job.work();
            job.awaitOthers();
            current = null;
            job.rethrow();
            return true;
        } finally {
            owner.unlock();
        }
    }

    private static final class Job {
        private static final VarHandle NEXT, REMAINING;

        static {
            try {
                MethodHandles.Lookup l = MethodHandles.lookup();
                NEXT = l.findVarHandle(Job.class, "next", int.class);
                REMAINING = l.findVarHandle(Job.class, "remaining", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final IntConsumer body;
        /** Tasks, and how many consecutive ones a claim takes: neighbouring tasks often write neighbouring bytes. */
        private final int n, grain;
        @SuppressWarnings("unused") private volatile int next;
        private volatile int remaining;
        private volatile Throwable failure;

        Job(IntConsumer body, int n, int grain) {
            this.body = body;
            this.n = n;
            this.grain = grain;
            this.remaining = n;
        }

        /** Claims and runs tasks until none are left; a task that throws still counts as done. */
        void work() {
            boolean[] flag = IN_TASK.get();
            flag[0] = true;
            try {
                for (int i0 = (int) NEXT.getAndAdd(this, grain); i0 < n; i0 = (int) NEXT.getAndAdd(this, grain)) {
                    int i1 = Math.min(n, i0 + grain);
                    for (int i = i0; i < i1; i++) {
                        try {
                            body.accept(i);
                        } catch (Throwable t) {
                            if (failure == null) failure = t;
                        }
                    }
                    REMAINING.getAndAdd(this, i0 - i1);
                }
            } finally {
                flag[0] = false;
            }
        }

        /** Spins while the workers finish the tasks they took (each is as short as the caller's own). */
        void awaitOthers() {
            for (int spins = 0; remaining > 0; spins++) {
                if (spins < 1 << 16) Thread.onSpinWait();
                else Thread.yield();
            }
        }

        void rethrow() {
            Throwable t = failure;
            if (t instanceof RuntimeException r) throw r;
            if (t instanceof Error e) throw e;
            if (t != null) throw new IllegalStateException(t);
        }
    }

    private final class Worker extends Thread {
        volatile boolean parked;

        Worker(int index) {
            super("animagine-worker-" + index);
            setDaemon(true);
        }

        @Override
        public void run() {
            Job done = null;
            while (true) {
                Job job = await(done);
                job.work();
                done = job;
            }
        }

        /** The next job other than {@code done}: polled for spinNanos, then parked for. */
        private Job await(Job done) {
            long start = System.nanoTime();
            while (true) {
                Job job = current;
                if (job != null && job != done) return job;
                if (System.nanoTime() - start < spinNanos) {
                    Thread.onSpinWait();
                    continue;
                }
                parked = true;
                job = current;
                if (job == null || job == done) LockSupport.park(this);
                parked = false;
                start = System.nanoTime();
            }
        }
    }
}
