package dev.animagine.core.animagine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How A1111's emphasis syntax reads the brackets of a text: which unescaped {@code ( [ ) ]} pair up,
 * which openers are never closed, and whether any text ends up weighted.
 *
 * <p>The scan follows A1111's tokens: {@code \( \) \[ \] \\} are literal characters and a backslash
 * before anything else vanishes; {@code (} and {@code [} open on two independent stacks; {@code )},
 * {@code ]} and {@code :N)} close the innermost open bracket of their kind and are literal text when
 * none is open; openers still open at the end apply to the rest of the text. A bracket weights
 * something when text was written between it and its closer (or the end): {@code (:3)} weights nothing.
 * This is enough to find emphasis; it does not compute weights (the text package's parser does).
 */
final class BracketScan {
    private static final Pattern WEIGHT_CLOSER = Pattern.compile(":\\s*([+-]?[.\\d]+)\\s*\\)");

    private final int[] partner;    // index of the matching bracket, -1 when none
    private final int[] weightAt;   // for an opener closed by ":N)", the index of its ':'; else -1
    private final boolean[] syntax; // an unescaped bracket character
    private final List<Integer> unclosed;
    private final boolean emphasis;

    private BracketScan(int[] partner, int[] weightAt, boolean[] syntax, List<Integer> unclosed, boolean emphasis) {
        this.partner = partner;
        this.weightAt = weightAt;
        this.syntax = syntax;
        this.unclosed = unclosed;
        this.emphasis = emphasis;
    }

    static BracketScan of(String s) {
        int n = s.length();
        int[] partner = new int[n];
        int[] weightAt = new int[n];
        boolean[] syntax = new boolean[n];
        Arrays.fill(partner, -1);
        Arrays.fill(weightAt, -1);
        Deque<int[]> round = new ArrayDeque<>(), square = new ArrayDeque<>(); // {index, texts when opened}
        int texts = 0; // text pieces written so far, as A1111 appends them
        boolean emphasis = false;
        Matcher weight = WEIGHT_CLOSER.matcher(s);
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (c == '\\') {
                texts++; // an escaped character, or the empty text a lone backslash leaves
                i += i + 1 < n && "()[]\\".indexOf(s.charAt(i + 1)) >= 0 ? 2 : 1;
            } else if (c == '(' || c == '[') {
                syntax[i] = true;
                (c == '(' ? round : square).push(new int[] {i, texts});
                i++;
            } else if (c == ':' && weight.region(i, n).lookingAt()) {
                int close = weight.end() - 1;
                syntax[close] = true;
                if (round.isEmpty()) {
                    texts++; // ":N)" with nothing open is literal text
                } else {
                    int[] open = round.pop();
                    pair(partner, open[0], close);
                    weightAt[open[0]] = i;
                    emphasis |= texts > open[1];
                }
                i = weight.end();
            } else if ((c == ')' && !round.isEmpty()) || (c == ']' && !square.isEmpty())) {
                syntax[i] = true;
                int[] open = (c == ')' ? round : square).pop();
                pair(partner, open[0], i);
                emphasis |= texts > open[1];
                i++;
            } else {
                if (c == ')' || c == ']') syntax[i] = true; // unmatched closer: literal, but still a bracket
                texts++;
                i++;
            }
        }
        List<Integer> unclosed = new ArrayList<>();
        for (Deque<int[]> stack : List.of(round, square)) {
            for (int[] open : stack) {
                unclosed.add(open[0]);
                emphasis |= texts > open[1];
            }
        }
        unclosed.sort(null);
        return new BracketScan(partner, weightAt, syntax, List.copyOf(unclosed), emphasis);
    }

    private static void pair(int[] partner, int open, int close) {
        partner[open] = close;
        partner[close] = open;
    }

    /** True when A1111 would give some of the text a weight (brackets around text, closed or not). */
    boolean emphasis() {
        return emphasis;
    }

    /** An opening bracket that has a closer. */
    boolean isOpener(int i) {
        return partner[i] > i;
    }

    /** The matching bracket of {@code i}, or -1. */
    int partner(int i) {
        return partner[i];
    }

    /** For an opener closed by {@code :N)}, the index of the {@code ':'}; else -1. */
    int weightAt(int i) {
        return weightAt[i];
    }

    /** An unescaped bracket character, paired or not. */
    boolean isSyntax(int i) {
        return syntax[i];
    }

    /** Openers that are never closed (A1111 applies them to the end of the text). */
    List<Integer> unclosed() {
        return unclosed;
    }
}
