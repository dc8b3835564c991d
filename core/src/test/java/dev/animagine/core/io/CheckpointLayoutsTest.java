package dev.animagine.core.io;

import com.fasterxml.jackson.databind.JsonNode;
import dev.animagine.core.AnimagineException;
import dev.animagine.core.tensor.StoredTensor;
import dev.animagine.core.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every fixture model (held-out ones too): the single files and the diffusers folder load to the
 * same tensors under the same names; detection reports the architecture the fixture index records.
 */
class CheckpointLayoutsTest {

    @Test
    void fp16SingleFileAndDiffusersFolderYieldIdenticalTensors() {
        int compared = 0;
        for (Path model : Fixtures.models()) {
            Path diffusers = model.resolve("diffusers");
            try (Checkpoint folder = Checkpoint.open(diffusers, CheckpointOptions.DEFAULT)) {
                assertThat(folder.layout()).isEqualTo("diffusers");
                for (Path single : SdxlKeysTest.singleFiles(model)) {
                    boolean sameValues = single.getFileName().toString().contains("fp16");
                    try (Checkpoint file = Checkpoint.open(single, CheckpointOptions.DEFAULT.withConfigDirectory(diffusers))) {
                        assertThat(file.layout()).isEqualTo("single-file");
                        assertThat(file.architecture()).isEqualTo(folder.architecture());
                        for (Component c : Component.values()) {
                            Map<String, StoredTensor> a = file.weights(c).asMap(), b = folder.weights(c).asMap();
                            assertThat(a.keySet()).as(single + " " + c).containsExactlyInAnyOrderElementsOf(b.keySet());
                            for (String name : b.keySet()) {
                                StoredTensor x = a.get(name), y = b.get(name);
                                assertThat(x.shape()).as(name).isEqualTo(y.shape());
                                if (!sameValues) continue;
                                assertThat(x.dtype()).as(name).isEqualTo(y.dtype());
                                // bit-for-bit: the loader only renames, slices and transposes
                                assertThat(x.data().mismatch(y.data())).as("%s %s differs at byte", single.getFileName(), name).isEqualTo(-1L);
                                compared++;
                            }
                        }
                    }
                }
            }
        }
        assertThat(compared).isPositive();
    }

    @Test
    void detectionReportsTheFixtureArchitecture() {
        JsonNode models = Fixtures.json("index.json").get("models");
        for (Map.Entry<String, JsonNode> m : models.properties()) {
            JsonNode cfg = m.getValue().get("config");
            Path dir = Fixtures.resolveIndexPath(m.getValue().get("diffusers").asText());
            try (Checkpoint ckpt = Checkpoint.open(dir, CheckpointOptions.DEFAULT)) {
                SdxlArchitecture a = ckpt.architecture();
                assertThat(a.unet().blockOutChannels()).isEqualTo(ints(cfg.at("/unet/block_out_channels")));
                assertThat(a.unet().attentionHeads()).isEqualTo(ints(cfg.at("/unet/attention_head_dim")));
                assertThat(a.unet().transformerLayersPerBlock()).isEqualTo(ints(cfg.at("/unet/transformer_layers_per_block")));
                assertThat(a.unet().addTimeEmbedDim()).isEqualTo(cfg.at("/unet/addition_time_embed_dim").asInt());
                assertThat(a.unet().crossAttentionDim()).isEqualTo(cfg.at("/clip_l/width").asInt() + cfg.at("/clip_g/width").asInt());
                assertThat(a.vae().blockOutChannels()).isEqualTo(ints(cfg.at("/vae/block_out_channels")));
                assertThat(a.textEncoder().hiddenSize()).isEqualTo(cfg.at("/clip_l/width").asInt());
                assertThat(a.textEncoder().numAttentionHeads()).isEqualTo(cfg.at("/clip_l/heads").asInt());
                assertThat(a.textEncoder().numHiddenLayers()).isEqualTo(cfg.at("/clip_l/layers").asInt());
                assertThat(a.textEncoder().hiddenAct()).isEqualTo("quick_gelu");
                assertThat(a.textEncoder().projectionDim()).isZero();
                assertThat(a.textEncoder2().hiddenSize()).isEqualTo(cfg.at("/clip_g/width").asInt());
                assertThat(a.textEncoder2().numAttentionHeads()).isEqualTo(cfg.at("/clip_g/heads").asInt());
                assertThat(a.textEncoder2().numHiddenLayers()).isEqualTo(cfg.at("/clip_g/layers").asInt());
                assertThat(a.textEncoder2().projectionDim()).isEqualTo(cfg.at("/clip_g/proj").asInt());
                assertThat(a.textEncoder2().hiddenAct()).isEqualTo("gelu");
                assertThat(a.unet().pooledTextDim()).isEqualTo(cfg.at("/clip_g/proj").asInt());
                assertThat(ckpt.schedulerConfig()).isPresent();
                assertThat(ckpt.schedulerConfig().get().className()).isNotEmpty();
                assertThat(ckpt.tokenizerDirectory(1)).isPresent();
                assertThat(ckpt.tokenizerDirectory(2)).isPresent();
                assertThat(ckpt.forceZerosForEmptyPrompt()).isTrue();
                assertThat(ckpt.ignoredKeys()).isEmpty();
            }
        }
    }

    @Test
    void singleFileWithPositionIdsIgnoresThemAndDetectsWithConfig() {
        for (Path model : Fixtures.models())
            for (Path single : SdxlKeysTest.singleFiles(model))
                try (Checkpoint ckpt = Checkpoint.open(single, CheckpointOptions.DEFAULT.withConfigDirectory(model.resolve("diffusers")))) {
                    assertThat(ckpt.ignoredKeys()).allMatch(k -> k.endsWith("position_ids"));
                    assertThat(ckpt.schedulerConfig()).isEmpty();
                    assertThat(ckpt.tokenizerDirectory(1)).isEmpty();
                    assertThat(ckpt.forceZerosForEmptyPrompt()).isTrue();
                    assertThat(ckpt.fileSize()).isEqualTo(single.toFile().length());
                }
    }

    @Test
    void miniatureSingleFileWithoutConfigAsksForConfig() {
        for (Path model : Fixtures.models())
            for (Path single : SdxlKeysTest.singleFiles(model)) {
                boolean sdxlWidths;
                try (Checkpoint ckpt = Checkpoint.open(model.resolve("diffusers"), CheckpointOptions.DEFAULT)) {
                    SdxlArchitecture a = ckpt.architecture();
                    sdxlWidths = a.textEncoder().hiddenSize() % 64 == 0 && a.textEncoder2().hiddenSize() % 64 == 0
                            && a.unet().blockOutChannels().stream().allMatch(c -> c % 64 == 0);
                }
                if (sdxlWidths) continue; // such a model would load without a config
                // it opens and can be described; what the weights cannot tell is recorded, and running asks for --config
                try (Checkpoint ckpt = Checkpoint.open(single, CheckpointOptions.DEFAULT)) {
                    assertThat(ckpt.architecture().unknown()).isNotEmpty().allMatch(u -> u.contains("attention heads"));
                    assertThatThrownBy(() -> ckpt.architecture().requireRunnable())
                            .isInstanceOf(AnimagineException.class)
                            .hasMessageContaining(single.toString())
                            .hasMessageContaining("--config DIR")
                            .hasMessageNotContaining("\n");
                    assertThatThrownBy(() -> new dev.animagine.core.pipeline.StableDiffusionXLPipeline(ckpt, null))
                            .isInstanceOf(AnimagineException.class).hasMessageContaining("--config DIR");
                }
            }
    }

    @Test
    void hashIsTheFirstTenHexDigitsOfTheFileSha256() throws Exception {
        for (Path model : Fixtures.models())
            for (Path single : SdxlKeysTest.singleFiles(model))
                try (Checkpoint ckpt = Checkpoint.open(single, CheckpointOptions.DEFAULT.withConfigDirectory(model.resolve("diffusers")))) {
                    String expected = sha256Reference(single);
                    assertThat(ckpt.shortHash()).isEqualTo(expected.substring(0, 10));
                }
    }

    /** The fixture root index.json lists every file's sha256, computed by the fixture generator. */
    private static String sha256Reference(Path file) {
        String rel = Fixtures.root().relativize(file).toString();
        for (JsonNode f : Fixtures.json("index.json").get("files"))
            if (f.get("path").asText().equals(rel)) return f.get("sha256").asText();
        throw new AssertionError("no sha256 for " + rel + " in the fixture index");
    }

    private static List<Integer> ints(JsonNode arr) {
        List<Integer> out = new java.util.ArrayList<>();
        arr.forEach(n -> out.add(n.asInt()));
        return out;
    }
}
