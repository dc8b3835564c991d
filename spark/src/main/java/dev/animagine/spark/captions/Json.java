package dev.animagine.spark.captions;

import java.util.Map;

/** The few JSON strings the outputs need, written without a library on the executors' hot path. */
final class Json {
    private Json() {}

    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }

    static String object(Map<String, Long> counts) {
        StringBuilder b = new StringBuilder("{");
        counts.forEach((k, v) -> {
            if (b.length() > 1) b.append(", ");
            b.append(quote(k)).append(": ").append(v);
        });
        return b.append('}').toString();
    }
}
