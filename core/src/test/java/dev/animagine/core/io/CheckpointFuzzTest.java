package dev.animagine.core.io;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.animagine.core.AnimagineException;
import dev.animagine.core.tensor.DType;
import dev.animagine.core.testing.ModelFiles;
import dev.animagine.core.text.ClipTextConfig;
import dev.animagine.core.unet.UNetConfig;
import dev.animagine.core.vae.VaeConfig;
import org.junit.jupiter.api.AfterAll;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The checkpoint reader on mutated single-file checkpoints: the fuzzer starts from the complete key
 * list of a small SDXL-shaped architecture (so inputs reach detection and validation, not just the
 * family check) and drops, renames, reshapes and retypes keys, adds foreign ones, and may replace the
 * UNet config. Every outcome must be a loaded model or an {@link AnimagineException}.
 */
class CheckpointFuzzTest {
    /** The first inputs load (and Jazzer instruments) most classes: their allocations are not the reader's. */
    private static final int WARM_UP = 20;
    private static int runs;
    private static final Path DIR = FuzzSupport.scratch("checkpoint");
    private static final List<TensorSpec> SPECS;
    private static final String[] FOREIGN = {"model_ema.decay", "cond_stage_model.transformer.text_model.x", "lora_unet_a.lora_down.weight",
            "model.diffusion_model.joint_blocks.0.w", "double_blocks.0.w", "single_blocks.0.w", "first_stage_model.encoder.down.9.block.0.conv1.weight",
            "conditioner.embedders.1.model.transformer.resblocks.99.attn.in_proj_weight", "model.diffusion_model.output_blocks.99.1.conv.weight",
            "conditioner.embedders.0.model.x", "encoder.down.0.block.0.conv1.weight", "model.diffusion_model.middle_block.7.x"};
    private static final DType[] DTYPES = {DType.F16, DType.BF16, DType.F32, DType.I64, DType.F8_E4M3, DType.U8};

    /**
     * A small SDXL-shaped architecture (two UNet and VAE levels, one resnet each, two-layer text
     * towers, a 64-token vocabulary): the same key structure as SDXL with a tenth of the keys, so
     * the fuzzer runs many inputs per second. Widths are multiples of 64, so no config is needed.
     */
    static final SdxlArchitecture SMALL = new SdxlArchitecture(
            new UNetConfig(4, 4, List.of(64, 128), 1, List.of(1, 2), List.of(1, 2), List.of(false, true), 128, 8, 112, 32, true),
            new VaeConfig(3, 3, 4, List.of(64, 64), 1, 32, VaeConfig.SDXL_SCALING_FACTOR),
            new ClipTextConfig(64, 64, 128, 2, 1, 8, "quick_gelu", 1e-5, 0),
            new ClipTextConfig(64, 64, 128, 2, 1, 8, "gelu", 1e-5, 64));

    static {
        SPECS = SdxlKeys.of(SMALL);
    }

    @AfterAll
    static void cleanUp() {
        FuzzSupport.delete(DIR);
    }

    private record Key(String name, long[] shape, DType dtype) {}

    @FuzzTest(maxDuration = "5s")
    void checkpointReader(FuzzedDataProvider data) throws IOException {
        List<Key> keys = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (TensorSpec s : SPECS) if (seen.add(s.sgmName())) keys.add(new Key(s.sgmName(), s.sgmShape(), DType.F16));
        int edits = data.consumeInt(0, 12);
        for (int e = 0; e < edits && !keys.isEmpty(); e++) {
            int i = data.consumeInt(0, keys.size() - 1);
            Key k = keys.get(i);
            switch (data.consumeInt(0, 5)) {
                case 0 -> keys.remove(i);
                case 1 -> {
                    long[] s = k.shape().clone();
                    if (s.length > 0) s[data.consumeInt(0, s.length - 1)] = data.consumeLong(0, 300);
                    keys.set(i, new Key(k.name(), s, k.dtype()));
                }
                case 2 -> keys.set(i, new Key(k.name(), k.shape(), data.pickValue(DTYPES)));
                case 3 -> {
                    String n = k.name();
                    int at = data.consumeInt(0, n.length() - 1);
                    keys.set(i, new Key(n.substring(0, at) + data.consumeString(3) + n.substring(at), k.shape(), k.dtype()));
                }
                case 4 -> keys.add(new Key(data.pickValue(FOREIGN), new long[] {data.consumeLong(0, 64)}, data.pickValue(DTYPES)));
                default -> keys.set(i, new Key(k.name(), new long[] {data.consumeLong(0, 1000)}, k.dtype()));
            }
        }
        boolean withConfig = data.consumeBoolean();
        String unetConfig = data.consumeBoolean() ? data.consumeString(200) : null;
        Path file = DIR.resolve("model.safetensors");
        FuzzSupport.delete(file);
        SafetensorsWriter w = new SafetensorsWriter(file);
        seen.clear();
        for (Key k : keys) if (seen.add(k.name())) w.add(k.name(), k.dtype(), k.shape(), seg -> { });
        w.write();
        CheckpointOptions opts = CheckpointOptions.DEFAULT;
        if (withConfig) opts = opts.withConfigDirectory(configDir(unetConfig));
        long before = FuzzSupport.allocatedBytes();
        open(file, opts);
        if (++runs > WARM_UP) FuzzSupport.assertAllocationBounded(before, Files.size(file));
    }

    private static void open(Path file, CheckpointOptions opts) {
        try (Checkpoint c = Checkpoint.open(file, opts)) {
            c.architecture();
            c.unet().parameterCount();
        } catch (AnimagineException expected) {
            // a clear, user-facing rejection
        }
    }

    /** The fixture's configs, with the UNet's replaced by fuzz text when given. */
    private static Path configDir(String unetConfig) throws IOException {
        if (unetConfig == null) return ModelFiles.diffusersFolder();
        Path d = DIR.resolve("config");
        if (!Files.isDirectory(d)) {
            Files.createDirectories(d.resolve("unet"));
            for (String c : new String[] {"vae", "text_encoder", "text_encoder_2"})
                Files.createSymbolicLink(d.resolve(c), ModelFiles.diffusersFolder().resolve(c).toAbsolutePath());
        }
        Files.writeString(d.resolve("unet/config.json"), unetConfig);
        return d;
    }
}
