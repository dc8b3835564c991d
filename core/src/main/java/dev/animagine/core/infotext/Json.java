package dev.animagine.core.infotext;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.animagine.core.AnimagineException;

/** Jackson, kept inside the package (no Jackson type in the public API). */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {}

    static JsonNode read(String text, String what) {
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new AnimagineException(what + ": not valid JSON (" + e.getOriginalMessage() + ")");
        }
    }

    /** The JSON tree, or null when the text is not a JSON object. */
    static JsonNode objectOrNull(String text) {
        String t = text.strip();
        if (!t.startsWith("{")) return null;
        try {
            JsonNode n = MAPPER.readTree(t);
            return n != null && n.isObject() ? n : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
