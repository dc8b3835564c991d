package dev.animagine.core.lora;

import com.fasterxml.jackson.databind.JsonNode;
import dev.animagine.core.io.Checkpoint;
import dev.animagine.core.io.Component;
import dev.animagine.core.testing.Fixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The {@code info} facts of every adapter file of lora/index.json (format, types, counts, ranks, alphas, hashes, tags). */
class LoraInfoFixtureTest {
    @TestFactory
    List<DynamicTest> infoMatchesIndex() {
        JsonNode index = LoraFixtureTest.index();
        List<DynamicTest> tests = new ArrayList<>();
        for (Map.Entry<String, JsonNode> a : index.get("adapters").properties()) {
            tests.add(DynamicTest.dynamicTest(a.getKey(), () -> {
                Checkpoint ckpt = LoraFixtureTest.model();
                JsonNode e = a.getValue();
                try (LoraFile f = LoraFile.inspect(Fixtures.path("lora/" + a.getKey()), new ModuleIndex(ckpt.architecture()))) {
                    LoraInfo info = LoraInfo.of(f);
                    assertThat(info.format()).isEqualTo(e.get("format").asText());
                    assertThat(info.bytes()).isEqualTo(e.get("bytes").asLong());
                    assertThat(info.hashes().sha256()).isEqualTo(e.get("sha256").asText());
                    assertThat(info.hashes().addnet()).isEqualTo(e.get("a1111_hash").asText());
                    assertThat(info.hashes().shortHash()).isEqualTo(e.get("a1111_shorthash").asText());
                    assertThat(info.baseModelVersion()).isEqualTo(text(e.get("base_model").get("ss_base_model_version")));
                    assertThat(info.modelspecArchitecture()).isEqualTo(text(e.get("base_model").get("modelspec.architecture")));
                    assertThat(info.outputName()).isEqualTo(text(e.get("ss_output_name")));
                    List<Map.Entry<String, Long>> tags = new ArrayList<>();
                    for (JsonNode t : e.get("tag_frequency_total")) tags.add(Map.entry(t.get(0).asText(), t.get(1).asLong()));
                    assertThat(info.tags()).isEqualTo(tags);
                    if (e.get("expect").asText().equals("reject")) {
                        assertThat(info.foreignBase()).isNotNull();
                        assertThat(info.moduleCounts()).isNull();
                        return;
                    }
                    assertThat(info.foreignBase()).isNull();
                    assertThat(info.unetNaming()).isEqualTo(text(e.get("unet_naming")));
                    Map<String, Integer> types = new java.util.TreeMap<>();
                    e.get("network_types").properties().forEach(t -> types.put(t.getKey(), t.getValue().asInt()));
                    assertThat(info.networkTypes()).isEqualTo(types);
                    JsonNode counts = e.get("module_counts");
                    assertThat(info.moduleCounts().get(Component.UNET)).isEqualTo(counts.get("unet").asInt());
                    assertThat(info.moduleCounts().get(Component.TEXT_ENCODER)).isEqualTo(counts.get("te1").asInt());
                    assertThat(info.moduleCounts().get(Component.TEXT_ENCODER_2)).isEqualTo(counts.get("te2").asInt());
                    List<Integer> ranks = new ArrayList<>();
                    for (JsonNode r : e.get("ranks")) ranks.add(r.isNull() ? null : r.asInt());
                    assertThat(info.ranks()).isEqualTo(ranks);
                    List<Float> alphas = new ArrayList<>();
                    for (JsonNode r : e.get("alphas")) alphas.add(r.isNull() ? null : (float) r.asDouble());
                    assertThat(info.alphas()).isEqualTo(alphas);
                    List<String> unknown = new ArrayList<>();
                    e.get("unknown_modules").forEach(u -> unknown.add(u.asText()));
                    assertThat(info.unknownModules()).containsExactlyInAnyOrderElementsOf(unknown);
                    assertThat(info.unknownKeys()).isEqualTo(e.get("unknown_keys").size());
                }
            }));
        }
        assertThat(tests).hasSizeGreaterThan(0);
        return tests;
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() ? null : n.asText();
    }
}
