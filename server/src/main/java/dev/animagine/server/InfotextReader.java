package dev.animagine.server;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A1111's infotext read back into fields for png-info: "Prompt", "Negative prompt" and the
 * "key: value" pairs of the last line (quoted values may hold commas). Only reading; nothing here
 * applies the values to a request.
 */
final class InfotextReader {
    private InfotextReader() {}

    static Map<String, String> parse(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        if (text == null || text.isBlank()) return out;
        String[] lines = text.strip().split("\n", -1);
        String last = lines[lines.length - 1];
        boolean hasParams = last.contains("Steps: ") || last.matches("^[A-Za-z][A-Za-z0-9 _/-]*: .*");
        int promptLines = hasParams ? lines.length - 1 : lines.length;
        StringBuilder prompt = new StringBuilder(), negative = new StringBuilder();
        boolean inNegative = false;
        for (int i = 0; i < promptLines; i++) {
            String line = lines[i];
            if (line.startsWith("Negative prompt:")) {
                inNegative = true;
                line = line.substring("Negative prompt:".length()).strip();
            }
            StringBuilder target = inNegative ? negative : prompt;
            if (!target.isEmpty()) target.append('\n');
            target.append(line);
        }
        out.put("Prompt", prompt.toString());
        out.put("Negative prompt", negative.toString());
        if (hasParams) pairs(last, out);
        return out;
    }

    private static void pairs(String line, Map<String, String> out) {
        int i = 0, n = line.length();
        while (i < n) {
            int colon = line.indexOf(": ", i);
            if (colon < 0) break;
            String key = line.substring(i, colon).strip();
            int v = colon + 2;
            String value;
            if (v < n && line.charAt(v) == '"') {
                int end = v + 1;
                while (end < n && line.charAt(end) != '"') end += line.charAt(end) == '\\' ? 2 : 1;
                value = line.substring(v, Math.min(end + 1, n));
                i = Math.min(end + 1, n);
            } else {
                int comma = line.indexOf(", ", v);
                value = line.substring(v, comma < 0 ? n : comma);
                i = comma < 0 ? n : comma;
            }
            out.put(key, value.strip());
            while (i < n && (line.charAt(i) == ',' || line.charAt(i) == ' ')) i++;
        }
    }
}
