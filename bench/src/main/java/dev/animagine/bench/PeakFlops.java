package dev.animagine.bench;

import dev.animagine.core.tensor.Parallel;
import dev.animagine.core.tensor.VectorFunctions;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.concurrent.atomic.DoubleAdder;

/**
 * Measures the machine's fp32 FMA peak as the engine can reach it: every worker thread runs
 * independent chains of vector FMAs (enough to cover the FMA latency) out of registers, the best of
 * a few rounds. Benchmarks report achieved GFLOP/s as a fraction of this figure.
 */
public final class PeakFlops {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private PeakFlops() {}

    /**
     * Peak GFLOP/s on all worker threads (2 flops per FMA lane): the best of 40 rounds of about
     * 10 ms (half a second), so a stretch of contention from other processes does not lower it.
     */
    public static double measure() {
        for (int i = 0; i < 3; i++) run(200_000); // warm up the JIT
        double best = 0;
        for (int round = 0; round < 40; round++) best = Math.max(best, run(4_000_000));
        return best;
    }

    private static double run(int iterations) {
        int threads = Parallel.threads();
        DoubleAdder sink = new DoubleAdder();
        long t0 = System.nanoTime();
        Parallel.forEach(threads, t -> sink.add(chains(iterations)));
        long dt = System.nanoTime() - t0;
        if (sink.sum() == 42.4242) System.out.print(""); // keep the result alive
        double flops = (double) threads * iterations * 12 * 2 * S.length();
        return flops / dt;
    }

    /** 12 independent FMA chains: 12 x 2 vector registers, latency-bound only below ~8 chains on current cores. */
    private static float chains(int iterations) {
        FloatVector a = FloatVector.broadcast(S, 0.999999f), b = FloatVector.broadcast(S, 1e-7f);
        FloatVector c0 = FloatVector.broadcast(S, 1f), c1 = c0.add(b), c2 = c1.add(b), c3 = c2.add(b), c4 = c3.add(b), c5 = c4.add(b),
                c6 = c5.add(b), c7 = c6.add(b), c8 = c7.add(b), c9 = c8.add(b), c10 = c9.add(b), c11 = c10.add(b);
        for (int i = 0; i < iterations; i++) {
            c0 = c0.fma(a, b); c1 = c1.fma(a, b); c2 = c2.fma(a, b); c3 = c3.fma(a, b);
            c4 = c4.fma(a, b); c5 = c5.fma(a, b); c6 = c6.fma(a, b); c7 = c7.fma(a, b);
            c8 = c8.fma(a, b); c9 = c9.fma(a, b); c10 = c10.fma(a, b); c11 = c11.fma(a, b);
        }
        return VectorFunctions.sumLanes(c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11));
    }
}
