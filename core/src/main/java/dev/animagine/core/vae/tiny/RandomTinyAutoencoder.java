package dev.animagine.core.vae.tiny;

import dev.animagine.core.io.SafetensorsWriter;
import dev.animagine.core.tensor.DType;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A random TAESD-XL decoder (madebyollin's architecture: 4 latent channels, 64 features, three
 * groups of three blocks each followed by a 2x upsample and a bias-free conv, one last block, a conv
 * to RGB) in either weight layout; the same seed gives the same values in both. Weights are scaled
 * by 1/sqrt(fan-in) so activations stay finite and the output is a real image, for tests and for
 * measuring the preview's cost without the real file.
 */
public final class RandomTinyAutoencoder {
    /** One tensor: its madebyollin index and name within that layer, its shape. */
    public record Tensor(int index, String name, long[] shape) {
        /** Its name in a file of the given layout. */
        public String key(TinyAutoencoderDecoder.Layout layout) {
            return layout == TinyAutoencoderDecoder.Layout.DIFFUSERS ? "decoder.layers." + (index - 1) + "." + name : index + "." + name;
        }
    }

    private RandomTinyAutoencoder() {}

    /** TAESD-XL's decoder tensors in madebyollin's order. */
    public static List<Tensor> taesdXlDecoder() {
        int f = 64;
        List<Tensor> t = new ArrayList<>();
        t.add(new Tensor(1, "weight", new long[] {f, 4, 3, 3}));
        t.add(new Tensor(1, "bias", new long[] {f}));
        int i = 3;
        for (int group = 0; group < 4; group++) {
            int blocks = group < 3 ? 3 : 1;
            for (int b = 0; b < blocks; b++, i++)
                for (int c = 0; c <= 4; c += 2) {
                    t.add(new Tensor(i, "conv." + c + ".weight", new long[] {f, f, 3, 3}));
                    t.add(new Tensor(i, "conv." + c + ".bias", new long[] {f}));
                }
            if (group < 3) {
                // i is the upsample; the bias-free conv follows it
                t.add(new Tensor(i + 1, "weight", new long[] {f, f, 3, 3}));
                i += 2;
            }
        }
        t.add(new Tensor(i, "weight", new long[] {3, f, 3, 3}));
        t.add(new Tensor(i, "bias", new long[] {3}));
        return t;
    }

    /** Writes a random TAESD-XL decoder (float32) to {@code file} (never over an existing file). */
    public static Path write(Path file, TinyAutoencoderDecoder.Layout layout, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        SafetensorsWriter w = new SafetensorsWriter(file);
        for (Tensor t : taesdXlDecoder()) w.add(t.key(layout), DType.F32, t.shape(), values(t, rng));
        w.write();
        return file;
    }

    /** Weights ~ U(-1, 1)·sqrt(3 / fan-in) (unit variance through a conv); biases ~ U(-0.1, 0.1). */
    static float[] values(Tensor t, SplittableRandom rng) {
        long n = 1;
        for (long d : t.shape()) n *= d;
        float[] v = new float[(int) n];
        double scale = t.shape().length == 4 ? Math.sqrt(3.0 / (t.shape()[1] * t.shape()[2] * t.shape()[3])) : 0.1;
        for (int i = 0; i < v.length; i++) v[i] = (float) ((rng.nextDouble() * 2 - 1) * scale);
        return v;
    }
}
