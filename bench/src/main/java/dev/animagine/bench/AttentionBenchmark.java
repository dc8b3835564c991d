package dev.animagine.bench;

import dev.animagine.core.tensor.Attention;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Self-attention of the UNet at 1024x1024, one latent: 4096 tokens with 10 heads of 64 (level 1)
 * and 1024 tokens with 20 heads of 64 (level 2).
 */
@State(Scope.Benchmark)
public class AttentionBenchmark {
    @Param({"4096", "1024"})
    public int tokens;

    static final int HEAD_DIM = 64;
    private float[] q, k, v, out;
    private int heads;

    @Setup(Level.Trial)
    public void setup() {
        heads = heads(tokens);
        int c = heads * HEAD_DIM;
        q = RandomTensors.activations(1, tokens * c);
        k = RandomTensors.activations(2, tokens * c);
        v = RandomTensors.activations(3, tokens * c);
        out = new float[tokens * c];
    }

    @Benchmark
    public float[] selfAttention() {
        int c = heads * HEAD_DIM;
        Attention.forward(q, 0, c, k, 0, c, v, 0, c, out, 0, c, 1, heads, tokens, tokens, HEAD_DIM, false);
        return out;
    }

    static int heads(int tokens) {
        return tokens >= 4096 ? 10 : 20;
    }

    /** Q K^T and P V: 2 x 2 x tokens^2 x d per head. */
    static double flops(int tokens) {
        return 4.0 * heads(tokens) * tokens * (double) tokens * HEAD_DIM;
    }
}
