package dev.animagine.core.io;

import dev.animagine.core.AnimagineException;
import dev.animagine.core.InvalidArgumentException;
import dev.animagine.core.testing.ModelFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What cannot be run is refused with one precise line; what real files carry besides the model is tolerated. */
class CheckpointRejectionsTest {
    @TempDir
    Path dir;

    private static final CheckpointOptions WITH_CONFIG = CheckpointOptions.DEFAULT.withConfigDirectory(ModelFiles.diffusersFolder());

    private static void assertRefused(Path model, String... fragments) {
        assertThatThrownBy(() -> Checkpoint.open(model, WITH_CONFIG).close())
                .isInstanceOf(AnimagineException.class)
                .hasMessageStartingWith(model.toString())
                .hasMessageContainingAll(fragments)
                .hasMessageNotContaining("\n");
    }

    @Test
    void stableDiffusion1() {
        assertRefused(ModelFiles.sd1(dir), "Stable Diffusion 1.x", "only SDXL");
    }

    @Test
    void stableDiffusion2() {
        assertRefused(ModelFiles.sd2(dir), "Stable Diffusion 2.x", "only SDXL");
    }

    @Test
    void stableDiffusion3() {
        assertRefused(ModelFiles.sd3(dir), "Stable Diffusion 3", "only SDXL");
    }

    @Test
    void flux() {
        assertRefused(ModelFiles.flux(dir), "Flux", "only SDXL");
    }

    @Test
    void loraAndLycoris() {
        assertRefused(ModelFiles.lora(dir), "LoRA", "not a model");
        assertRefused(ModelFiles.lycoris(dir), "LoRA/LyCORIS", "not a model");
    }

    @Test
    void vaeOnly() {
        assertRefused(ModelFiles.vaeOnly(dir), "VAE on its own", "--vae");
    }

    @Test
    void truncatedDownload() {
        assertRefused(ModelFiles.truncated(dir), "truncated", "incomplete download");
    }

    @Test
    void missingTextEncoders() {
        assertRefused(ModelFiles.noTextEncoders(dir), "no text encoders");
    }

    @Test
    void missingWeightsInsideAComponent() {
        Path p = ModelFiles.without(dir.resolve("holes.safetensors"), k -> k.contains("output_blocks.2.") || k.endsWith("ln_final.bias"));
        assertRefused(p, "is incomplete", "missing");
    }

    @Test
    void strayLayerIndexIsAGapNotAHugeModel() {
        // text_encoder_2's layer 0 renumbered far away: refused as a gap, no million-layer architecture is built
        Path p = ModelFiles.derived(dir.resolve("gap.safetensors"),
                k -> k.replaceFirst("^(conditioner\\.embedders\\.1\\.model\\.transformer\\.resblocks\\.)0\\.", "$1999999."), Map.of());
        assertRefused(p, "are missing", "999999");
    }

    @Test
    void missingVaeSaysToPassOne() {
        Path p = ModelFiles.without(dir.resolve("novae.safetensors"), k -> k.startsWith("first_stage_model."));
        assertRefused(p, "no VAE", "--vae");
    }

    @Test
    void missingDiffusersComponent() {
        Path p = ModelFiles.diffusersWithout(dir, "text_encoder_2");
        assertRefused(p, "text_encoder_2", "missing");
    }

    @Test
    void otherDiffusersPipelines() throws java.io.IOException {
        String[][] pipelines = {{"StableDiffusionPipeline", "Stable Diffusion 1.x/2.x"}, {"StableDiffusion3Pipeline", "Stable Diffusion 3"},
                {"FluxPipeline", "Flux"}, {"KandinskyPipeline", "not supported"}};
        for (String[] p : pipelines) {
            Path folder = java.nio.file.Files.createDirectories(dir.resolve(p[0]));
            java.nio.file.Files.writeString(folder.resolve("model_index.json"), "{\"_class_name\": \"" + p[0] + "\"}");
            assertRefused(folder, p[1]);
        }
    }

    @Test
    void pickleCheckpoint() {
        assertRefused(ModelFiles.pickle(dir), "pickle", "not supported", "safetensors");
    }

    @Test
    void refinerCheckpoint() {
        Path p = ModelFiles.withKeys(dir.resolve("refiner.safetensors"), "model.diffusion_model.input_blocks.0.0.weight",
                "conditioner.embedders.0.model.token_embedding.weight", "first_stage_model.encoder.conv_in.weight");
        assertRefused(p, "refiner");
    }

    @Test
    void nonexistentPathIsAUsageError() {
        assertThatThrownBy(() -> Checkpoint.open(dir.resolve("nope.safetensors"), CheckpointOptions.DEFAULT))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("nope.safetensors").hasMessageContaining("no such file");
        assertThatThrownBy(() -> Checkpoint.open("models/nope.safetensors", CheckpointOptions.DEFAULT))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("no such file");
    }

    @Test
    void repoIdNotInCacheSaysSo() {
        assertThatThrownBy(() -> Checkpoint.open("cagliostrolab/animagine-xl-4.0", CheckpointOptions.DEFAULT.withHubCaches(java.util.List.of(dir))))
                .isInstanceOf(AnimagineException.class)
                .hasMessageContaining("cagliostrolab/animagine-xl-4.0")
                .hasMessageContaining("models--cagliostrolab--animagine-xl-4.0")
                .hasMessageContaining("no network");
    }

    @Test
    void configOfAnotherArchitectureIsRefused() {
        // the fixture's own UNet config, with one level's channels changed
        Path cfgDir = dir.resolve("cfg");
        Path unet = cfgDir.resolve("unet");
        try {
            java.nio.file.Files.createDirectories(unet);
            for (String c : new String[] {"vae", "text_encoder", "text_encoder_2"})
                java.nio.file.Files.createSymbolicLink(cfgDir.resolve(c), ModelFiles.diffusersFolder().resolve(c));
            com.fasterxml.jackson.databind.node.ObjectNode j = (com.fasterxml.jackson.databind.node.ObjectNode)
                    ComponentConfigs.readJson(ModelFiles.diffusersFolder().resolve("unet/config.json"));
            com.fasterxml.jackson.databind.node.ArrayNode ch = (com.fasterxml.jackson.databind.node.ArrayNode) j.get("block_out_channels");
            ch.set(0, ch.get(0).asInt() * 2);
            java.nio.file.Files.writeString(unet.resolve("config.json"), j.toString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertThatThrownBy(() -> Checkpoint.open(ModelFiles.singleFile(), CheckpointOptions.DEFAULT.withConfigDirectory(cfgDir)))
                .isInstanceOf(AnimagineException.class).hasMessageContaining("block_out_channels").hasMessageContaining("different architecture");
    }

    @Test
    void toleratesEmaPositionIdsLogitScaleAndMetadata() {
        Path p = ModelFiles.derived(dir.resolve("with_ema.safetensors"), k -> k, Map.of("modelspec.title", "test", "ss_note", "{\"x\":1}"));
        // add EMA copies and logit_scale on top of the complete model
        Path q = dir.resolve("with_ema2.safetensors");
        try (SafetensorsFile src = SafetensorsFile.open(p)) {
            SafetensorsWriter w = new SafetensorsWriter(q).metadata(src.metadata());
            src.tensors().forEach(w::add);
            w.add("model_ema.decay", src.tensors().values().iterator().next());
            w.add("model_ema.num_updates", dev.animagine.core.tensor.DType.I32, new long[] {}, seg -> { });
            w.add("model_ema.diffusion_modelinput_blocks00weight", src.tensor("model.diffusion_model.input_blocks.0.0.weight"));
            w.add("conditioner.embedders.1.model.logit_scale", dev.animagine.core.tensor.DType.F16, new long[] {}, seg -> { });
            w.write();
        }
        try (Checkpoint c = Checkpoint.open(q, WITH_CONFIG)) {
            assertThat(c.ignoredKeys()).contains("model_ema.decay", "conditioner.embedders.1.model.logit_scale",
                    "conditioner.embedders.0.transformer.text_model.embeddings.position_ids");
            assertThat(c.unet().parameterCount()).isEqualTo(SdxlKeys.parameterCount(c.architecture(), Component.UNET));
        }
    }
}
