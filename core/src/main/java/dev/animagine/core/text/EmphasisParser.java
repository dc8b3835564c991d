package dev.animagine.core.text;

import dev.animagine.core.InvalidArgumentException;

import java.util.ArrayList;
import java.util.List;

/**
 * A1111's prompt attention syntax ({@code parse_prompt_attention}): {@code (a)} ×1.1, {@code [a]}
 * ÷1.1, {@code (a:1.3)} ×1.3, nesting multiplies, {@code \( \) \[ \] \\} are literal characters, a
 * backslash before anything else vanishes, unmatched closers are text, brackets still open at the end
 * apply (all '(' first, then all '['), and {@code BREAK} (a whole word, case-sensitive) becomes a
 * marker entry. Weights are doubles multiplied in the order the brackets close, as in Python, so
 * {@code ((a))} is 1.2100000000000002; adjacent entries of equal weight are merged.
 */
public final class EmphasisParser {
    private EmphasisParser() {}

    static final double ROUND = 1.1, SQUARE = 1 / 1.1;

    private static final class Entry {
        String text;
        double weight;

        Entry(String text, double weight) {
            this.text = text;
            this.weight = weight;
        }
    }

    /** The weighted runs of {@code prompt}; throws {@link InvalidArgumentException} where A1111 raises. */
    public static List<WeightedText> parse(String prompt) {
        List<Entry> res = new ArrayList<>();
        List<Integer> round = new ArrayList<>(), square = new ArrayList<>();
        int i = 0, n = prompt.length();
        while (i < n) {
            char c = prompt.charAt(i);
            if (c == '\\') {
                // \( \) \[ \] \\ give the character; a lone backslash gives nothing
                if (i + 1 < n && "()[]\\".indexOf(prompt.charAt(i + 1)) >= 0) {
                    res.add(new Entry(String.valueOf(prompt.charAt(i + 1)), 1.0));
                    i += 2;
                } else {
                    res.add(new Entry("", 1.0));
                    i++;
                }
            } else if (c == '(') {
                round.add(res.size());
                i++;
            } else if (c == '[') {
                square.add(res.size());
                i++;
            } else if (c == ':') {
                int[] number = weightAt(prompt, i);
                if (number != null && !round.isEmpty()) {
                    multiply(res, round.removeLast(), pythonFloat(prompt.substring(number[0], number[1]), prompt));
                    i = number[2];
                } else if (number != null) {
                    addText(res, prompt.substring(i, number[2]));
                    i = number[2];
                } else {
                    addText(res, ":");
                    i++;
                }
            } else if (c == ')' || c == ']') {
                List<Integer> open = c == ')' ? round : square;
                if (!open.isEmpty()) multiply(res, open.removeLast(), c == ')' ? ROUND : SQUARE);
                else addText(res, String.valueOf(c));
                i++;
            } else {
                int j = i;
                while (j < n && "\\()[]:".indexOf(prompt.charAt(j)) < 0) j++;
                addText(res, prompt.substring(i, j));
                i = j;
            }
        }
        for (int pos : round) multiply(res, pos, ROUND);
        for (int pos : square) multiply(res, pos, SQUARE);
        if (res.isEmpty()) res.add(new Entry("", 1.0));

        List<WeightedText> out = new ArrayList<>(res.size());
        for (Entry e : res) {
            if (!out.isEmpty() && out.getLast().weight() == e.weight) out.set(out.size() - 1, new WeightedText(out.getLast().text() + e.text, e.weight));
            else out.add(new WeightedText(e.text, e.weight));
        }
        return out;
    }

    /**
     * Matches {@code :\s*([+-]?[.\d]+)\s*\)} at {@code colon}: {number start, number end, match end}, or null.
     * Every quantifier here is greedy over disjoint classes, so the first attempt is the only one.
     */
    private static int[] weightAt(String s, int colon) {
        int j = skipSpace(s, colon + 1);
        int numStart = j;
        if (j < s.length() && (s.charAt(j) == '+' || s.charAt(j) == '-')) j++;
        int digitsStart = j;
        while (j < s.length() && (s.charAt(j) == '.' || PythonChars.isDecimalDigit(s.codePointAt(j)))) j += Character.charCount(s.codePointAt(j));
        if (j == digitsStart) return null;
        int numEnd = j;
        j = skipSpace(s, j);
        if (j >= s.length() || s.charAt(j) != ')') return null;
        return new int[] {numStart, numEnd, j + 1};
    }

    private static int skipSpace(String s, int j) {
        while (j < s.length() && PythonChars.isSpace(s.codePointAt(j))) j += Character.charCount(s.codePointAt(j));
        return j;
    }

    /** Python's {@code float(s)} for {@code [+-]?[.\d]+}: one dot at most, at least one digit, any Unicode decimal digits. */
    static double pythonFloat(String s, String prompt) {
        StringBuilder ascii = new StringBuilder(s.length());
        int dots = 0, digits = 0;
        for (int k = 0; k < s.length(); ) {
            int cp = s.codePointAt(k);
            k += Character.charCount(cp);
            if (cp == '.') dots++;
            else if (cp != '+' && cp != '-') {
                digits++;
                ascii.append((char) ('0' + Character.digit(cp, 10)));
                continue;
            }
            ascii.append((char) cp);
        }
        if (dots > 1 || digits == 0)
            throw new InvalidArgumentException("prompt: emphasis weight '" + s + "' is not a number (in \"" + abbreviate(prompt) + "\")");
        return Double.parseDouble(ascii.toString());
    }

    /** Text entries are split on {@code \s*\bBREAK\b\s*}, with a {@code ("BREAK", -1)} marker between the parts. */
    private static void addText(List<Entry> res, String text) {
        List<String> parts = splitOnBreak(text);
        for (int k = 0; k < parts.size(); k++) {
            if (k > 0) res.add(new Entry(WeightedText.BREAK, -1));
            res.add(new Entry(parts.get(k), 1.0));
        }
    }

    /** Python's {@code re.split(r"\s*\bBREAK\b\s*", text)}. */
    static List<String> splitOnBreak(String text) {
        List<String> parts = new ArrayList<>();
        int from = 0, search = 0;
        while (true) {
            int q = text.indexOf(WeightedText.BREAK, search);
            if (q < 0) break;
            int after = q + WeightedText.BREAK.length();
            boolean startsWord = q == 0 || !PythonChars.isWordChar(text.codePointBefore(q));
            boolean endsWord = after == text.length() || !PythonChars.isWordChar(text.codePointAt(after));
            if (!startsWord || !endsWord) {
                search = q + 1;
                continue;
            }
            int p = q; // the whitespace before belongs to the separator, down to where this search began
            while (p > from && PythonChars.isSpace(text.codePointBefore(p))) p -= Character.charCount(text.codePointBefore(p));
            int end = skipSpace(text, after);
            parts.add(text.substring(from, p));
            from = search = end;
        }
        parts.add(text.substring(from));
        return parts;
    }

    private static void multiply(List<Entry> res, int from, double multiplier) {
        for (int p = from; p < res.size(); p++) res.get(p).weight *= multiplier;
    }

    private static String abbreviate(String prompt) {
        String oneLine = prompt.replace('\n', ' ').replace('\r', ' ');
        return oneLine.length() <= 120 ? oneLine : oneLine.substring(0, 117) + "...";
    }
}
