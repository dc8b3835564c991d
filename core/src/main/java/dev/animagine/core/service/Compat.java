package dev.animagine.core.service;

/** Whose behaviour a request reproduces. */
public enum Compat {
    /** AUTOMATIC1111's web UI: emphasis syntax, 75-token chunks, a missing negative encoded as "". */
    A1111,
    /** diffusers' pipelines: prompts as given, 77-token truncation, a missing negative all zeros. */
    DIFFUSERS;

    /** {@code a1111} or {@code diffusers}, case-insensitively. */
    public static Compat parse(String text) {
        String t = text == null ? "" : text.strip().toLowerCase(java.util.Locale.ROOT);
        return switch (t) {
            case "a1111" -> A1111;
            case "diffusers" -> DIFFUSERS;
            default -> throw new dev.animagine.core.InvalidRequestException("compat", "must be a1111 or diffusers (got '" + text + "')");
        };
    }
}
