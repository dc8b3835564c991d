package dev.animagine.core.vae.tiny;

import dev.animagine.core.AnimagineException;
import dev.animagine.core.io.SafetensorsFile;
import dev.animagine.core.io.SafetensorsWriter;
import dev.animagine.core.pipeline.LivePreviews;
import dev.animagine.core.tensor.BufferPool;
import dev.animagine.core.tensor.Buffers;
import dev.animagine.core.tensor.Conv2d;
import dev.animagine.core.tensor.DType;
import dev.animagine.core.tensor.StoredTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * TAESD's decoder has no reference fixture, so it is checked two ways: against the architecture of
 * madebyollin's {@code taesd.py} composed here step by step from the verified primitives (Conv2d,
 * ReLU, nearest 2x upsampling, the tanh clamp) on a random TAESD-XL file, and on a 1-channel toy
 * whose output is worked out by hand. Both weight layouts must give the same output.
 */
class TinyAutoencoderDecoderTest {
    private static final TinyAutoencoderDecoder.Layout TAESD = TinyAutoencoderDecoder.Layout.TAESD;
    private static final TinyAutoencoderDecoder.Layout DIFFUSERS = TinyAutoencoderDecoder.Layout.DIFFUSERS;

    @TempDir
    Path dir;

    @Test
    void randomTaesdXlMatchesThePlainCompositionInBothLayouts() {
        Path ollin = RandomTinyAutoencoder.write(dir.resolve("taesdxl_decoder.safetensors"), TAESD, 7);
        Path diffusers = RandomTinyAutoencoder.write(dir.resolve("diffusion_pytorch_model.safetensors"), DIFFUSERS, 7);
        int h = 5, w = 7;
        float[] latents = new float[4 * h * w];
        SplittableRandom rng = new SplittableRandom(3);
        // SDXL latents as the UNet sees them reach a few units; the clamp's tanh must matter
        for (int i = 0; i < latents.length; i++) latents[i] = (float) (rng.nextGaussian() * 2.5);

        float[] reference;
        try (SafetensorsFile f = SafetensorsFile.open(ollin)) {
            reference = plainTaesdXl(f.tensors(), latents, h, w);
        }
        float[] a, b;
        try (TinyAutoencoderDecoder d = TinyAutoencoderDecoder.load(ollin)) {
            assertThat(d.layout()).isEqualTo(TAESD);
            assertThat(d.latentChannels()).isEqualTo(4);
            assertThat(d.upscale()).isEqualTo(8);
            a = d.decode(latents, h, w);
        }
        try (TinyAutoencoderDecoder d = TinyAutoencoderDecoder.load(diffusers)) {
            assertThat(d.layout()).isEqualTo(DIFFUSERS);
            b = d.decode(latents, h, w);
        }
        assertThat(a).hasSize(3 * 8 * h * 8 * w);
        assertThat(maxAbsDiff(a, reference)).isLessThanOrEqualTo(1e-6f);
        assertThat(b).containsExactly(a);
        // a real image, not a constant: the comparison above would pass on zeros too
        float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
        for (float v : a) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertThat(max - min).isGreaterThan(0.1f);
    }

    /** madebyollin's Decoder(latent_channels=4) written out layer by layer with the file's indices. */
    private static float[] plainTaesdXl(Map<String, StoredTensor> t, float[] latents, int h, int w) {
        float[] x = new float[latents.length];
        for (int i = 0; i < x.length; i++) x[i] = (float) Math.tanh(latents[i] / 3f) * 3f; // 0: Clamp
        x = relu(conv(t, "1.", x, h, w, 1));                                                 // 1: conv(4, 64), 2: ReLU
        int[][] groups = {{3, 4, 5}, {8, 9, 10}, {13, 14, 15}, {18}};
        int[] upsampleConvs = {7, 12, 17};
        for (int g = 0; g < groups.length; g++) {
            for (int block : groups[g]) x = block(t, block + ".", x, h, w);
            if (g < upsampleConvs.length) {
                x = upsampleNearest2x(x, 64, h, w);                                         // nn.Upsample(scale_factor=2)
                h *= 2;
                w *= 2;
                x = conv(t, upsampleConvs[g] + ".", x, h, w, 1);                            // conv(64, 64, bias=False)
            }
        }
        return conv(t, "19.", x, h, w, 1);                                                  // conv(64, 3)
    }

    /** Block: fuse(conv(x) + skip(x)) with conv = conv, ReLU, conv, ReLU, conv and an identity skip. */
    private static float[] block(Map<String, StoredTensor> t, String p, float[] x, int h, int w) {
        float[] y = relu(conv(t, p + "conv.0.", x, h, w, 1));
        y = relu(conv(t, p + "conv.2.", y, h, w, 1));
        y = conv(t, p + "conv.4.", y, h, w, 1);
        for (int i = 0; i < y.length; i++) y[i] += x[i];
        return relu(y);
    }

    private static float[] conv(Map<String, StoredTensor> t, String p, float[] x, int h, int w, int padding) {
        StoredTensor weight = t.get(p + "weight");
        StoredTensor bias = t.get(p + "bias");
        Conv2d c = new Conv2d(weight, bias == null ? null : bias.toFloats(), 1, padding);
        float[] y = new float[c.outChannels() * h * w];
        c.forward(x, 1, h, w, y);
        return y;
    }

    private static float[] relu(float[] x) {
        for (int i = 0; i < x.length; i++) x[i] = Math.max(0f, x[i]);
        return x;
    }

    private static float[] upsampleNearest2x(float[] x, int c, int h, int w) {
        float[] y = new float[c * 4 * h * w];
        for (int ch = 0; ch < c; ch++)
            for (int i = 0; i < 2 * h; i++)
                for (int j = 0; j < 2 * w; j++) y[(ch * 2 * h + i) * 2 * w + j] = x[(ch * h + i / 2) * w + j / 2];
        return y;
    }

    private static float maxAbsDiff(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        float m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }

    /**
     * One channel: clamp, conv (identity), ReLU, one Block, 2x upsample, conv to RGB, each 3x3
     * kernel with few non-zero taps so the numbers can be followed by hand on a 1x2 latent.
     */
    @Test
    void toyDecoderGivesTheHandComputedImageInBothLayouts() {
        for (TinyAutoencoderDecoder.Layout layout : TinyAutoencoderDecoder.Layout.values()) {
            Path file = writeToy(dir.resolve("toy-" + layout + ".safetensors"), layout, Map.of());
            // latents whose clamp tanh(x/3)*3 gives exactly-known values 0.6 and 1.2
            float[] latents = {(float) (3 * atanh(0.2)), (float) (3 * atanh(0.4))};
            float[] rgb;
            try (TinyAutoencoderDecoder d = TinyAutoencoderDecoder.load(file)) {
                assertThat(d.upscale()).isEqualTo(2);
                assertThat(d.latentChannels()).isEqualTo(1);
                rgb = d.decode(latents, 1, 2);
            }
            // clamp: x = [0.6, 1.2]; conv identity + ReLU: [0.6, 1.2]
            // block conv.0 (centre 2, right neighbour 1, bias -1): [2*0.6 + 1.2 - 1, 2*1.2 + 0 - 1] = [1.4, 1.4]; ReLU
            // conv.2 (centre 1, bias 0.5): [1.9, 1.9]; ReLU; conv.4 (centre -0.25, bias -0.2): [-0.675, -0.675]
            // + skip x: [-0.075, 0.525]; fuse ReLU: [0, 0.525]
            // upsample 2x: rows [0, 0, 0.525, 0.525] twice; conv to RGB (centres 1, 2, -1; biases 0.1, 0, 0.5):
            float[] expected = {
                    0.1f, 0.1f, 0.625f, 0.625f, 0.1f, 0.1f, 0.625f, 0.625f,
                    0f, 0f, 1.05f, 1.05f, 0f, 0f, 1.05f, 1.05f,
                    0.5f, 0.5f, -0.025f, -0.025f, 0.5f, 0.5f, -0.025f, -0.025f};
            assertThat(maxAbsDiff(rgb, expected)).as(layout.name()).isLessThanOrEqualTo(1e-5f);
        }
    }

    private static double atanh(double x) {
        return 0.5 * Math.log((1 + x) / (1 - x));
    }

    /** The toy in a layout; {@code replace} swaps tensors by madebyollin name (null value: drop it). */
    private static Path writeToy(Path file, TinyAutoencoderDecoder.Layout layout, Map<String, float[]> replace) {
        Map<String, float[]> t = new LinkedHashMap<>();
        t.put("1.weight", centre(1f));
        t.put("1.bias", new float[] {0f});
        float[] c0 = centre(2f);
        c0[5] = 1f; // right neighbour
        t.put("3.conv.0.weight", c0);
        t.put("3.conv.0.bias", new float[] {-1f});
        t.put("3.conv.2.weight", centre(1f));
        t.put("3.conv.2.bias", new float[] {0.5f});
        t.put("3.conv.4.weight", centre(-0.25f));
        t.put("3.conv.4.bias", new float[] {-0.2f});
        float[] out = new float[27];
        out[4] = 1f;
        out[9 + 4] = 2f;
        out[18 + 4] = -1f;
        t.put("5.weight", out);
        t.put("5.bias", new float[] {0.1f, 0f, 0.5f});
        t.putAll(replace);
        SafetensorsWriter writer = new SafetensorsWriter(file);
        t.forEach((name, v) -> {
            if (v == null) return;
            int dot = name.indexOf('.');
            int index = Integer.parseInt(name.substring(0, dot));
            String key = new RandomTinyAutoencoder.Tensor(index, name.substring(dot + 1), new long[0]).key(layout);
            long[] shape = name.endsWith("bias") ? new long[] {v.length} : new long[] {v.length / 9, 1, 3, 3};
            writer.add(key, DType.F32, shape, v);
        });
        writer.write();
        return file;
    }

    private static float[] centre(float v) {
        float[] k = new float[9];
        k[4] = v;
        return k;
    }

    @Test
    void tallImagesDecodedInBandsMatchOnePass() {
        Path file = RandomTinyAutoencoder.write(dir.resolve("taesdxl_decoder.safetensors"), TAESD, 4);
        int h = 61, w = 3;
        float[] latents = new float[4 * h * w];
        SplittableRandom rng = new SplittableRandom(9);
        for (int i = 0; i < latents.length; i++) latents[i] = (float) (rng.nextGaussian() * 2.5);
        long saved = TinyAutoencoderDecoder.maxPassPixels;
        try (TinyAutoencoderDecoder d = TinyAutoencoderDecoder.load(file)) {
            float[] whole = d.decode(latents, h, w);
            // 50 latent rows a pass: 8-row bands plus halos, so the first, middle and last bands differ
            TinyAutoencoderDecoder.maxPassPixels = 50L * w * 64;
            float[] banded = d.decode(latents, h, w);
            // measured: 4.9e-7 (rounding where conv tiles fall differently); halos cut to 16, 10, 4 rows give 2.5e-6, 2.4e-4, 0.097
            assertThat(maxAbsDiff(banded, whole)).isLessThanOrEqualTo(2e-6f);
        } finally {
            TinyAutoencoderDecoder.maxPassPixels = saved;
        }
    }

    @Test
    void decodingLeavesTheCallersBufferPoolAlone() {
        Path file = RandomTinyAutoencoder.write(dir.resolve("taesdxl_decoder.safetensors"), TAESD, 1);
        BufferPool pool = new BufferPool();
        float[] mine = new float[123];
        pool.give(mine);
        long before = pool.idleBytes();
        try (TinyAutoencoderDecoder d = TinyAutoencoderDecoder.load(file)) {
            BufferedImage image = Buffers.withPool(pool, () -> d.toImage(new float[4 * 3 * 2], 3, 2));
            assertThat(image.getWidth()).isEqualTo(16);
            assertThat(image.getHeight()).isEqualTo(24);
        }
        assertThat(pool.idleBytes()).isEqualTo(before);
        assertThat(pool.take(123)).isSameAs(mine);
    }

    @Test
    void imageIsTheOutputClampedToUnitAndTruncatedTo8Bits() {
        // a toy whose output is its bias: 1.5 -> 255, -0.2 -> 0, 0.5 -> 127 (truncated, as torch's uint8 cast)
        Path file = writeToy(dir.resolve("bias.safetensors"), TAESD, Map.of("5.weight", new float[27], "5.bias", new float[] {1.5f, -0.2f, 0.5f}));
        try (TinyAutoencoderDecoder d = TinyAutoencoderDecoder.load(file)) {
            BufferedImage image = d.toImage(new float[] {0.3f, -0.4f}, 1, 2);
            assertThat(image.getWidth()).isEqualTo(4);
            assertThat(image.getRGB(3, 1) & 0xffffff).isEqualTo(0xff007f);
        }
    }

    @Test
    void badFilesAreOneLineErrorsNamingFileAndTensor() {
        // TAESD-XL with the second upsample conv reading 32 channels instead of 64
        Path wrongShape = dir.resolve("shape.safetensors");
        SafetensorsWriter writer = new SafetensorsWriter(wrongShape);
        for (RandomTinyAutoencoder.Tensor t : RandomTinyAutoencoder.taesdXlDecoder()) {
            long[] shape = t.key(TAESD).equals("12.weight") ? new long[] {64, 32, 3, 3} : t.shape();
            writer.add(t.key(TAESD), DType.F32, shape, new float[(int) java.util.Arrays.stream(shape).reduce(1, (x, y) -> x * y)]);
        }
        writer.write();
        assertThatThrownBy(() -> TinyAutoencoderDecoder.load(wrongShape)).isInstanceOf(AnimagineException.class)
                .hasMessageContaining(wrongShape.toString()).hasMessageContaining("'12.weight' has shape [64, 32, 3, 3], expected [out, 64, 3, 3]");
        Map<String, float[]> drop = new LinkedHashMap<>();
        drop.put("3.conv.4.weight", null);
        Path missing = writeToy(dir.resolve("missing.safetensors"), DIFFUSERS, drop);
        assertThatThrownBy(() -> TinyAutoencoderDecoder.load(missing)).isInstanceOf(AnimagineException.class)
                .hasMessageContaining(missing.toString()).hasMessageContaining("'decoder.layers.2.conv.4.weight' is missing");
        Map<String, float[]> noBias = new LinkedHashMap<>();
        noBias.put("3.conv.0.bias", null);
        Path bias = writeToy(dir.resolve("nobias.safetensors"), TAESD, noBias);
        assertThatThrownBy(() -> TinyAutoencoderDecoder.load(bias)).hasMessageContaining("'3.conv.0.bias' is missing");
        Path extra = writeToy(dir.resolve("extra.safetensors"), TAESD, Map.of("3.norm.weight", new float[9]));
        assertThatThrownBy(() -> TinyAutoencoderDecoder.load(extra)).hasMessageContaining("unexpected tensor '3.norm.weight'");
        Path encoder = writeToy(dir.resolve("encoder.safetensors"), TAESD, Map.of("0.weight", centre(1f)));
        assertThatThrownBy(() -> TinyAutoencoderDecoder.load(encoder)).hasMessageContaining("'0.weight'").hasMessageContaining("encoder");
        Path other = dir.resolve("other.safetensors");
        new SafetensorsWriter(other).add("conv_in.weight", DType.F32, new long[] {1}, new float[1]).write();
        assertThatThrownBy(() -> TinyAutoencoderDecoder.load(other)).hasMessageContaining(other.toString()).hasMessageContaining("not a TAESD decoder");
        assertThatThrownBy(() -> TinyAutoencoderDecoder.load(dir.resolve("absent.safetensors"))).hasMessageContaining("absent.safetensors")
                .hasMessageContaining("not found");
    }

    @Test
    void diffusersFolderAndItsConfigAreRead() throws Exception {
        Path vae = Files.createDirectories(dir.resolve("pipe/vae"));
        RandomTinyAutoencoder.write(vae.resolve("diffusion_pytorch_model.safetensors"), DIFFUSERS, 2);
        Files.writeString(vae.resolve("config.json"), "{\"_class_name\": \"AutoencoderTiny\", \"act_fn\": \"relu\", \"upsample_fn\": \"nearest\","
                + " \"upsampling_scaling_factor\": 2, \"scaling_factor\": 1.0}");
        try (TinyAutoencoderDecoder d = TinyAutoencoderDecoder.load(dir.resolve("pipe"))) {
            assertThat(d.layout()).isEqualTo(DIFFUSERS);
        }
        Files.writeString(vae.resolve("config.json"), "{\"_class_name\": \"AutoencoderTiny\", \"upsample_fn\": \"bilinear\"}");
        assertThatThrownBy(() -> TinyAutoencoderDecoder.load(vae)).hasMessageContaining("config.json").hasMessageContaining("upsample_fn");
    }

    @Test
    void livePreviewsUseTaesdWhenLoadedAndTheLinearFitOtherwise() {
        Path file = RandomTinyAutoencoder.write(dir.resolve("taesdxl_decoder.safetensors"), TAESD, 5);
        float[] latents = new float[4 * 2 * 3];
        try (LivePreviews cheap = LivePreviews.cheap()) {
            assertThat(cheap.method()).isEqualTo(LivePreviews.Method.APPROX_CHEAP);
            assertThat(cheap.render(latents, 4, 2, 3).getWidth()).isEqualTo(3);
            assertThatThrownBy(() -> cheap.method(LivePreviews.Method.TAESD)).hasMessageContaining("--taesd");
        }
        try (LivePreviews p = new LivePreviews(TinyAutoencoderDecoder.load(file))) {
            assertThat(p.method()).isEqualTo(LivePreviews.Method.TAESD);
            assertThat(p.render(latents, 4, 2, 3).getWidth()).isEqualTo(24);
            p.method(LivePreviews.Method.fromA1111Name("approx CHEAP").orElseThrow());
            assertThat(p.render(latents, 4, 2, 3).getWidth()).isEqualTo(3);
        }
        assertThat(LivePreviews.Method.fromA1111Name("Full")).isEmpty();
    }

    @Test
    void modelsFolderDecoderIsFoundWhereA1111AndComfyKeepIt() throws Exception {
        assertThat(LivePreviews.findInModelsDir(dir)).isEmpty();
        Path f = Files.createDirectories(dir.resolve("VAE-taesd")).resolve("taesdxl_decoder.safetensors");
        Files.writeString(f, "x");
        assertThat(LivePreviews.findInModelsDir(dir)).contains(f);
    }
}
