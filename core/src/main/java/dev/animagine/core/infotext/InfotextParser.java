package dev.animagine.core.infotext;

import dev.animagine.core.infotext.GenerationParameters.Source;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses A1111's generation-parameters text ("infotext") the way A1111's PNG Info / paste button does
 * (modules/infotext_utils.py {@code parse_generation_parameters}): the last line holds the
 * {@code Key: value} pairs when at least three pairs are found on it; the lines before are the prompt,
 * up to a line starting {@code Negative prompt:}, after which they are the negative prompt (each line
 * stripped, joined with newlines). Pairs follow A1111's {@code re_param}: a key of a word character then
 * word characters, spaces, '-' or '/'; a value either in double quotes (JSON-unquoted; may hold commas,
 * colons and escaped quotes) or up to the next comma.
 *
 * <p>One extension over A1111: an unquoted value starting with '{' or '[' that is a balanced JSON
 * object or array up to the next comma (civitai's {@code Hashes: {...}}, {@code Civitai resources: [...]})
 * is kept whole, where A1111 would cut it at its first comma.
 */
public final class InfotextParser {
    private static final Pattern PARAM = Pattern.compile(
            "\\s*(\\w[\\w \\-/]+):\\s*(\"(?:\\\\.|[^\\\\\"])+\"|[^,]*)(?:,|$)",
            Pattern.UNICODE_CHARACTER_CLASS | Pattern.UNIX_LINES);
    private static final String NEGATIVE = "Negative prompt:";

    private InfotextParser() {}

    /** One {@code Key: value} pair as written: {@code raw} is the value text before unquoting. */
    public record Pair(String key, String value, String raw) {}

    /** Parses an infotext; never fails (text without parameters is all prompt). */
    public static GenerationParameters parse(String text) {
        String[] lines = text.strip().split("\n", -1);
        String last = lines[lines.length - 1];
        List<Pair> pairs = pairs(last);
        int promptLines = lines.length - 1;
        if (pairs.size() < 3) {
            pairs = List.of();
            promptLines = lines.length;
        }
        StringBuilder prompt = new StringBuilder(), negative = new StringBuilder();
        boolean inNegative = false;
        for (int i = 0; i < promptLines; i++) {
            String line = lines[i].strip();
            if (line.startsWith(NEGATIVE)) {
                inNegative = true;
                line = line.substring(NEGATIVE.length()).strip();
            }
            StringBuilder target = inNegative ? negative : prompt;
            if (!target.isEmpty()) target.append('\n');
            target.append(line);
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (Pair p : pairs) params.put(p.key(), p.value());
        return ParameterReader.read(Source.A1111, prompt.toString(), negative.toString(), params, Set.of());
    }

    /** The pairs of a parameters line, in order, values unquoted as A1111 does. */
    public static List<Pair> pairs(String line) {
        List<Pair> out = new ArrayList<>();
        Matcher m = PARAM.matcher(line);
        int from = 0;
        while (from < line.length() && m.find(from)) {
            String key = m.group(1), raw = m.group(2);
            int next = m.end();
            if (!raw.startsWith("\"") && (raw.startsWith("{") || raw.startsWith("["))) {
                int end = jsonEnd(line, m.start(2));
                if (end > 0 && (end == line.length() || line.charAt(end) == ',')) {
                    raw = line.substring(m.start(2), end);
                    next = Math.min(line.length(), end + 1);
                }
            }
            out.add(new Pair(key, unquote(raw), raw));
            from = next;
        }
        return out;
    }

    /** The index just past the JSON object/array starting at {@code start}, or -1 if it does not close. */
    static int jsonEnd(String s, int start) {
        int depth = 0;
        boolean inString = false;
        for (int i = start; i < s.length(); i++) {
            char c = s.charAt(i);
            if (inString) {
                if (c == '\\') i++;
                else if (c == '"') inString = false;
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                depth--;
                if (depth == 0) return i + 1;
            }
        }
        return -1;
    }

    /** A1111's unquote: a value in double quotes is a JSON string; one that is not valid JSON stays as written. */
    public static String unquote(String v) {
        if (v.length() < 2 || v.charAt(0) != '"' || v.charAt(v.length() - 1) != '"') return v;
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i < v.length() - 1; i++) {
            char c = v.charAt(i);
            if (c == '"' || c < 0x20) return v; // json.loads (strict) rejects both
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (++i >= v.length() - 1) return v;
            char e = v.charAt(i);
            switch (e) {
                case '"', '\\', '/' -> sb.append(e);
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    if (i + 4 >= v.length() - 1) return v;
                    try {
                        sb.append((char) Integer.parseInt(v.substring(i + 1, i + 5), 16));
                    } catch (NumberFormatException ex) {
                        return v;
                    }
                    i += 4;
                }
                default -> {
                    return v;
                }
            }
        }
        return sb.toString();
    }
}
