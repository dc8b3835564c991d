package dev.animagine.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.animagine.core.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** /sdapi/v1/loras metadata for every LoRA fixture: each header entry, JSON values parsed, tag counts as the index sums them. */
class LoraMetadataTest {
    @Test
    void everyFixtureListsItsHeaderMetadataWithJsonValuesParsed() throws IOException {
        JsonNode adapters = Fixtures.json("lora/index.json").path("adapters");
        int files = 0, tagged = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = adapters.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            Path path = Fixtures.path("lora").resolve(e.getKey());
            ObjectNode listed = LoraMetadata.of(path);
            JsonNode header = header(path).path("__metadata__");
            assertThat(listed.size()).as(e.getKey()).isEqualTo(header.size());
            for (Iterator<Map.Entry<String, JsonNode>> h = header.fields(); h.hasNext(); ) {
                Map.Entry<String, JsonNode> kv = h.next();
                String raw = kv.getValue().asText();
                JsonNode v = listed.get(kv.getKey());
                if (raw.startsWith("{")) assertThat(v).as(e.getKey() + " " + kv.getKey()).isEqualTo(Json.MAPPER.readTree(raw));
                else assertThat(v.asText()).as(e.getKey() + " " + kv.getKey()).isEqualTo(raw);
            }
            JsonNode total = e.getValue().path("tag_frequency_total");
            if (total.size() > 0) {
                Map<String, Long> sums = new TreeMap<>();
                for (JsonNode dataset : listed.get("ss_tag_frequency"))
                    dataset.fields().forEachRemaining(t -> sums.merge(t.getKey(), t.getValue().asLong(), Long::sum));
                for (JsonNode pair : total) assertThat(sums.get(pair.get(0).asText())).as(pair.toString()).isEqualTo(pair.get(1).asLong());
                tagged++;
            }
            files++;
        }
        assertThat(files).isPositive();
        assertThat(tagged).as("fixtures with training tags").isPositive();
    }

    @Test
    void anUnreadableFileListsNoMetadata() throws IOException {
        Path bad = Files.createTempFile(Path.of("target"), "bad", ".safetensors");
        Files.writeString(bad, "not safetensors");
        assertThat(LoraMetadata.of(bad).isEmpty()).isTrue();
    }

    /** The safetensors JSON header, read independently of the engine. */
    private static JsonNode header(Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            long n = ByteBuffer.wrap(in.readNBytes(8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
            return Json.MAPPER.readTree(in.readNBytes((int) n));
        }
    }
}
