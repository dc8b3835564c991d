package dev.animagine.core.lora;

import dev.animagine.core.io.Component;
import dev.animagine.core.io.FloatCodec;
import dev.animagine.core.io.SafetensorsWriter;
import dev.animagine.core.io.SdxlArchitecture;
import dev.animagine.core.io.SdxlKeys;
import dev.animagine.core.io.TensorSpec;
import dev.animagine.core.tensor.DType;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A random kohya-ss LoRA for an architecture, as sd-scripts writes one for SDXL: {@code lora_down},
 * {@code lora_up} and {@code alpha} (= rank / 2) on every attention projection (q, k, v, out) and
 * feed-forward layer of the UNet under SGM names, optionally also on both text encoders' attention
 * and MLP; fp16, with sd-scripts' metadata. The update is about a tenth of a typical weight, so a
 * benchmark sees realistic (finite) activations. Deterministic in the seed.
 */
public final class RandomLora {
    private static final String[] UNET_LAYERS = {".to_q.weight", ".to_k.weight", ".to_v.weight", ".to_out.0.weight", ".ff.net.0.proj.weight", ".ff.net.2.weight"};
    private static final String[] TEXT_LAYERS = {".q_proj.weight", ".k_proj.weight", ".v_proj.weight", ".out_proj.weight", ".fc1.weight", ".fc2.weight"};

    private final SdxlArchitecture arch;
    private final int rank;
    private final long seed;
    private final boolean textEncoders;

    public RandomLora(SdxlArchitecture arch, int rank, long seed, boolean textEncoders) {
        if (rank < 1) throw new IllegalArgumentException("rank must be positive: " + rank);
        this.arch = arch;
        this.rank = rank;
        this.seed = seed;
        this.textEncoders = textEncoders;
    }

    /** One module: its kohya key prefix and weight shape [out, in]. */
    record Module(String key, long out, long in) {}

    List<Module> modules() {
        List<Module> m = new ArrayList<>();
        for (TensorSpec s : SdxlKeys.of(arch, Component.UNET))
            if (endsWithAny(s.name(), UNET_LAYERS)) {
                String sgm = s.sgmName().substring(Component.UNET.sgmPrefix().length(), s.sgmName().length() - ".weight".length());
                m.add(new Module("lora_unet_" + sgm.replace('.', '_'), s.shape()[0], s.shape()[1]));
            }
        if (textEncoders)
            for (Component c : new Component[] {Component.TEXT_ENCODER, Component.TEXT_ENCODER_2})
                for (TensorSpec s : SdxlKeys.of(arch, c))
                    if (s.name().startsWith("text_model.encoder.layers.") && endsWithAny(s.name(), TEXT_LAYERS)) {
                        String module = s.name().substring(0, s.name().length() - ".weight".length());
                        m.add(new Module((c == Component.TEXT_ENCODER ? "lora_te1_" : "lora_te2_") + module.replace('.', '_'), s.shape()[0], s.shape()[1]));
                    }
        return m;
    }

    private static boolean endsWithAny(String s, String[] suffixes) {
        for (String x : suffixes) if (s.endsWith(x)) return true;
        return false;
    }

    /** Bytes of the file's tensors. */
    public long weightBytes() {
        long n = 0;
        for (Module m : modules()) n += 2L * rank * (m.in() + m.out()) + 2;
        return n;
    }

    /** Writes the file atomically; refuses an existing one. */
    public void write(Path out) {
        SafetensorsWriter w = new SafetensorsWriter(out).parallel(true);
        float alpha = rank / 2f;
        int i = 0;
        for (Module m : modules()) {
            long tensorSeed = seed * 0x9E3779B97F4A7C15L + (i++);
            // down ~ N(0, 1/in) (Kaiming); std(s·U·D) = s·σu·sqrt(r/in), so σu gives entries of about 2e-3
            double downStd = 1 / Math.sqrt(m.in()), upStd = 2e-3 * Math.sqrt(m.in()) / ((alpha / rank) * Math.sqrt(rank));
            w.add(m.key() + ".lora_down.weight", DType.F16, new long[] {rank, m.in()}, dst -> gaussian(tensorSeed, downStd, dst));
            w.add(m.key() + ".lora_up.weight", DType.F16, new long[] {m.out(), rank}, dst -> gaussian(~tensorSeed, upStd, dst));
            w.add(m.key() + ".alpha", DType.F16, new long[] {}, new float[] {alpha});
        }
        String name = out.getFileName().toString().replaceFirst("(?i)\\.safetensors$", "");
        w.metadata("ss_network_module", "networks.lora")
                .metadata("ss_network_dim", Integer.toString(rank))
                .metadata("ss_network_alpha", Float.toString(alpha))
                .metadata("ss_base_model_version", "sdxl_base_v1-0")
                .metadata("modelspec.architecture", "stable-diffusion-xl-v1-base/lora")
                .metadata("ss_output_name", name)
                .metadata("ss_network_train_unet_only", Boolean.toString(!textEncoders));
        w.write();
    }

    private static void gaussian(long seed, double std, java.lang.foreign.MemorySegment dst) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = (int) (dst.byteSize() / 2);
        float[] chunk = new float[Math.min(n, 1 << 16)];
        for (int done = 0; done < n; done += chunk.length) {
            int c = Math.min(chunk.length, n - done);
            for (int i = 0; i < c; i++) chunk[i] = (float) (r.nextGaussian() * std);
            FloatCodec.encode(chunk, 0, c, DType.F16, dst, done);
        }
    }
}
