package dev.animagine.core.vae.tiny;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.animagine.core.AnimagineException;
import dev.animagine.core.io.FileKind;
import dev.animagine.core.io.SafetensorsFile;
import dev.animagine.core.tensor.BufferPool;
import dev.animagine.core.tensor.Buffers;
import dev.animagine.core.tensor.Conv2d;
import dev.animagine.core.tensor.Ops;
import dev.animagine.core.tensor.StoredTensor;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The decoder of madebyollin's Tiny AutoEncoder (TAESD; TAESD-XL for SDXL latents, diffusers'
 * {@code AutoencoderTiny}): a tanh clamp ({@code tanh(x/3)·3}), a 3x3 conv and ReLU, then groups of
 * residual {@code Block}s (conv-ReLU-conv-ReLU-conv plus a skip, ReLU after the sum), each group but
 * the last followed by a 2x nearest upsample and a bias-free 3x3 conv, and a last 3x3 conv to RGB in
 * about [0, 1]. It reads the latents as the UNet sees them (not divided by the VAE's scaling factor).
 *
 * <p>The layer list is read from the weights' indices, so both layouts load: madebyollin's
 * {@code nn.Sequential} ({@code 1.weight}, {@code 3.conv.0.weight}...; index 0 is the clamp) and
 * diffusers' ({@code decoder.layers.0.weight}...; the clamp is outside the list). An index without
 * weights is the ReLU after a conv or the upsample after a block.
 */
public final class TinyAutoencoderDecoder implements AutoCloseable {
    /** The weight layout a file uses. */
    public enum Layout { TAESD, DIFFUSERS }

    /**
     * Output pixels one pass may cover (a 64-channel activation of 1.2 M pixels is 300 MB, and a
     * block holds three or four): taller images, e.g. a hires pass's, are decoded in bands of latent
     * rows, each with a halo of rows reaching past its receptive field so its rows come out as in
     * one pass. Settable so tests can cover several bands on small shapes.
     */
    static volatile long maxPassPixels = 1_200_000;

    private static final Pattern INDEXED = Pattern.compile("(\\d+)\\.(.+)");
    private static final String DIFFUSERS_PREFIX = "decoder.layers.";

    private sealed interface Layer permits Conv, Block, Relu, Upsample {}

    private record Conv(Conv2d conv) implements Layer {}

    /** Three 3x3 convs; skip is a 1x1 conv when channels change, else null (identity). */
    private record Block(Conv2d c0, Conv2d c1, Conv2d c2, Conv2d skip) implements Layer {}

    private record Relu() implements Layer {}

    private record Upsample() implements Layer {}

    private final List<Layer> layers;
    private final Layout layout;
    private final int latentChannels, upscale, halo;
    private final String origin;
    private final SafetensorsFile file;

    private TinyAutoencoderDecoder(List<Layer> layers, Layout layout, int latentChannels, String origin, SafetensorsFile file) {
        this.layers = layers;
        this.layout = layout;
        this.latentChannels = latentChannels;
        this.origin = origin;
        this.file = file;
        int up = 1;
        double reach = 0;
        for (Layer l : layers) {
            // latent pixels each 3x3 conv sees past its output at its resolution; +1 per upsample for nearest's rounding
            switch (l) {
                case Conv c -> reach += 1.0 / up;
                case Block b -> reach += 3.0 / up;
                case Upsample u -> {
                    reach += 1.0 / up;
                    up *= 2;
                }
                case Relu r -> {}
            }
        }
        this.upscale = up;
        this.halo = (int) Math.ceil(reach) + 1;
    }

    /**
     * Loads a decoder from madebyollin's {@code taesdxl_decoder.safetensors}, a diffusers
     * {@code AutoencoderTiny} weights file, or a diffusers folder (the model folder or a pipeline with
     * {@code vae/}). Every problem is an {@link AnimagineException} naming the file (and tensor).
     */
    public static TinyAutoencoderDecoder load(Path path) {
        Path weights = path;
        if (Files.isDirectory(path)) weights = folderWeights(path);
        else if (!Files.isRegularFile(path)) throw new AnimagineException(path + ": TAESD decoder file not found");
        FileKind.requireSafetensors(weights);
        checkDiffusersConfig(weights.toAbsolutePath().resolveSibling("config.json"));
        SafetensorsFile f = SafetensorsFile.open(weights);
        try {
            return build(f.tensors(), weights.toString(), f);
        } catch (RuntimeException | Error e) {
            f.close();
            throw e;
        }
    }

    /** A decoder over tensors the caller keeps alive (e.g. an open file's), named as in a file of either layout. */
    public static TinyAutoencoderDecoder of(Map<String, StoredTensor> tensors, String origin) {
        return build(tensors, origin, null);
    }

    /** The layout these tensor names are in, or null when they are no TAESD decoder's. */
    public static Layout detect(Set<String> names) {
        if (names.stream().anyMatch(n -> n.startsWith(DIFFUSERS_PREFIX))) return Layout.DIFFUSERS;
        boolean indexed = !names.isEmpty() && names.stream().allMatch(n -> INDEXED.matcher(n).matches());
        return indexed ? Layout.TAESD : null;
    }

    private static Path folderWeights(Path dir) {
        Path d = Files.isDirectory(dir.resolve("vae")) ? dir.resolve("vae") : dir;
        for (String name : List.of("diffusion_pytorch_model.safetensors", "diffusion_pytorch_model.fp16.safetensors")) {
            Path p = d.resolve(name);
            if (Files.isRegularFile(p)) return p;
        }
        throw new AnimagineException(d + ": no diffusion_pytorch_model.safetensors (a diffusers AutoencoderTiny folder was expected)");
    }

    /** diffusers' AutoencoderTiny config, when beside the weights: only the TAESD decoder's choices are supported. */
    private static void checkDiffusersConfig(Path config) {
        if (!Files.isRegularFile(config)) return;
        JsonNode c;
        try {
            c = new ObjectMapper().readTree(config.toFile());
        } catch (IOException e) {
            throw new AnimagineException(config + ": cannot read (" + e.getMessage() + ")");
        }
        if (c == null || !c.path("_class_name").asText("").equals("AutoencoderTiny")) return;
        requireConfig(config, c, "act_fn", "relu");
        requireConfig(config, c, "upsample_fn", "nearest");
        requireConfig(config, c, "upsampling_scaling_factor", "2");
        if (c.path("use_midblock_gn").asBoolean(false))
            throw new AnimagineException(config + ": use_midblock_gn is not supported (only TAESD's plain decoder)");
    }

    private static void requireConfig(Path config, JsonNode c, String key, String expected) {
        JsonNode v = c.get(key);
        if (v != null && !v.asText().equals(expected))
            throw new AnimagineException(config + ": " + key + " " + v + " is not supported (TAESD's decoder uses " + expected + ")");
    }

    private static TinyAutoencoderDecoder build(Map<String, StoredTensor> tensors, String origin, SafetensorsFile file) {
        Layout layout = detect(tensors.keySet());
        if (layout == null)
            throw new AnimagineException(origin + ": is not a TAESD decoder (no tensors named like '1.weight' or 'decoder.layers.0.weight')");
        String prefix = layout == Layout.DIFFUSERS ? DIFFUSERS_PREFIX : "";
        // index -> (name within the layer -> tensor)
        TreeMap<Integer, Map<String, StoredTensor>> byIndex = new TreeMap<>();
        for (Map.Entry<String, StoredTensor> e : tensors.entrySet()) {
            String name = e.getKey();
            if (!name.startsWith(prefix)) {
                if (layout == Layout.DIFFUSERS && name.startsWith("encoder.")) continue;
                throw new AnimagineException(origin + ": unexpected tensor '" + name + "' in a TAESD decoder");
            }
            Matcher m = INDEXED.matcher(name.substring(prefix.length()));
            if (!m.matches()) throw new AnimagineException(origin + ": unexpected tensor '" + name + "' in a TAESD decoder");
            byIndex.computeIfAbsent(Integer.parseInt(m.group(1)), k -> new TreeMap<>()).put(m.group(2), e.getValue());
        }
        int first = layout == Layout.DIFFUSERS ? 0 : 1;
        if (layout == Layout.TAESD && byIndex.containsKey(0)) {
            String name = prefix + "0." + byIndex.get(0).keySet().iterator().next();
            throw new AnimagineException(origin + ": is not a TAESD decoder: tensor '" + name
                    + "' sits where the decoder has its weightless clamp (a TAESD encoder file?)");
        }
        List<Layer> layers = new ArrayList<>();
        int channels = -1, latentChannels = -1;
        Layer previous = null;
        for (int i = first; i <= byIndex.lastKey(); i++) {
            Map<String, StoredTensor> parts = byIndex.get(i);
            String at = prefix + i + ".";
            Layer layer;
            if (parts == null) {
                if (previous instanceof Conv) layer = new Relu();
                else if (previous instanceof Block) layer = new Upsample();
                else throw new AnimagineException(origin + ": TAESD decoder layer " + at.substring(0, at.length() - 1)
                            + " has no weights where a convolution or block was expected");
            } else if (parts.containsKey("weight")) {
                requireOnly(parts, Set.of("weight", "bias"), at, origin);
                // TAESD's convs have biases except those after an upsample
                Conv2d conv = conv(parts, "", at, origin, 3, channels, !(previous instanceof Upsample));
                if (channels < 0) latentChannels = conv.inChannels();
                channels = conv.outChannels();
                layer = new Conv(conv);
            } else {
                requireOnly(parts, Set.of("conv.0.weight", "conv.0.bias", "conv.2.weight", "conv.2.bias", "conv.4.weight",
                        "conv.4.bias", "skip.weight"), at, origin);
                if (channels < 0) throw new AnimagineException(origin + ": TAESD decoder starts with block " + at + " instead of a convolution");
                Conv2d c0 = conv(parts, "conv.0.", at, origin, 3, channels, true);
                Conv2d c1 = conv(parts, "conv.2.", at, origin, 3, c0.outChannels(), true);
                Conv2d c2 = conv(parts, "conv.4.", at, origin, 3, c1.outChannels(), true);
                Conv2d skip = null;
                if (parts.containsKey("skip.weight")) skip = conv(parts, "skip.", at, origin, 1, channels, false);
                else if (c2.outChannels() != channels)
                    throw new AnimagineException(origin + ": TAESD decoder block " + at + " changes channels " + channels + " -> "
                            + c2.outChannels() + " but has no '" + at + "skip.weight'");
                if (skip != null && skip.outChannels() != c2.outChannels())
                    throw new AnimagineException(origin + ": tensor '" + at + "skip.weight' has " + skip.outChannels()
                            + " output channels, the block's convs " + c2.outChannels());
                channels = c2.outChannels();
                layer = new Block(c0, c1, c2, skip);
            }
            layers.add(layer);
            previous = layer;
        }
        if (!(previous instanceof Conv) || channels != 3)
            throw new AnimagineException(origin + ": TAESD decoder must end with a convolution to 3 (RGB) channels (last layer "
                    + prefix + byIndex.lastKey() + " gives " + channels + ")");
        return new TinyAutoencoderDecoder(List.copyOf(layers), layout, latentChannels, origin, file);
    }

    private static void requireOnly(Map<String, StoredTensor> parts, Set<String> allowed, String at, String origin) {
        for (String k : new TreeSet<>(parts.keySet()))
            if (!allowed.contains(k)) throw new AnimagineException(origin + ": unexpected tensor '" + at + k + "' in a TAESD decoder");
    }

    /** A k x k convolution (padding k/2) reading {@code in} channels (any when in < 0). */
    private static Conv2d conv(Map<String, StoredTensor> parts, String sub, String at, String origin, int k, int in, boolean biasRequired) {
        StoredTensor w = parts.get(sub + "weight");
        if (w == null) throw new AnimagineException(origin + ": TAESD decoder tensor '" + at + sub + "weight' is missing");
        long[] s = w.shape();
        if (s.length != 4 || s[2] != k || s[3] != k || (in >= 0 && s[1] != in))
            throw new AnimagineException(origin + ": tensor '" + at + sub + "weight' has shape " + Arrays.toString(s) + ", expected [out, "
                    + (in >= 0 ? in : "in") + ", " + k + ", " + k + "]");
        StoredTensor b = parts.get(sub + "bias");
        if (b == null && biasRequired) throw new AnimagineException(origin + ": TAESD decoder tensor '" + at + sub + "bias' is missing");
        if (b != null && (b.rank() != 1 || b.dim(0) != s[0]))
            throw new AnimagineException(origin + ": tensor '" + at + sub + "bias' has shape " + Arrays.toString(b.shape()) + ", expected [" + s[0] + "]");
        return new Conv2d(w, b == null ? null : b.toFloats(), 1, k / 2);
    }

    public Layout layout() {
        return layout;
    }

    /** Channels of the latents it reads (4 for TAESD and TAESD-XL). */
    public int latentChannels() {
        return latentChannels;
    }

    /** How many times larger the image is than the latents (8 for TAESD). */
    public int upscale() {
        return upscale;
    }

    public String origin() {
        return origin;
    }

    /**
     * The decoder's output for one image's latents {@code [latentChannels, h, w]}: RGB planes
     * {@code [3, h·upscale, w·upscale]} in about [0, 1] (not clamped). Its intermediates come from a
     * pool of its own, so a run's pool on the calling thread is neither used nor changed; images
     * over {@link #maxPassPixels} are decoded in bands of rows.
     */
    public float[] decode(float[] latents, int h, int w) {
        if (latents.length < latentChannels * h * w)
            throw new IllegalArgumentException("latents hold " + latents.length + " values, fewer than " + latentChannels + "x" + h + "x" + w);
        int rowPixels = w * upscale * upscale;
        if ((long) h * rowPixels <= maxPassPixels) return Buffers.withPool(new BufferPool(), () -> forward(latents, h, w));
        int rows = (int) Math.max(1, maxPassPixels / rowPixels) - 2 * halo;
        // a very wide image gets bands over budget rather than bands mostly made of halo
        int band = Math.max(rows, 8);
        int oh = h * upscale, ow = w * upscale, plane = h * w;
        float[] out = new float[3 * oh * ow];
        for (int r0 = 0; r0 < h; r0 += band) {
            int r1 = Math.min(h, r0 + band), a = Math.max(0, r0 - halo), b = Math.min(h, r1 + halo);
            float[] part = new float[latentChannels * (b - a) * w];
            for (int c = 0; c < latentChannels; c++) System.arraycopy(latents, c * plane + a * w, part, c * (b - a) * w, (b - a) * w);
            float[] y = Buffers.withPool(new BufferPool(), () -> forward(part, b - a, w));
            int partRows = (b - a) * upscale;
            for (int c = 0; c < 3; c++)
                System.arraycopy(y, (c * partRows + (r0 - a) * upscale) * ow, out, (c * oh + r0 * upscale) * ow, (r1 - r0) * upscale * ow);
        }
        return out;
    }

    private float[] forward(float[] latents, int h, int w) {
        int n = latentChannels * h * w;
        float[] x = Buffers.take(n);
        for (int i = 0; i < n; i++) x[i] = (float) Math.tanh(latents[i] / 3f) * 3f;
        int c = latentChannels;
        for (Layer layer : layers) {
            switch (layer) {
                case Relu r -> relu(x);
                case Upsample u -> {
                    float[] up = Ops.resizeNearest(x, 1, c, h, w, 2 * h, 2 * w);
                    Buffers.give(x);
                    x = up;
                    h *= 2;
                    w *= 2;
                }
                case Conv cv -> {
                    float[] y = Buffers.take(cv.conv().outChannels() * h * w);
                    cv.conv().forward(x, 1, h, w, y);
                    Buffers.give(x);
                    x = y;
                    c = cv.conv().outChannels();
                }
                case Block b -> {
                    float[] y = block(b, x, h, w);
                    Buffers.give(x);
                    x = y;
                    c = b.c2().outChannels();
                }
            }
        }
        return x;
    }

    /** relu(c2(relu(c1(relu(c0(x))))) + skip(x)); x is left to the caller. */
    private static float[] block(Block b, float[] x, int h, int w) {
        int p = h * w;
        float[] a = Buffers.take(b.c0().outChannels() * p);
        b.c0().forward(x, 1, h, w, a);
        relu(a);
        float[] t = Buffers.take(b.c1().outChannels() * p);
        b.c1().forward(a, 1, h, w, t);
        Buffers.give(a);
        relu(t);
        float[] y = Buffers.take(b.c2().outChannels() * p);
        b.c2().forward(t, 1, h, w, y);
        if (b.skip() == null) {
            Ops.addInPlace(y, x);
        } else {
            // the block's scratch is the skip's output now
            b.skip().forward(x, 1, h, w, t);
            Ops.addInPlace(y, t);
        }
        Buffers.give(t);
        relu(y);
        return y;
    }

    private static void relu(float[] x) {
        for (int i = 0; i < x.length; i++) if (x[i] < 0f) x[i] = 0f;
    }

    /**
     * The preview image of one image's latents, as A1111 shows TAESD previews: the output clamped to
     * [0, 1] and scaled to 0..255 truncating (torch's float-to-uint8 cast).
     */
    public BufferedImage toImage(float[] latents, int h, int w) {
        float[] rgb = decode(latents, h, w);
        int oh = h * upscale, ow = w * upscale, plane = oh * ow;
        int[] packed = new int[plane];
        for (int i = 0; i < plane; i++) {
            int v = 0;
            for (int ch = 0; ch < 3; ch++) v = (v << 8) | (int) (255f * Math.clamp(rgb[ch * plane + i], 0f, 1f));
            packed[i] = v;
        }
        BufferedImage out = new BufferedImage(ow, oh, BufferedImage.TYPE_INT_RGB);
        out.setRGB(0, 0, ow, oh, packed, 0, ow);
        return out;
    }

    @Override
    public void close() {
        if (file != null) file.close();
    }
}
