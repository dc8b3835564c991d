package dev.animagine.core.io;

import com.fasterxml.jackson.databind.JsonNode;
import dev.animagine.core.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** The generated key lists against full SDXL's known sizes and against every fixture model's files. */
class SdxlKeysTest {

    @Test
    void fullSdxlHasSdxlBaseParameterCounts() {
        SdxlArchitecture a = SdxlArchitecture.SDXL;
        // published parameter counts of SDXL base 1.0's components
        assertThat(SdxlKeys.parameterCount(a, Component.UNET)).isEqualTo(2_567_463_684L);
        assertThat(SdxlKeys.parameterCount(a, Component.VAE)).isEqualTo(83_653_863L);
        assertThat(SdxlKeys.parameterCount(a, Component.TEXT_ENCODER)).isEqualTo(123_060_480L);
        assertThat(SdxlKeys.parameterCount(a, Component.TEXT_ENCODER_2)).isEqualTo(694_659_840L);
    }

    @Test
    void specsNameEveryTensorOfEveryFixtureModelInBothLayouts() {
        for (Path model : Fixtures.models()) {
            try (Checkpoint ckpt = Checkpoint.open(model.resolve("diffusers"), CheckpointOptions.DEFAULT)) {
                SdxlArchitecture arch = ckpt.architecture();
                Map<String, String> expectedSgm = new TreeMap<>();
                for (Component c : Component.values()) {
                    Map<String, String> diffusersFile = shapes(model.resolve("diffusers").resolve(c.folder()));
                    Map<String, String> spec = new TreeMap<>();
                    for (TensorSpec s : SdxlKeys.of(arch, c)) {
                        spec.put(s.name(), Arrays.toString(s.shape()));
                        expectedSgm.put(s.sgmName(), Arrays.toString(s.sgmShape()));
                    }
                    assertThat(spec).as(model + " " + c).isEqualTo(diffusersFile);
                }
                for (Path single : singleFiles(model)) {
                    Map<String, String> file = new TreeMap<>();
                    try (SafetensorsFile f = SafetensorsFile.open(single)) {
                        f.tensors().forEach((k, t) -> {
                            if (!k.endsWith("position_ids")) file.put(k, Arrays.toString(t.shape()));
                        });
                    }
                    assertThat(expectedSgm).as(single.toString()).isEqualTo(file);
                }
            }
        }
    }

    @Test
    void parameterCountsMatchTheFixtureIndex() {
        JsonNode models = Fixtures.json("index.json").get("models");
        assertThat(models.size()).isPositive();
        for (Map.Entry<String, JsonNode> m : models.properties()) {
            Path dir = Fixtures.resolveIndexPath(m.getValue().get("diffusers").asText());
            try (Checkpoint ckpt = Checkpoint.open(dir, CheckpointOptions.DEFAULT)) {
                for (Map.Entry<String, JsonNode> pc : m.getValue().get("param_counts").properties()) {
                    Component c = Arrays.stream(Component.values()).filter(x -> x.folder().equals(pc.getKey())).findFirst().orElseThrow();
                    assertThat(SdxlKeys.parameterCount(ckpt.architecture(), c)).as(m.getKey() + " " + c).isEqualTo(pc.getValue().asLong());
                    assertThat(ckpt.weights(c).parameterCount()).as(m.getKey() + " " + c).isEqualTo(pc.getValue().asLong());
                }
            }
        }
    }

    static Map<String, String> shapes(Path componentDir) {
        Map<String, String> out = new TreeMap<>();
        try (var s = Files.list(componentDir)) {
            for (Path p : s.filter(f -> f.toString().endsWith(".safetensors")).toList()) {
                try (SafetensorsFile f = SafetensorsFile.open(p)) {
                    f.tensors().forEach((k, t) -> out.put(k, Arrays.toString(t.shape())));
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }

    static List<Path> singleFiles(Path model) {
        try (var s = Files.list(model.resolve("single_file"))) {
            return s.filter(f -> f.toString().endsWith(".safetensors")).sorted().toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

}
