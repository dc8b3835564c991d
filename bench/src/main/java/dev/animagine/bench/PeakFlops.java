package dev.animagine.bench;

import dev.animagine.core.tensor.Parallel;
import dev.animagine.core.tensor.VectorFunctions;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * Measures the machine's fp32 FMA peak on the worker threads: each runs 12 independent chains of
 * vector FMAs out of registers and is timed by its own CPU time; the best of many short rounds
 * counts. It matches a C loop of
 * independent FMA chains ({@code docs/peak_flops.c}) within a few percent on AVX2 and AVX-512.
 * Benchmarks report achieved GFLOP/s as a fraction of this figure.
 */
public final class PeakFlops {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Iterations per call of {@link #chains}: short calls get the method compiled normally (not only on-stack replaced). */
    private static final int INNER = 1000;
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    private PeakFlops() {}

    /**
     * Peak GFLOP/s on all worker threads (2 flops per FMA lane): the best of 40 rounds of about
     * 10 ms, so a stretch of contention from other processes does not lower it.
     */
    public static double measure() {
        for (int i = 0; i < 5; i++) run(200); // warm up: 1000 calls per thread, C2 compiles chains
        double best = 0;
        for (int round = 0; round < 40; round++) best = Math.max(best, run(4000));
        return best;
    }

    /**
     * One round: every worker thread makes {@code calls} calls of {@link #chains} and divides its
     * FLOPs by its own CPU time, so time the thread spent descheduled (other processes on a shared
     * machine, waking the pool) does not count; the round's figure is the sum over the threads. On
     * an idle machine this equals FLOPs over wall time. Hardware threads sharing a core (SMT) run
     * concurrently here and so share its rate, as they would in a kernel.
     */
    private static double run(int calls) {
        int threads = Parallel.threads();
        DoubleAdder rate = new DoubleAdder(), sink = new DoubleAdder();
        double flopsPerThread = (double) calls * INNER * 12 * 2 * S.length();
        Parallel.forEach(threads, t -> {
            long c0 = CPU.getCurrentThreadCpuTime();
            float s = 0;
            for (int i = 0; i < calls; i++) s += chains(INNER);
            long c1 = CPU.getCurrentThreadCpuTime();
            rate.add(flopsPerThread / Math.max(1, c1 - c0));
            sink.add(s);
        });
        if (sink.sum() == 42.4242) System.out.print(""); // keep the result alive
        return rate.sum();
    }

    /**
     * 12 independent chains {@code c += a * b}. The accumulator must be the addend: C2 emits
     * {@code vfmadd231ps acc, a, b} for {@code a.fma(b, acc)}, while {@code acc.fma(a, b)} (b the
     * addend) costs a register copy per FMA and, with 16 AVX2 registers, spills; that form measured
     * 10-35% below the hardware.
     */
    private static float chains(int iterations) {
        FloatVector a = FloatVector.broadcast(S, 1e-4f), b = FloatVector.broadcast(S, 1e-4f);
        FloatVector c0 = FloatVector.broadcast(S, 1f), c1 = c0.add(b), c2 = c1.add(b), c3 = c2.add(b), c4 = c3.add(b), c5 = c4.add(b),
                c6 = c5.add(b), c7 = c6.add(b), c8 = c7.add(b), c9 = c8.add(b), c10 = c9.add(b), c11 = c10.add(b);
        for (int i = 0; i < iterations; i++) {
            c0 = a.fma(b, c0); c1 = a.fma(b, c1); c2 = a.fma(b, c2); c3 = a.fma(b, c3);
            c4 = a.fma(b, c4); c5 = a.fma(b, c5); c6 = a.fma(b, c6); c7 = a.fma(b, c7);
            c8 = a.fma(b, c8); c9 = a.fma(b, c9); c10 = a.fma(b, c10); c11 = a.fma(b, c11);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11).lane(0);
    }
}
