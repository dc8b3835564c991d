package dev.animagine.core.text;

import java.util.ArrayList;
import java.util.List;

/**
 * CLIP's pre-tokenization pattern, {@code <\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+}
 * (case-insensitive), applied like {@code re.findall}: alternatives tried in order at each position,
 * whitespace between matches skipped. Written out by hand so that the character classes are Python's.
 */
final class ClipPattern {
    private ClipPattern() {}

    private static final String[] SPECIALS = {ClipVocabulary.START_OF_TEXT, ClipVocabulary.END_OF_TEXT};
    private static final String[] CONTRACTIONS = {"'s", "'t", "'re", "'ve", "'m", "'ll", "'d"};

    static List<String> split(String text) {
        List<String> out = new ArrayList<>();
        int i = 0, n = text.length();
        while (i < n) {
            int end = matchAt(text, i);
            if (end < 0) {
                i += Character.charCount(text.codePointAt(i)); // whitespace: not part of any match
                continue;
            }
            out.add(text.substring(i, end));
            i = end;
        }
        return out;
    }

    /** End of the pattern's match at {@code i}, or -1. */
    private static int matchAt(String s, int i) {
        for (String sp : SPECIALS)
            if (s.regionMatches(true, i, sp, 0, sp.length())) return i + sp.length();
        if (s.charAt(i) == '\'')
            for (String c : CONTRACTIONS)
                if (foldedMatch(s, i + 1, c.substring(1))) return i + c.length();
        int cp = s.codePointAt(i);
        if (PythonChars.isLetter(cp)) {
            int j = i;
            while (j < s.length() && PythonChars.isLetter(s.codePointAt(j))) j += Character.charCount(s.codePointAt(j));
            return j;
        }
        if (PythonChars.isNumber(cp)) return i + Character.charCount(cp);
        if (PythonChars.isSpace(cp)) return -1;
        int j = i;
        while (j < s.length()) {
            int c = s.codePointAt(j);
            if (PythonChars.isSpace(c) || PythonChars.isLetter(c) || PythonChars.isNumber(c)) break;
            j += Character.charCount(c);
        }
        return j;
    }

    /** Case-insensitive match of ASCII {@code lower} at {@code at} (simple case folding: 'ſ' matches 's', 'K' sign 'k'). */
    private static boolean foldedMatch(String s, int at, String lower) {
        if (at + lower.length() > s.length()) return false;
        for (int k = 0; k < lower.length(); k++) {
            char c = s.charAt(at + k), want = lower.charAt(k);
            char folded = c == '\u017F' ? 's' : c == '\u212A' ? 'k' : Character.toLowerCase(c);
            if (folded != want) return false;
        }
        return true;
    }
}
