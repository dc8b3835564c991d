package dev.animagine.core.text;

import java.text.Normalizer;

/**
 * ftfy 6.3.1's {@code fix_text} with its default configuration, the first step of CLIP's
 * {@code basic_clean}: per line, until nothing changes, HTML entities (unless the text holds a
 * '&lt;'), C1 controls read as Windows-1252, Latin ligatures split, fullwidth/halfwidth forms to
 * their normal width, curly quotes straightened, line breaks unified, lone surrogates replaced,
 * terminal escapes and invisible control characters removed, then NFC.
 * Mojibake repair ({@link Mojibake}, ftfy's {@code fix_encoding}) runs where ftfy runs it.
 */
public final class Ftfy {
    private Ftfy() {}

    /** ftfy's default {@code max_decode_length}: longer lines are fixed in pieces. */
    private static final int MAX_SEGMENT = 1_000_000;

    public static String fixText(String text) {
        StringBuilder out = new StringBuilder(text.length());
        boolean unescapeHtml = true; // "auto": off from the first segment holding a '<' on
        int pos = 0;
        while (pos < text.length()) {
            int end = text.indexOf('\n', pos) + 1;
            if (end == 0) end = text.length();
            if (end - pos > MAX_SEGMENT) {
                end = pos + MAX_SEGMENT;
                if (Character.isHighSurrogate(text.charAt(end - 1))) end--;
            }
            String segment = text.substring(pos, end);
            if (unescapeHtml && segment.indexOf('<') >= 0) unescapeHtml = false;
            out.append(fixSegment(segment, unescapeHtml));
            pos = end;
        }
        return out.toString();
    }

    /** {@code fix_and_explain} without the explanation: repeat the fixers until a fixed point. */
    static String fixSegment(String text, boolean unescapeHtml) {
        while (true) {
            String orig = text;
            if (unescapeHtml) text = HtmlUnescape.unescapeStrict(text);
            text = Mojibake.fixEncoding(text);
            text = fixC1Controls(text);
            text = fixLatinLigatures(text);
            text = fixCharacterWidth(text);
            text = uncurlQuotes(text);
            text = fixLineBreaks(text);
            text = fixSurrogates(text);
            text = removeTerminalEscapes(text);
            text = removeControlChars(text);
            text = Normalizer.normalize(text, Normalizer.Form.NFC);
            if (text.equals(orig)) return text;
        }
    }

    /** U+0080..U+009F as the Windows-1252 characters those bytes stand for, as browsers do. */
    static String fixC1Controls(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x80 && c <= 0x9F) {
                if (out == null) out = new StringBuilder(s).delete(i, s.length());
                out.append(Windows1252.decodeC1(c));
            } else if (out != null) out.append(c);
        }
        return out == null ? s : out.toString();
    }

    static String fixLatinLigatures(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String r = switch (c) {
                case 'Ĳ' -> "IJ";
                case 'ĳ' -> "ij";
                case 'ŉ' -> "ʼn";
                case 'Ǳ' -> "DZ";
                case 'ǲ' -> "Dz";
                case 'ǳ' -> "dz";
                case 'Ǆ' -> "DŽ";
                case 'ǅ' -> "Dž";
                case 'ǆ' -> "dž";
                case 'Ǉ' -> "LJ";
                case 'ǈ' -> "Lj";
                case 'ǉ' -> "lj";
                case 'Ǌ' -> "NJ";
                case 'ǋ' -> "Nj";
                case 'ǌ' -> "nj";
                case 'ﬀ' -> "ff";
                case 'ﬁ' -> "fi";
                case 'ﬂ' -> "fl";
                case 'ﬃ' -> "ffi";
                case 'ﬄ' -> "ffl";
                case 'ﬅ' -> "ſt";
                case 'ﬆ' -> "st";
                default -> null;
            };
            if (r == null) out.append(c);
            else out.append(r);
        }
        return out.toString();
    }

    /** U+3000 to a space and U+FF01..U+FFEF (fullwidth ASCII, halfwidth kana/Hangul...) to their NFKC form. */
    static String fixCharacterWidth(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 0x3000) out.append(' ');
            else if (c >= 0xFF01 && c < 0xFFF0) out.append(Normalizer.normalize(String.valueOf(c), Normalizer.Form.NFKC));
            else out.append(c);
        }
        return out.toString();
    }

    static String uncurlQuotes(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 0x02BC || (c >= 0x2018 && c <= 0x201B)) out.append('\'');
            else if (c >= 0x201C && c <= 0x201F) out.append('"');
            else out.append(c);
        }
        return out.toString();
    }

    static String fixLineBreaks(String s) {
        return s.replace("\r\n", "\n").replace('\r', '\n').replace('\u2028', '\n').replace('\u2029', '\n').replace('\u0085', '\n');
    }

    /** Unpaired surrogates become U+FFFD (paired ones already are the characters they encode in Java). */
    static String fixSurrogates(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean lone = Character.isSurrogate(c)
                    && !(Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1)));
            if (Character.isHighSurrogate(c) && !lone) {
                if (out != null) out.append(c).append(s.charAt(i + 1));
                i++;
                continue;
            }
            if (lone && out == null) out = new StringBuilder(s).delete(i, s.length());
            if (out != null) out.append(lone ? '\uFFFD' : c);
        }
        return out == null ? s : out.toString();
    }

    /** ANSI escapes {@code ESC [ (digit|;)* letter}. */
    static String removeTerminalEscapes(String s) {
        if (s.indexOf('\u001b') < 0) return s;
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            if (s.charAt(i) == '\u001b' && i + 1 < s.length() && s.charAt(i + 1) == '[') {
                int j = i + 2;
                while (j < s.length() && (s.charAt(j) == ';' || PythonChars.isDecimalDigit(s.codePointAt(j))))
                    j += Character.charCount(s.codePointAt(j));
                if (j < s.length() && isAsciiLetter(s.charAt(j))) {
                    i = j + 1;
                    continue;
                }
            }
            out.append(s.charAt(i++));
        }
        return out.toString();
    }

    /** Controls with no visible effect: C0 except tab/newlines/form feed, DEL, deprecated format chars, BOM, interlinear annotations, U+FFFC. */
    static String removeControlChars(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean drop = c <= 0x08 || c == 0x0B || (c >= 0x0E && c <= 0x1F) || c == 0x7F
                    || (c >= 0x206A && c <= 0x206F) || c == 0xFEFF || (c >= 0xFFF9 && c <= 0xFFFC);
            if (drop && out == null) out = new StringBuilder(s).delete(i, s.length());
            if (!drop && out != null) out.append(c);
        }
        return out == null ? s : out.toString();
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
}
