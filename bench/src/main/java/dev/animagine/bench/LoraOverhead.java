package dev.animagine.bench;

import dev.animagine.core.nn.Linear;
import dev.animagine.core.tensor.Buffers;
import dev.animagine.core.tensor.DType;
import dev.animagine.core.tensor.LowRank;
import dev.animagine.core.tensor.StoredTensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Locale;

/**
 * The cost of a rank-R LoRA on the UNet's linear layers, measured so that a busy machine does not
 * bias it: for each layer shape the plain fp16 layer, the same layer with a low-rank side path and
 * the layer with an fp32 merged weight run alternately, round after round, and the smallest
 * process CPU time of each is compared: on a shared machine wall time mostly measures the other
 * processes, while the CPU time this process spends is what the work costs (contention still adds
 * some through caches, hence the minimum over rounds). Shapes are {@link GemmBenchmark}'s with the
 * row count divided by {@code --rows-divisor} (default 4) to keep a run short; every variant is
 * linear in the rows, so the ratios barely move.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar dev.animagine.bench.LoraOverhead [rounds] [rank] [rowsDivisor]</pre>
 */
public final class LoraOverhead {
    private static final String[] SHAPES = {"8192x640x640", "8192x5120x640", "8192x640x2560", "2048x1280x1280", "2048x10240x1280", "2048x1280x5120"};

    private LoraOverhead() {}

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int rank = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int divisor = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        System.out.printf(Locale.ROOT, "%-18s %10s %10s %10s %9s %9s%n", "M x N x K", "base cpu ms", "lowRank", "fp32", "+lowRank", "+fp32");
        double baseTotal = 0, lowTotal = 0, mergedTotal = 0;
        for (String shape : SHAPES) {
            String[] p = shape.split("x");
            int m = Integer.parseInt(p[0]) / divisor, n = Integer.parseInt(p[1]), k = Integer.parseInt(p[2]);
            try (Arena arena = Arena.ofShared()) {
                StoredTensor w = RandomTensors.f16Weights(arena, 1, n, k);
                float[] bias = RandomTensors.activations(3, n), x = RandomTensors.activations(2, m * k);
                Linear base = new Linear(w, bias);
                Linear low = new Linear(w, bias, List.of(new LowRank(RandomTensors.f16Weights(arena, 4, rank, k),
                        RandomTensors.f16Weights(arena, 5, n, rank), 0.5f)));
                Linear merged = new Linear(new StoredTensor("merged", DType.F32, new long[] {n, k}, MemorySegment.ofArray(w.toFloats()), "bench"), bias);
                Linear[] layers = {base, low, merged};
                double[] best = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE};
                for (int r = -1; r < rounds; r++)
                    for (int i = 0; i < layers.length; i++) {
                        long t0 = CpuTime.javaThreadsNanos();
                        Buffers.give(layers[i].forward(x, m));
                        double ms = (CpuTime.javaThreadsNanos() - t0) / 1e6;
                        if (r >= 0) best[i] = Math.min(best[i], ms); // round -1 warms up
                    }
                baseTotal += best[0];
                lowTotal += best[1];
                mergedTotal += best[2];
                System.out.printf(Locale.ROOT, "%-18s %10.1f %10.1f %10.1f %+8.1f%% %+8.1f%%%n", m + "x" + n + "x" + k, best[0], best[1], best[2],
                        100 * (best[1] / best[0] - 1), 100 * (best[2] / best[0] - 1));
            }
        }
        System.out.printf(Locale.ROOT, "%-18s %10.1f %10.1f %10.1f %+8.1f%% %+8.1f%%%n", "all", baseTotal, lowTotal, mergedTotal,
                100 * (lowTotal / baseTotal - 1), 100 * (mergedTotal / baseTotal - 1));
    }
}
