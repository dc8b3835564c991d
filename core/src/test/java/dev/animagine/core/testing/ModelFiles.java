package dev.animagine.core.testing;

import dev.animagine.core.io.SafetensorsFile;
import dev.animagine.core.io.SafetensorsWriter;
import dev.animagine.core.tensor.DType;
import dev.animagine.core.tensor.StoredTensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Model files for loader tests, derived from the fixture models or made of a few named tensors:
 * other model families (SD 1.x/2.x, SD3, Flux), adapters, partial and truncated checkpoints, pickles.
 * Shared with the cli module's tests through the core test-jar.
 */
public final class ModelFiles {
    private ModelFiles() {}

    /** The first fixture model's folder (models/A in the public set). */
    public static Path model() {
        return Fixtures.models().getFirst();
    }

    public static Path diffusersFolder() {
        return model().resolve("diffusers");
    }

    /** The first fixture model's fp16 single file (else its first single file). */
    public static Path singleFile() {
        try (Stream<Path> s = Files.list(model().resolve("single_file"))) {
            List<Path> files = s.filter(p -> p.toString().endsWith(".safetensors")).sorted().toList();
            return files.stream().filter(p -> p.getFileName().toString().contains("fp16")).findFirst().orElse(files.getFirst());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A file with the given tensor names, each a small F16 tensor of zeros. */
    public static Path withKeys(Path out, String... keys) {
        SafetensorsWriter w = new SafetensorsWriter(out);
        for (String k : keys) w.add(k, DType.F16, new long[] {4, 4}, seg -> { });
        w.write();
        return out;
    }

    /** The fp16 single file with keys filtered and renamed ({@code rename} returns null to drop a key). */
    public static Path derived(Path out, Function<String, String> rename, Map<String, String> metadata) {
        try (SafetensorsFile src = SafetensorsFile.open(singleFile())) {
            SafetensorsWriter w = new SafetensorsWriter(out).metadata(metadata);
            Map<String, StoredTensor> keep = new LinkedHashMap<>();
            src.tensors().forEach((k, t) -> {
                String n = rename.apply(k);
                if (n != null) keep.put(n, t);
            });
            keep.forEach(w::add);
            w.write();
        }
        return out;
    }

    public static Path without(Path out, Predicate<String> drop) {
        return derived(out, k -> drop.test(k) ? null : k, Map.of());
    }

    public static Path sd1(Path dir) {
        return withKeys(dir.resolve("sd15.safetensors"), "model.diffusion_model.input_blocks.0.0.weight",
                "cond_stage_model.transformer.text_model.embeddings.token_embedding.weight", "first_stage_model.encoder.conv_in.weight");
    }

    public static Path sd2(Path dir) {
        return withKeys(dir.resolve("sd21.safetensors"), "model.diffusion_model.input_blocks.0.0.weight",
                "cond_stage_model.model.token_embedding.weight", "first_stage_model.encoder.conv_in.weight");
    }

    public static Path sd3(Path dir) {
        return withKeys(dir.resolve("sd3.safetensors"), "model.diffusion_model.joint_blocks.0.x_block.attn.qkv.weight",
                "model.diffusion_model.x_embedder.proj.weight", "text_encoders.clip_l.transformer.text_model.final_layer_norm.weight");
    }

    public static Path flux(Path dir) {
        return withKeys(dir.resolve("flux1-dev.safetensors"), "double_blocks.0.img_attn.qkv.weight", "single_blocks.0.linear1.weight",
                "img_in.weight");
    }

    public static Path lora(Path dir) {
        return withKeys(dir.resolve("style_lora.safetensors"), "lora_unet_down_blocks_1_attentions_0_proj_in.lora_down.weight",
                "lora_unet_down_blocks_1_attentions_0_proj_in.lora_up.weight", "lora_unet_down_blocks_1_attentions_0_proj_in.alpha");
    }

    public static Path lycoris(Path dir) {
        return withKeys(dir.resolve("loha.safetensors"), "lora_unet_input_blocks_4_1_proj_in.hada_w1_a",
                "lora_unet_input_blocks_4_1_proj_in.hada_w1_b", "lora_unet_input_blocks_4_1_proj_in.alpha");
    }

    /** The fixture's VAE as an SGM file with bare encoder.* / decoder.* keys (like sdxl_vae.safetensors). */
    public static Path vaeOnly(Path dir) {
        String p = "first_stage_model.";
        return derived(dir.resolve("sdxl_vae.safetensors"), k -> k.startsWith(p) ? k.substring(p.length()) : null, Map.of());
    }

    /** The fp16 single file cut in the middle of its data, like an interrupted download. */
    public static Path truncated(Path dir) {
        Path out = dir.resolve("truncated.safetensors");
        try {
            byte[] all = Files.readAllBytes(singleFile());
            Files.write(out, java.util.Arrays.copyOf(all, all.length / 2));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** The fp16 single file without its text encoders. */
    public static Path noTextEncoders(Path dir) {
        return without(dir.resolve("unet_vae_only.safetensors"), k -> k.startsWith("conditioner."));
    }

    /** A zip-format PyTorch pickle, as a .ckpt. */
    public static Path pickle(Path dir) {
        Path out = dir.resolve("model.ckpt");
        try {
            Files.write(out, new byte[] {'P', 'K', 3, 4, 0, 0, 0, 0, 'a', 'r', 'c', 'h', 'i', 'v', 'e'});
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** A diffusers folder (symlinks into the fixture) lacking one component folder. */
    public static Path diffusersWithout(Path dir, String component) {
        Path out = dir.resolve("partial_" + component);
        try {
            Files.createDirectories(out);
            try (Stream<Path> s = Files.list(diffusersFolder())) {
                for (Path p : s.toList())
                    if (!p.getFileName().toString().equals(component)) Files.createSymbolicLink(out.resolve(p.getFileName()), p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
