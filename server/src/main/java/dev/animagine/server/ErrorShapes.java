package dev.animagine.server;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Each API's error body. A1111 (and the native API): {@code {"error", "detail", "body", "errors"}}
 * as A1111's api_middleware writes them (plus {@code field}); OpenAI: {@code {"error": {"message",
 * "type", "param", "code"}}}.
 */
final class ErrorShapes {
    private ErrorShapes() {}

    static ObjectNode forPath(String path, int status, String error, String detail, String field) {
        return path.startsWith("/v1/") ? openAi(status, detail, field) : a1111(status, error, detail, field);
    }

    static ObjectNode a1111(int status, String error, String detail, String field) {
        ObjectNode o = Json.object();
        o.put("error", error);
        o.put("detail", detail);
        o.put("body", "");
        o.put("errors", status + ": " + detail);
        if (field != null) o.put("field", field);
        return o;
    }

    static ObjectNode openAi(int status, String detail, String field) {
        ObjectNode o = Json.object();
        ObjectNode e = o.putObject("error");
        e.put("message", detail);
        e.put("type", status >= 500 ? "server_error" : "invalid_request_error");
        if (field != null) e.put("param", field);
        else e.putNull("param");
        String code = switch (status) {
            case 401 -> "invalid_api_key";
            case 404 -> "not_found";
            case 413 -> "request_too_large";
            case 503 -> "server_busy";
            default -> null;
        };
        if (code != null) e.put("code", code);
        else e.putNull("code");
        return o;
    }
}
