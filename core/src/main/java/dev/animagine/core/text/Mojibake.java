package dev.animagine.core.text;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ftfy 6.3.1's {@code fix_encoding}: text that looks like UTF-8 bytes decoded with a single-byte
 * encoding ("cafÃ©") is re-encoded with that encoding and decoded as UTF-8 ("café"). Whether text
 * "looks bad" is ftfy's heuristic: a list of character juxtapositions that are rare in real text but
 * typical of mojibake, over ftfy's character categories. The tables (categories, UTF-8 clue classes,
 * the single-byte decoding tables) are ftfy's data, shipped as the resource {@code ftfy-tables.tsv}.
 */
final class Mojibake {
    private Mojibake() {}

    private static final Map<String, String> CLASSES = new HashMap<>(); // category or clue → escaped class body
    private static final Map<String, char[]> CHARMAPS = new LinkedHashMap<>(); // in the order ftfy tries them

    static {
        try (InputStream in = Mojibake.class.getResourceAsStream("ftfy-tables.tsv")) {
            if (in == null) throw new IllegalStateException("resource ftfy-tables.tsv is missing from the build");
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isEmpty() || line.startsWith("#")) continue;
                String[] f = line.split("\t");
                String[] hex = f[2].split(" ");
                if (f[0].equals("charmap")) {
                    char[] table = new char[256];
                    for (int b = 0; b < 256; b++) table[b] = (char) Integer.parseInt(hex[b], 16);
                    CHARMAPS.put(f[1], table);
                } else {
                    StringBuilder body = new StringBuilder();
                    for (String h : hex) body.append("\\x{").append(h).append('}');
                    CLASSES.put(f[1], body.toString());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- regex building: "cat" members, literal characters, Python's \s and \w ----

    private static String cat(String name) {
        String body = CLASSES.get(name);
        if (body == null) throw new IllegalStateException("ftfy-tables.tsv has no class " + name);
        return body;
    }

    private static String chars(String literal) {
        StringBuilder b = new StringBuilder();
        literal.codePoints().forEach(cp -> b.append("\\x{").append(Integer.toHexString(cp)).append('}'));
        return b.toString();
    }

    /** A character class of categories (plain names) and escaped fragments. */
    private static String set(String... parts) {
        StringBuilder b = new StringBuilder("[");
        for (String p : parts) b.append(CLASSES.containsKey(p) ? cat(p) : p);
        return b.append(']').toString();
    }

    private static final String PY_SPACE = "[\\t\\n\\x0B\\f\\r\\x1C-\\x20\\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}]";
    private static final String PY_WORD = "[\\p{L}\\p{N}_]";

    /** ftfy's badness rules: each alternative is a juxtaposition that signals mojibake. */
    private static final Pattern BADNESS;

    static {
        String la = "lower_accented", ua = "upper_accented", sp = "start_punctuation", ep = "end_punctuation";
        String arabic = set(chars("ØÙ")) + set("common", "currency", "bad", "numeric", sp, chars("ŸŠ®°µ»"));
        List<String> rules = List.of(
                set("c1"),
                set("bad", la, ua, "box", sp, ep, "currency", "numeric", "law") + set("bad"),
                "[a-zA-Z]" + set("lower_common", "upper_common") + set("bad"),
                set("bad") + set(la, ua, "box", sp, ep, "currency", "numeric", "law"),
                set(la, "lower_common", "box", ep, "currency", "numeric") + set(ua),
                set("box", ep, "currency", "numeric") + set(la),
                set(la, "box", ep) + set("currency"),
                PY_SPACE + set(ua) + set("currency"),
                set(ua, "box") + set("numeric", "law"),
                set(la, ua, "box", "currency", ep) + set(sp) + set("numeric"),
                set(la, ua, "currency", "numeric", "box", "law") + set(ep) + set(sp),
                set("currency", "numeric", "box") + set(sp),
                "[a-z]" + set(ua) + set(sp, "currency"),
                set("box") + set("kaomoji"),
                set(la, ua, "currency", "numeric", sp, ep, "law") + set("box"),
                set("box") + set(ep),
                set(la, ua) + set(sp, ep) + PY_WORD,
                set(chars("Œœ")) + "[^A-Za-z]",
                set(ua) + chars("°"),
                set(chars("ÂÃÎÐ")) + set(chars("€œŠš¢£Ÿž\u00A0\u00AD®©°·»"), sp, ep, chars("–—´")),
                chars("×") + set(chars("²³")),
                arabic + arabic,
                chars("à") + set(chars("²µ¹¼½¾")),
                chars("√") + set(chars("±∂†≠®™´≤≥¥µø")),
                chars("≈") + set(chars("°¢")),
                chars("‚Ä") + set(chars("ìîïòôúùû†°¢π")),
                chars("‚") + set(chars("âó")) + set(chars("àä°ê")),
                chars("вЂ"),
                set(chars("ВГРС")) + set("c1", "bad", sp, ep, "currency", chars("°µ")) + set(chars("ВГРС")),
                chars("ГўВЂВ") + "." + "[A-Za-z ]",
                chars("Ã") + set(chars("\u00A0¡")),
                "[a-z]" + PY_SPACE + "?" + set(chars("ÃÂ")) + "[ ]",
                "^" + set(chars("ÃÂ")) + "[ ]",
                set("a-z.,?!", ep) + chars("Â") + set(" ", sp, ep),
                chars("β€") + set(chars("™\u00A0Ά\u00AD®°")),
                set(chars("ΒΓΞΟ")) + set("c1", "bad", sp, ep, "currency", chars("°")) + set(chars("ΒΓΞΟ")),
                chars("ā€"));
        // UNIX_LINES: '.' excludes only '\n', like Python's
        BADNESS = Pattern.compile(String.join("|", rules), Pattern.UNIX_LINES);
    }

    /** Runs of what look like UTF-8 sequences read as single bytes, not right after another such byte. */
    private static final Pattern UTF8_DETECTOR = Pattern.compile(
            "(?<!" + set("utf8_continuation_strict") + ")(?:"
                    + set("utf8_first_of_2") + set("utf8_continuation") + "|"
                    + set("utf8_first_of_3") + set("utf8_continuation") + "{2}|"
                    + set("utf8_first_of_4") + set("utf8_continuation") + "{3})+");

    // byte patterns run on bytes held one per char (Latin-1)
    private static final String CONT_NOT_85_A0 = "[\\x80-\\x84\\x86-\\x9f\\xa1-\\xbf]";
    /** UTF-8 sequences that would be valid had a 0xA0 byte not become a space. */
    private static final Pattern ALTERED_UTF8 = Pattern.compile(
            "[\\xc2\\xc3\\xc5\\xce\\xd0\\xd9][ ]"
                    + "|[\\xe2\\xe3][ ]" + CONT_NOT_85_A0
                    + "|[\\xe0-\\xe3]" + CONT_NOT_85_A0 + "[ ]"
                    + "|[\\xf0][ ][\\x80-\\xbf][\\x80-\\xbf]"
                    + "|[\\xf0][\\x80-\\xbf][ ][\\x80-\\xbf]"
                    + "|[\\xf0][\\x80-\\xbf][\\x80-\\xbf][ ]");
    /** "Ã " as a word: an à whose 0xA0 became a space (but not Portuguese "às", "àquele"...). */
    private static final Pattern A_GRAVE_WORD = Pattern.compile("\\xc3 (?! |quele|quela|quilo|s )");
    /** UTF-8 sequences with bytes lost to U+FFFD (encoded as 0x1A by the sloppy codecs) or '?'. */
    private static final Pattern LOSSY_UTF8 = Pattern.compile(
            "[\\xc2-\\xdf][\\x1a]"
                    + "|[\\xc2-\\xc3][?]"
                    + "|\\xed[\\xa0-\\xaf][\\x1a?]\\xed[\\xb0-\\xbf][\\x1a?\\x80-\\xbf]"
                    + "|\\xed[\\xa0-\\xaf][\\x1a?\\x80-\\xbf]\\xed[\\xb0-\\xbf][\\x1a?]"
                    + "|[\\xe0-\\xef][\\x1a?][\\x1a\\x80-\\xbf]"
                    + "|[\\xe0-\\xef][\\x1a\\x80-\\xbf][\\x1a?]"
                    + "|[\\xf0-\\xf4][\\x1a?][\\x1a\\x80-\\xbf][\\x1a\\x80-\\xbf]"
                    + "|[\\xf0-\\xf4][\\x1a\\x80-\\xbf][\\x1a?][\\x1a\\x80-\\xbf]"
                    + "|[\\xf0-\\xf4][\\x1a\\x80-\\xbf][\\x1a\\x80-\\xbf][\\x1a?]"
                    + "|\\x1a");
    private static final String REPLACEMENT_UTF8 = "\u00EF\u00BF\u00BD"; // U+FFFD's bytes

    /** ftfy's {@code is_bad}. */
    static boolean isBad(String text) {
        return BADNESS.matcher(text).find();
    }

    /** ftfy's {@code fix_encoding}: one-step fixes until nothing changes. */
    static String fixEncoding(String text) {
        while (true) {
            String prev = text;
            text = fixOneStep(text);
            if (text.equals(prev)) return text;
        }
    }

    private static String fixOneStep(String text) {
        if (text.isEmpty() || isAscii(text) || !isBad(text)) return text;
        List<String> possible = new ArrayList<>();
        for (var e : CHARMAPS.entrySet()) {
            String encoding = e.getKey();
            String bytes = encode(text, e.getValue());
            if (bytes == null) continue;
            possible.add(encoding);
            if (!encoding.equals("macroman") && ALTERED_UTF8.matcher(bytes).find()) bytes = restoreByteA0(bytes);
            if (encoding.startsWith("sloppy")) bytes = LOSSY_UTF8.matcher(bytes).replaceAll(REPLACEMENT_UTF8);
            String fixed = Utf8.decode(bytes, bytes.indexOf('\u00ED') >= 0 || bytes.indexOf('\u00C0') >= 0);
            if (fixed != null) return fixed;
        }
        if (UTF8_DETECTOR.matcher(text).find()) {
            String fixed = decodeInconsistentUtf8(text);
            if (!fixed.equals(text)) return fixed;
        }
        if (possible.contains("latin-1")) {
            // ftfy tests for "windows-1252", a name its list never has, so this branch always runs:
            // Latin-1 text with C1 controls is taken to be Windows-1252 (strict: unassigned bytes fail)
            String fixed = strictWindows1252(text);
            if (fixed != null && !fixed.equals(text)) return fixed;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x80 && c <= 0x9F) return Ftfy.fixC1Controls(text);
        }
        return text;
    }

    /** Fixes the mojibake-looking runs on their own, for text mixing encodings. */
    private static String decodeInconsistentUtf8(String text) {
        Matcher m = UTF8_DETECTOR.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        int last = 0;
        while (m.find()) {
            String run = m.group();
            out.append(text, last, m.start());
            out.append(run.codePointCount(0, run.length()) < text.codePointCount(0, text.length()) && isBad(run) ? fixEncoding(run) : run);
            last = m.end();
        }
        return out.append(text, last, text.length()).toString();
    }

    private static String restoreByteA0(String bytes) {
        bytes = A_GRAVE_WORD.matcher(bytes).replaceAll("\u00C3\u00A0 ");
        return ALTERED_UTF8.matcher(bytes).replaceAll(r -> Matcher.quoteReplacement(r.group().replace(' ', '\u00A0')));
    }

    /** {@code text} as bytes (one char per byte) in a single-byte encoding, or null if a character has no byte. */
    private static String encode(String text, char[] table) {
        Map<Character, Character> inverse = INVERSES.computeIfAbsent(table, Mojibake::invert);
        StringBuilder b = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80 && c != 0x1A) {
                b.append(c); // every candidate encoding is ASCII below 0x80
                continue;
            }
            Character byteValue = inverse.get(c);
            if (byteValue == null) return null;
            b.append(byteValue.charValue());
        }
        return b.toString();
    }

    private static final Map<char[], Map<Character, Character>> INVERSES = new java.util.concurrent.ConcurrentHashMap<>();

    /** Character → byte for bytes 0x80..0xFF and 0x1A, the ones whose characters differ between the encodings. */
    private static Map<Character, Character> invert(char[] table) {
        Map<Character, Character> inv = new HashMap<>();
        for (int b = 0x80; b < 0x100; b++) inv.put(table[b], (char) b);
        inv.put(table[0x1A], (char) 0x1A);
        return inv;
    }

    private static String strictWindows1252(String text) {
        StringBuilder b = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c > 0xFF) return null; // not Latin-1
            if (c >= 0x80 && c <= 0x9F) {
                if (c == 0x81 || c == 0x8D || c == 0x8F || c == 0x90 || c == 0x9D) return null; // unassigned in cp1252
                b.append(Windows1252.decodeC1(c));
            } else b.append(c);
        }
        return b.toString();
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) > 0x7F) return false;
        return true;
    }
}
