package dev.animagine.core.tensor;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ParallelTest {
    @Test
    void everyIndexRunsExactlyOnceAcrossManyCalls() {
        for (int n : new int[]{2, 3, 7, 64, 1000, 20_000}) {
            for (int call = 0; call < 50; call++) {
                AtomicIntegerArray seen = new AtomicIntegerArray(n);
                Parallel.forEach(n, seen::incrementAndGet);
                for (int i = 0; i < n; i++) assertThat(seen.get(i)).as("n=%d index %d", n, i).isEqualTo(1);
            }
        }
    }

    @Test
    void aFailingTaskIsRethrownAfterTheOthersFinish() {
        AtomicIntegerArray seen = new AtomicIntegerArray(100);
        assertThatThrownBy(() -> Parallel.forEach(100, i -> {
            seen.incrementAndGet(i);
            if (i == 37) throw new IllegalStateException("task 37");
        })).isInstanceOf(IllegalStateException.class).hasMessage("task 37");
        for (int i = 0; i < 100; i++) assertThat(seen.get(i)).isEqualTo(1);
        // the pool still works afterwards
        AtomicIntegerArray again = new AtomicIntegerArray(10);
        Parallel.forEach(10, again::incrementAndGet);
        for (int i = 0; i < 10; i++) assertThat(again.get(i)).isEqualTo(1);
    }

    @Test
    void aCallInsideATaskRunsOnThatTaskThread() {
        AtomicIntegerArray seen = new AtomicIntegerArray(8 * 8);
        AtomicReference<String> wrongThread = new AtomicReference<>();
        Parallel.forEach(8, outer -> {
            Thread t = Thread.currentThread();
            assertThat(Parallel.inTask()).isTrue();
            Parallel.forEach(8, inner -> {
                if (Thread.currentThread() != t) wrongThread.set(Thread.currentThread().getName());
                seen.incrementAndGet(outer * 8 + inner);
            });
        });
        assertThat(wrongThread.get()).isNull();
        for (int i = 0; i < 64; i++) assertThat(seen.get(i)).isEqualTo(1);
        assertThat(Parallel.inTask()).isFalse();
    }

    @Test
    void concurrentCallersAllComplete() throws Exception {
        int callers = 4, n = 500;
        AtomicIntegerArray seen = new AtomicIntegerArray(callers * n);
        CountDownLatch start = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread[] threads = new Thread[callers];
        for (int c = 0; c < callers; c++) {
            int base = c * n;
            threads[c] = new Thread(() -> {
                try {
                    start.await();
                    for (int rep = 0; rep < 20; rep++) Parallel.forEach(n, i -> seen.incrementAndGet(base + i));
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            threads[c].start();
        }
        start.countDown();
        for (Thread t : threads) t.join();
        assertThat(failure.get()).isNull();
        for (int i = 0; i < callers * n; i++) assertThat(seen.get(i)).isEqualTo(20);
    }
}
