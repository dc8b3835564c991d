package dev.animagine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.animagine.core.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code info LORA} on the fixture adapters and {@code dev random-lora}. */
class LoraCommandsTest {
    @TempDir
    Path dir;

    static String model() {
        return Fixtures.resolveIndexPath(Fixtures.json("lora/index.json").get("model").get("path").asText()).toString();
    }

    @Test
    void infoJsonMatchesTheIndexFacts() throws Exception {
        JsonNode adapters = Fixtures.json("lora/index.json").get("adapters");
        int n = 0;
        for (Map.Entry<String, JsonNode> a : adapters.properties()) {
            CliRun r = CliRun.of("info", Fixtures.path("lora/" + a.getKey()).toString(), "--json", "--like", model());
            assertThat(r.exit()).as(r.err()).isZero();
            JsonNode j = new ObjectMapper().readTree(r.out());
            JsonNode e = a.getValue();
            assertThat(j.get("format")).isEqualTo(e.get("format"));
            assertThat(j.get("a1111_shorthash")).isEqualTo(e.get("a1111_shorthash"));
            assertThat(j.get("base_model")).isEqualTo(e.get("base_model"));
            assertThat(j.get("tag_frequency_total")).isEqualTo(e.get("tag_frequency_total"));
            if (e.get("expect").asText().equals("apply")) {
                assertThat(j.get("module_counts")).isEqualTo(e.get("module_counts"));
                assertThat(j.get("network_types")).isEqualTo(e.get("network_types"));
            } else {
                assertThat(j.get("for_another_base").asText()).contains("SD 1.x");
            }
            n++;
        }
        assertThat(n).isPositive();
        CliRun text = CliRun.of("info", Fixtures.path("lora/kohya_lora_sgm.safetensors").toString(), "--like", model());
        assertThat(text.out()).contains("format:", "kohya", "rank:", "8", "alpha:", "4", "training tags:", "1girl (40)", "A1111 hash:", "92903640ec1c");
    }

    @Test
    void randomLoraTargetsEveryAttentionAndFeedForwardLayer() throws Exception {
        Path out = dir.resolve("r.safetensors");
        CliRun r = CliRun.of("dev", "random-lora", "--like", model(), "--rank", "4", "--out", out.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(CliRun.of("info", out.toString(), "--json", "--like", model()).out());
        assertThat(j.get("network_types").get("lora").asInt()).isPositive().isEqualTo(j.at("/module_counts/unet").asInt());
        assertThat(j.get("ranks").get(0).asInt()).isEqualTo(4);
        assertThat(j.get("unknown_modules")).isEmpty();
        // q, k, v, out of attn1 and attn2 + two feed-forward layers per transformer block
        assertThat(j.at("/module_counts/unet").asInt() % 10).isZero();
        CliRun again = CliRun.of("dev", "random-lora", "--like", model(), "--rank", "4", "--out", out.toString());
        assertThat(again.exit()).isNotZero();
    }
}
