package dev.animagine.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.animagine.core.AnimagineException;
import dev.animagine.core.io.SafetensorsFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A LoRA file's safetensors metadata as A1111's {@code /sdapi/v1/loras} gives it: every
 * {@code __metadata__} entry, with values that hold JSON objects (ss_tag_frequency,
 * ss_dataset_dirs, ...) parsed, as A1111's {@code read_metadata_from_safetensors} does.
 * A file that cannot be read gives an empty object, as A1111 lists it anyway.
 */
final class LoraMetadata {
    /** Read once per file version (size and modification time), as A1111 caches it: the list is asked for often. */
    private record Version(Path path, long size, long modified) {}

    private static final Map<Version, ObjectNode> CACHE = new ConcurrentHashMap<>();

    private LoraMetadata() {}

    /** The listing's metadata object (shared: callers must not modify it). */
    static ObjectNode of(Path path) {
        Version v;
        try {
            v = new Version(path.toAbsolutePath(), Files.size(path), Files.getLastModifiedTime(path).toMillis());
        } catch (IOException e) {
            return Json.object();
        }
        if (CACHE.size() > 10_000) CACHE.clear();
        return CACHE.computeIfAbsent(v, k -> read(path));
    }

    private static ObjectNode read(Path path) {
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
