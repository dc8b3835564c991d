package dev.animagine.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The server's one Jackson 2 mapper (the project's {@code com.fasterxml} Jackson, also handed to
 * Javalin), with limits so that a hostile body cannot nest or grow without bound.
 */
public final class Json {
    /** Deepest nesting accepted in a request (A1111 requests are 3 levels deep at most). */
    public static final int MAX_DEPTH = 64;

    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(MAX_DEPTH)
                .maxNumberLength(100)
                .maxStringLength(Integer.MAX_VALUE)
                .build());
    }

    private Json() {}

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** A request body as a JSON object; anything else is a 400 naming the problem. */
    public static ObjectNode parseObject(byte[] body) {
        if (body.length == 0) throw ApiException.badRequest(null, "the request body is empty (expected a JSON object)");
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest(null, "the request body is not valid JSON (" + e.getOriginalMessage() + ")");
        } catch (java.io.IOException e) {
            throw ApiException.badRequest(null, "the request body cannot be read (" + e.getMessage() + ")");
        }
        if (node == null || !node.isObject()) throw ApiException.badRequest(null, "the request body must be a JSON object");
        return (ObjectNode) node;
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
