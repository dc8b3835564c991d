package dev.animagine.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.animagine.core.AnimagineException;
import dev.animagine.core.io.SafetensorsFile;

import java.nio.file.Path;
import java.util.Map;

/**
 * A LoRA file's safetensors metadata as A1111's {@code /sdapi/v1/loras} gives it: every
 * {@code __metadata__} entry, with values that hold JSON objects (ss_tag_frequency,
 * ss_dataset_dirs, ...) parsed, as A1111's {@code read_metadata_from_safetensors} does.
 * A file that cannot be read gives an empty object, as A1111 lists it anyway.
 */
final class LoraMetadata {
    private LoraMetadata() {}

    static ObjectNode of(Path path) {
        ObjectNode o = Json.object();
        Map<String, String> metadata;
        try (SafetensorsFile f = SafetensorsFile.open(path)) {
            metadata = f.metadata();
            for (Map.Entry<String, String> e : metadata.entrySet()) o.set(e.getKey(), value(e.getValue()));
        } catch (AnimagineException e) {
            return Json.object();
        }
        return o;
    }

    private static JsonNode value(String v) {
        if (v.startsWith("{")) {
            try {
                return Json.MAPPER.readTree(v);
            } catch (Exception e) {
                // not JSON after all: kept as the string, as A1111 does
            }
        }
        return Json.MAPPER.getNodeFactory().textNode(v);
    }
}
