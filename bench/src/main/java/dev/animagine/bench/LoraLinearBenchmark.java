package dev.animagine.bench;

import dev.animagine.core.nn.Linear;
import dev.animagine.core.tensor.Buffers;
import dev.animagine.core.tensor.DType;
import dev.animagine.core.tensor.LowRank;
import dev.animagine.core.tensor.StoredTensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * What a LoRA costs a UNet linear layer at 1024x1024 with CFG (the {@link GemmBenchmark} shapes):
 * {@code base} is the fp16 layer alone, {@code lowRank} adds a rank-{@code rank} fp16 side path
 * {@code s·(x D^T) U^T} (how plain LoRA/LoCon are applied), {@code merged} is the layer with its
 * LoRA merged into an fp32 copy of the weight (how LoHa/LoKr/full/DoRA are applied: twice the
 * weight bytes to pack).
 */
@State(Scope.Benchmark)
public class LoraLinearBenchmark {
    /** M x N x K. */
    @Param({"8192x640x640", "8192x5120x640", "2048x1280x1280", "2048x10240x1280", "2048x1280x5120"})
    public String shape;

    @Param({"base", "lowRank", "merged"})
    public String mode;

    @Param({"32"})
    public int rank;

    private Arena arena;
    private Linear layer;
    private float[] x;
    private int m;

    @Setup(Level.Trial)
    public void setup() {
        String[] p = shape.split("x");
        m = Integer.parseInt(p[0]);
        int n = Integer.parseInt(p[1]), k = Integer.parseInt(p[2]);
        arena = Arena.ofShared();
        StoredTensor w = RandomTensors.f16Weights(arena, 1, n, k);
        float[] bias = RandomTensors.activations(3, n);
        x = RandomTensors.activations(2, m * k);
        layer = switch (mode) {
            case "base" -> new Linear(w, bias);
            case "lowRank" -> new Linear(w, bias, List.of(new LowRank(RandomTensors.f16Weights(arena, 4, rank, k),
                    RandomTensors.f16Weights(arena, 5, n, rank), 0.5f)));
            case "merged" -> new Linear(new StoredTensor("merged", DType.F32, new long[] {n, k}, MemorySegment.ofArray(w.toFloats()), "bench"), bias);
            default -> throw new IllegalArgumentException(mode);
        };
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public float[] forward() {
        float[] y = layer.forward(x, m);
        Buffers.give(y);
        return y;
    }
}
