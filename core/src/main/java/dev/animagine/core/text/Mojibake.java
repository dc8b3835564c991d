package dev.animagine.core.text;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
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

    private static final Map<String, BitSet> CLASSES = new HashMap<>(); // category or clue → members
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
                    BitSet members = new BitSet();
                    for (String h : hex) members.set(Integer.parseInt(h, 16));
                    CLASSES.put(f[1], members);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A set of code points. */
    @FunctionalInterface
    private interface CharClass {
        boolean has(int cp);
    }

    /** The union of categories (plain names) and literal characters (any other string). */
    private static CharClass set(String... parts) {
        BitSet u = new BitSet();
        for (String p : parts) {
            BitSet cat = CLASSES.get(p);
            if (cat != null) u.or(cat);
            else p.codePoints().forEach(u::set);
        }
        return u::get;
    }

    private static final CharClass PY_SPACE = PythonChars::isSpace, PY_WORD = PythonChars::isWordChar,
            LOWER_ASCII = cp -> cp >= 'a' && cp <= 'z',
            ASCII_LETTER = cp -> LOWER_ASCII.has(cp) || (cp >= 'A' && cp <= 'Z'),
            NOT_ASCII_LETTER = cp -> !ASCII_LETTER.has(cp),
            NOT_NEWLINE = cp -> cp != '\n';

    /** One of ftfy's badness rules: consecutive characters from these classes (optionally only at the start). */
    private record Rule(boolean atStart, CharClass... sequence) {
        Rule(CharClass... sequence) {
            this(false, sequence);
        }

        boolean matchesAt(int[] cps, int i) {
            if (atStart && i != 0) return false;
            if (i + sequence.length > cps.length) return false;
            for (int k = 0; k < sequence.length; k++)
                if (!sequence[k].has(cps[i + k])) return false;
            return true;
        }
    }

    /** ftfy's badness heuristic: juxtapositions that are rare in real text but typical of mojibake. */
    private static final List<Rule> BADNESS;

    static {
        String la = "lower_accented", ua = "upper_accented", sp = "start_punctuation", ep = "end_punctuation";
        CharClass arabicLead = set("ØÙ"), arabicNext = set("common", "currency", "bad", "numeric", sp, "ŸŠ®°µ»");
        CharClass aHatOrTilde = set("ÃÂ"), space = set(" ");
        BADNESS = List.of(
                new Rule(set("c1")),
                new Rule(set("bad", la, ua, "box", sp, ep, "currency", "numeric", "law"), set("bad")),
                new Rule(ASCII_LETTER, set("lower_common", "upper_common"), set("bad")),
                new Rule(set("bad"), set(la, ua, "box", sp, ep, "currency", "numeric", "law")),
                new Rule(set(la, "lower_common", "box", ep, "currency", "numeric"), set(ua)),
                new Rule(set("box", ep, "currency", "numeric"), set(la)),
                new Rule(set(la, "box", ep), set("currency")),
                new Rule(PY_SPACE, set(ua), set("currency")),
                new Rule(set(ua, "box"), set("numeric", "law")),
                new Rule(set(la, ua, "box", "currency", ep), set(sp), set("numeric")),
                new Rule(set(la, ua, "currency", "numeric", "box", "law"), set(ep), set(sp)),
                new Rule(set("currency", "numeric", "box"), set(sp)),
                new Rule(LOWER_ASCII, set(ua), set(sp, "currency")),
                new Rule(set("box"), set("kaomoji")),
                new Rule(set(la, ua, "currency", "numeric", sp, ep, "law"), set("box")),
                new Rule(set("box"), set(ep)),
                new Rule(set(la, ua), set(sp, ep), PY_WORD),
                new Rule(set("Œœ"), NOT_ASCII_LETTER),
                new Rule(set(ua), set("°")),
                new Rule(set("ÂÃÎÐ"), set("€œŠš¢£Ÿž\u00A0\u00AD®©°·»", sp, ep, "–—´")),
                new Rule(set("×"), set("²³")),
                new Rule(arabicLead, arabicNext, arabicLead, arabicNext),
                new Rule(set("à"), set("²µ¹¼½¾")),
                new Rule(set("√"), set("±∂†≠®™´≤≥¥µø")),
                new Rule(set("≈"), set("°¢")),
                new Rule(set("‚"), set("Ä"), set("ìîïòôúùû†°¢π")),
                new Rule(set("‚"), set("âó"), set("àä°ê")),
                new Rule(set("в"), set("Ђ")),
                new Rule(set("ВГРС"), set("c1", "bad", sp, ep, "currency", "°µ"), set("ВГРС")),
                new Rule(set("Г"), set("ў"), set("В"), set("Ђ"), set("В"), NOT_NEWLINE, set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz ")),
                new Rule(set("Ã"), set("\u00A0¡")),
                new Rule(LOWER_ASCII, aHatOrTilde, space), // [a-z]\s?[ÃÂ][ ], without the space
                new Rule(LOWER_ASCII, PY_SPACE, aHatOrTilde, space), // ... and with it
                new Rule(true, aHatOrTilde, space),
                new Rule(set("abcdefghijklmnopqrstuvwxyz.,?!", ep), set("Â"), set(" ", sp, ep)),
                new Rule(set("β"), set("€"), set("™\u00A0Ά\u00AD®°")),
                new Rule(set("ΒΓΞΟ"), set("c1", "bad", sp, ep, "currency", "°"), set("ΒΓΞΟ")),
                new Rule(set("ā"), set("€")));
    }

    private static final CharClass CONT = set("utf8_continuation"), CONT_STRICT = set("utf8_continuation_strict"),
            FIRST_OF_2 = set("utf8_first_of_2"), FIRST_OF_3 = set("utf8_first_of_3"), FIRST_OF_4 = set("utf8_first_of_4");

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
        int[] cps = text.codePoints().toArray();
        for (int i = 0; i < cps.length; i++)
            for (Rule r : BADNESS)
                if (r.matchesAt(cps, i)) return true;
        return false;
    }

    /**
     * ftfy's UTF-8 detector at code point {@code i}: one or more of (lead of 2 + 1 continuation | lead of
     * 3 + 2 | lead of 4 + 3), not right after a strict continuation character. Returns the end, or -1.
     */
    private static int utf8RunAt(int[] cps, int i) {
        if (i > 0 && CONT_STRICT.has(cps[i - 1])) return -1;
        int end = i;
        while (true) {
            int next = sequenceAt(cps, end);
            if (next < 0) return end > i ? end : -1;
            end = next;
        }
    }

    private static int sequenceAt(int[] cps, int i) {
        if (i >= cps.length) return -1;
        int lead = cps[i];
        int[] lengths = {FIRST_OF_2.has(lead) ? 1 : 0, FIRST_OF_3.has(lead) ? 2 : 0, FIRST_OF_4.has(lead) ? 3 : 0};
        for (int conts : lengths) { // alternatives in the pattern's order
            if (conts == 0 || i + conts >= cps.length) continue;
            boolean ok = true;
            for (int k = 1; k <= conts; k++) ok &= CONT.has(cps[i + k]);
            if (ok) return i + conts + 1;
        }
        return -1;
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
        if (hasUtf8Run(text)) {
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
        int[] cps = text.codePoints().toArray();
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < cps.length; ) {
            int end = utf8RunAt(cps, i);
            if (end < 0) {
                out.appendCodePoint(cps[i++]);
                continue;
            }
            String run = new String(cps, i, end - i);
            out.append(end - i < cps.length && isBad(run) ? fixEncoding(run) : run);
            i = end;
        }
        return out.toString();
    }

    private static boolean hasUtf8Run(String text) {
        int[] cps = text.codePoints().toArray();
        for (int i = 0; i < cps.length; i++) if (utf8RunAt(cps, i) >= 0) return true;
        return false;
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
