package dev.animagine.bench;

import dev.animagine.core.tensor.Conv2d;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.Arena;

/**
 * The UNet's 3x3 convolutions (resnet conv2) at 1024x1024: 320 channels on the 128x128 latent,
 * 640 on 64x64, 1280 on 32x32; one latent, fp16 weights.
 */
@State(Scope.Benchmark)
public class Conv3x3Benchmark {
    /** Latent side; the channel count is SDXL's at that level. */
    @Param({"128", "64", "32"})
    public int latent;

    private Arena arena;
    private Conv2d conv;
    private float[] x, y;
    private int channels;

    @Setup(Level.Trial)
    public void setup() {
        channels = channels(latent);
        arena = Arena.ofShared();
        conv = new Conv2d(RandomTensors.f16Weights(arena, 1, channels, channels, 3, 3), RandomTensors.activations(2, channels), 1, 1);
        x = RandomTensors.activations(3, channels * latent * latent);
        y = new float[channels * latent * latent];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public float[] conv3x3() {
        conv.forward(x, 1, latent, latent, y);
        return y;
    }

    static int channels(int latent) {
        return 320 * 128 / latent;
    }

    static double flops(int latent) {
        long c = channels(latent);
        return 2.0 * c * c * 9 * latent * latent;
    }

}
