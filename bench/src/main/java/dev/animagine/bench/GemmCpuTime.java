package dev.animagine.bench;

import dev.animagine.core.tensor.Gemm;
import dev.animagine.core.tensor.GemmOperand;
import dev.animagine.core.tensor.Parallel;

import java.lang.foreign.Arena;
import java.util.Locale;

/**
 * The linear layers of {@link GemmBenchmark} timed by the process's CPU time as well as wall time,
 * for a machine shared with other work: GFLOP per CPU-second over the per-thread FMA peak is the
 * kernel's efficiency while it runs, whatever else the cores do. Arguments: shapes {@code MxNxK}
 * (default: the linear layers of the UNet at 512x512 with CFG); {@code -Drounds=N} repeats.
 */
public final class GemmCpuTime {
    private GemmCpuTime() {}

    public static void main(String[] args) {
        String[] shapes = args.length > 0 ? args
                : new String[] {"2048x640x640", "2048x5120x640", "2048x640x2560", "512x1280x1280", "512x10240x1280", "512x1280x5120"};
        double peak = PeakFlops.measure();
        int threads = Parallel.threads();
        System.out.printf(Locale.ROOT, "fp32 FMA peak: %.1f GFLOP/s on %d threads (%.1f per thread)%n", peak, threads, peak / threads);
        int rounds = Integer.getInteger("rounds", 5);
        try (Arena arena = Arena.ofShared()) {
            for (String shape : shapes) {
                String[] p = shape.split("x");
                int m = Integer.parseInt(p[0]), n = Integer.parseInt(p[1]), k = Integer.parseInt(p[2]);
                GemmOperand w = GemmOperand.weights(RandomTensors.f16Weights(arena, 1, n, k));
                float[] x = RandomTensors.activations(2, m * k), bias = Boolean.getBoolean("nobias") ? null : RandomTensors.activations(3, n), y = new float[m * n];
                double flops = 2.0 * m * n * k;
                int calls = (int) Math.max(5, Math.ceil(rounds * 4e9 / flops));
                StringBuilder first = new StringBuilder();
                for (int i = 0; i < calls / 2; i++) {
                    long c0 = CpuTime.javaThreadsNanos();
                    Gemm.multiply(x, 0, k, m, w, bias, y, 0, n, false);
                    if (i < 6) first.append(String.format(Locale.ROOT, " %.1f", (CpuTime.javaThreadsNanos() - c0) / 1e6));
                }
                System.out.println(shape + " first calls, CPU ms:" + first);
                double[] cpu = new double[calls], wall = new double[calls];
                for (int i = 0; i < calls; i++) {
                    long c0 = CpuTime.javaThreadsNanos(), t0 = System.nanoTime();
                    Gemm.multiply(x, 0, k, m, w, bias, y, 0, n, false);
                    long c1 = CpuTime.javaThreadsNanos(), t1 = System.nanoTime();
                    cpu[i] = (c1 - c0) / 1e9;
                    wall[i] = (t1 - t0) / 1e9;
                }
                java.util.Arrays.sort(cpu);
                java.util.Arrays.sort(wall);
                double bestCpu = cpu[0], medCpu = cpu[calls / 2], bestWall = wall[0];
                System.out.printf(Locale.ROOT, "%-16s cpu best %8.2f ms %5.1f%% median %5.1f%% of per-thread peak | wall best %8.2f ms %5.1f%% of peak (%d calls)%n",
                        shape, bestCpu * 1e3, 100 * flops / bestCpu / 1e9 / (peak / threads), 100 * flops / medCpu / 1e9 / (peak / threads),
                        bestWall * 1e3, 100 * flops / bestWall / 1e9 / peak, calls);
            }
        }
    }
}
