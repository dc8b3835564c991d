package dev.animagine.bench;

import dev.animagine.core.tensor.Gemm;
import dev.animagine.core.tensor.GemmOperand;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.Arena;

/**
 * Linear layers of the SDXL UNet with CFG (batch 2), {@code y[M,N] = x[M,K] W^T + b} with fp16
 * weights packed from memory as the engine does: at 1024x1024 the attention projections and the
 * feed-forward at level 1 (64x64 tokens, 640 channels) and level 2 (32x32, 1280), and the
 * cross-attention key/value projection of the 2 x 77 text tokens; at 512x512 the same layers on
 * 32x32 and 16x16 tokens (below 600 rows the engine computes them transposed).
 */
@State(Scope.Benchmark)
public class GemmBenchmark {
    /** M x N x K. */
    @Param({"8192x640x640", "8192x5120x640", "8192x640x2560", "2048x1280x1280", "2048x10240x1280", "2048x1280x5120", "154x1280x2048",
            "2048x640x640", "2048x5120x640", "2048x640x2560", "512x1280x1280", "512x10240x1280", "512x1280x5120"})
    public String shape;

    private Arena arena;
    private GemmOperand weight;
    private float[] x, bias, y;
    private int m, n, k;

    @Setup(Level.Trial)
    public void setup() {
        String[] p = shape.split("x");
        m = Integer.parseInt(p[0]);
        n = Integer.parseInt(p[1]);
        k = Integer.parseInt(p[2]);
        arena = Arena.ofShared();
        weight = GemmOperand.weights(RandomTensors.f16Weights(arena, 1, n, k));
        x = RandomTensors.activations(2, m * k);
        bias = RandomTensors.activations(3, n);
        y = new float[m * n];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public float[] linear() {
        Gemm.multiply(x, 0, k, m, weight, bias, y, 0, n, false);
        return y;
    }

    static double flops(String shape) {
        String[] p = shape.split("x");
        return 2.0 * Long.parseLong(p[0]) * Long.parseLong(p[1]) * Long.parseLong(p[2]);
    }
}
