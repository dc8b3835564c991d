package dev.animagine.core.pipeline;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A1111's generation-parameters text ("infotext"), stored in the PNG {@code parameters} chunk and
 * read by A1111's PNG Info and civitai: the prompt, a {@code Negative prompt:} line when there is
 * one, then {@code Key: value} pairs joined by ", " in A1111's order (Steps, Sampler, Schedule
 * type, CFG scale, Seed, Size, Model hash, Model, ...). Values containing ',', ':' or a newline are
 * JSON-quoted, as A1111 does.
 */
public final class Infotext {
    private final String prompt, negativePrompt;
    private final Map<String, String> params = new LinkedHashMap<>();

    public Infotext(String prompt, String negativePrompt) {
        this.prompt = prompt;
        this.negativePrompt = negativePrompt == null ? "" : negativePrompt;
    }

    /** Adds a parameter (ignored when the value is null), keeping insertion order. */
    public Infotext put(String key, Object value) {
        if (value != null) params.put(key, value instanceof Double || value instanceof Float ? number(((Number) value).doubleValue()) : value.toString());
        return this;
    }

    public Map<String, String> params() {
        return params;
    }

    /** 5.0 -> "5", 4.5 -> "4.5": how A1111 infotexts print CFG scales and the like. */
    static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return Double.toString(v);
    }

    static String quote(String v) {
        if (v.indexOf(',') < 0 && v.indexOf('\n') < 0 && v.indexOf(':') < 0) return v;
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        return sb.append('"').toString();
    }

    public String format() {
        StringBuilder sb = new StringBuilder(prompt);
        if (!negativePrompt.isEmpty()) sb.append("\nNegative prompt: ").append(negativePrompt);
        StringBuilder line = new StringBuilder();
        for (Map.Entry<String, String> e : params.entrySet()) {
            if (!line.isEmpty()) line.append(", ");
            line.append(e.getKey()).append(": ").append(quote(e.getValue()));
        }
        if (!line.isEmpty()) sb.append('\n').append(line);
        return sb.toString();
    }

    @Override
    public String toString() {
        return format();
    }
}
