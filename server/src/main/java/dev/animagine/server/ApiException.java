package dev.animagine.server;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An HTTP error answer: status, A1111's error type name and a one-line detail naming the field at
 * fault. Every API writes it in its own shape ({@link ErrorShapes}).
 */
public class ApiException extends RuntimeException {
    private final int status;
    private final String error;
    private final String field;
    private final Map<String, String> headers = new LinkedHashMap<>();

    public ApiException(int status, String error, String field, String detail) {
        super(detail, null, false, false);
        this.status = status;
        this.error = error;
        this.field = field;
    }

    /** 400: a malformed body or value. */
    public static ApiException badRequest(String field, String detail) {
        return new ApiException(400, "HTTPException", field, field == null ? detail : field + ": " + detail);
    }

    /** 422: a well-formed value the engine cannot run (yet). */
    public static ApiException unprocessable(String field, String detail) {
        return new ApiException(422, "HTTPException", field, field == null ? detail : field + ": " + detail);
    }

    public static ApiException notFound(String detail) {
        return new ApiException(404, "HTTPException", null, detail);
    }

    public static ApiException tooLarge(String field, String detail) {
        return new ApiException(413, "HTTPException", field, field == null ? detail : field + ": " + detail);
    }

    public static ApiException busy(String detail, int retryAfterSeconds) {
        return new ApiException(503, "HTTPException", null, detail).header("Retry-After", Integer.toString(retryAfterSeconds));
    }

    public ApiException header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public int status() {
        return status;
    }

    public String error() {
        return error;
    }

    /** The request field at fault, or null. */
    public String field() {
        return field;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
