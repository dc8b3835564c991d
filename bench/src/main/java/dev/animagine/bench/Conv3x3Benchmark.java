package dev.animagine.bench;

import dev.animagine.core.tensor.Conv2d;
import dev.animagine.core.tensor.Winograd;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.Arena;
import java.util.Locale;

/**
 * 3x3 stride-1 convolutions at SDXL shapes, one image, fp16 weights, channels in = out: the UNet's
 * resnet convs at 1024x1024 (320 channels on 128x128, 640 on 64x64, 1280 on 32x32) and its deepest
 * level at 512x512 (1280 on 16x16); the VAE decoder's at 1024x1024 (512 channels on 128x128 and
 * 256x256, 256 on 512x512, 128 on 1024x1024). {@code algorithm}: the direct (implicit im2col)
 * kernel or Winograd F(2x2,3x3) / F(4x4,3x3). GFLOP/s are direct-equivalent.
 */
@State(Scope.Benchmark)
public class Conv3x3Benchmark {
    /** {@code channels@side}. */
    @Param({"320@128", "640@64", "1280@32", "1280@16", "512@128", "512@256", "256@512", "128@1024"})
    public String shape;

    @Param({"direct", "f2", "f4"})
    public String algorithm;

    private Arena arena;
    private Conv2d conv;
    private float[] x, y;
    private int channels, side;
    /** Process CPU time per iteration: on a shared machine the wall time also counts other processes' turns. */
    private long cpu0, ops;

    @Setup(Level.Trial)
    public void setup() {
        channels = channels(shape);
        side = side(shape);
        Winograd.setTile(switch (algorithm) {
            case "f2" -> 2;
            case "f4" -> 4;
            default -> 0;
        });
        arena = Arena.ofShared();
        conv = new Conv2d(RandomTensors.f16Weights(arena, 1, channels, channels, 3, 3), RandomTensors.activations(2, channels), 1, 1);
        x = RandomTensors.activations(3, channels * side * side);
        y = new float[channels * side * side];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Setup(Level.Iteration)
    public void startIteration() {
        ops = 0;
        cpu0 = CpuTime.processNanos();
    }

    /** Prints the CPU time per operation per worker thread, the figure to compare with the CPU-time peak when others share the cores. */
    @TearDown(Level.Iteration)
    public void endIteration() {
        double perOp = (CpuTime.processNanos() - cpu0) / 1e6 / Math.max(1, ops) / dev.animagine.core.tensor.Parallel.threads();
        System.out.printf(Locale.ROOT, "%n[cpu] %s %s %.2f ms/op/thread = %.1f GFLOP/s by CPU time%n", shape, algorithm, perOp,
                flops(shape) / perOp / 1e6);
    }

    @Benchmark
    public float[] conv3x3() {
        conv.forward(x, 1, side, side, y);
        ops++;
        return y;
    }

    static int channels(String shape) {
        return Integer.parseInt(shape.substring(0, shape.indexOf('@')));
    }

    static int side(String shape) {
        return Integer.parseInt(shape.substring(shape.indexOf('@') + 1));
    }

    /** Direct-equivalent FLOPs of one call. */
    static double flops(String shape) {
        double c = channels(shape), s = side(shape);
        return 2.0 * c * c * 9 * s * s;
    }
}
