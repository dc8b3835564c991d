package dev.animagine.core;

/**
 * A request field with a value that cannot be run: the message reads "{@code field reason}", e.g.
 * {@code steps must be at least 1 (got 0)}. Front ends rename the field to their own spelling (the
 * command line to its flag, the HTTP API to its JSON key) with {@link #renamed}.
 */
public class InvalidRequestException extends InvalidArgumentException {
    private final String field;
    private final String reason;

    public InvalidRequestException(String field, String reason) {
        super(field + " " + reason);
        this.field = field;
        this.reason = reason;
    }

    /** The request field at fault, e.g. {@code steps}. */
    public String field() {
        return field;
    }

    /** The message without the field name, e.g. {@code must be at least 1 (got 0)}. */
    public String reason() {
        return reason;
    }

    /** The same error under another name for the field (a flag, a JSON key). */
    public InvalidRequestException renamed(String name) {
        return new InvalidRequestException(name, reason);
    }
}
