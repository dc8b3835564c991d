package dev.animagine.core.animagine;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splitting a prompt into tags and normalising each one the way Animagine's captions were written:
 * Danbooru underscores become spaces, parentheses that belong to a tag ({@code firefly (honkai: star
 * rail)}) are escaped so A1111's emphasis parser keeps them as text, emphasis the user wrote
 * ({@code (smile:1.2)}, {@code [abstract]}) stays as it is, whitespace is tidied.
 */
final class TagText {
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");
    private static final Pattern WEIGHT = Pattern.compile(":\\s*([+-]?[.\\d]+)\\s*\\)");
    /** Danbooru keeps underscores in short tags: they are emoticons ({@code ^_^}, {@code o_o}). */
    private static final int KEEP_UNDERSCORES_UP_TO = 3;

    private TagText() {}

    /** A normalised tag and what normalisation had to fix in it. */
    record Normalized(String text, boolean escapedQualifier, boolean escapedUnclosed) {
        boolean isEmpty() {
            return text.isEmpty();
        }
    }

    /**
     * The tags of a prompt: split at commas and line breaks that are not inside a closed bracket
     * pair, so {@code (masterpiece, best quality:1.2)} stays one tag. Trimmed, empties dropped.
     */
    static List<String> split(String prompt) {
        if (prompt == null || prompt.isBlank()) return List.of();
        BracketScan scan = BracketScan.of(prompt);
        int n = prompt.length();
        int[] depthChange = new int[n + 1];
        for (int i = 0; i < n; i++) {
            if (scan.isOpener(i)) {
                depthChange[i]++;
                depthChange[scan.partner(i) + 1]--;
            }
        }
        List<String> tags = new ArrayList<>();
        int depth = 0, start = 0;
        for (int i = 0; i < n; i++) {
            depth += depthChange[i];
            char c = prompt.charAt(i);
            if (depth == 0 && (c == ',' || c == '\n' || c == '\r')) {
                addIfNotBlank(tags, prompt.substring(start, i));
                start = i + 1;
            }
        }
        addIfNotBlank(tags, prompt.substring(start));
        return tags;
    }

    private static void addIfNotBlank(List<String> tags, String tag) {
        String t = tag.strip();
        if (!t.isEmpty()) tags.add(t);
    }

    /** Normalises one tag (as {@link #split} returns them). Idempotent. */
    static Normalized normalize(String tag) {
        String t = tidy(tag);
        if (t.isEmpty()) return new Normalized("", false, false);
        BracketScan scan = BracketScan.of(t);
        if (scan.isOpener(0) && scan.partner(0) == t.length() - 1) return normalizeEmphasis(t, scan);
        if (t.length() > KEEP_UNDERSCORES_UP_TO && !t.contains("<")) { // <lora:name_v2:1> keeps its name
            String spaced = tidy(t.replace('_', ' '));
            if (!spaced.equals(t)) {
                t = spaced;
                scan = BracketScan.of(t);
            }
        }
        return escapeOwnBrackets(t, scan);
    }

    /** The user's emphasis around a whole tag: kept, with what it holds normalised. */
    private static Normalized normalizeEmphasis(String t, BracketScan scan) {
        int weightAt = scan.weightAt(0);
        String inner = t.substring(1, weightAt >= 0 ? weightAt : t.length() - 1);
        String close = t.substring(t.length() - 1);
        if (weightAt >= 0) {
            Matcher m = WEIGHT.matcher(t).region(weightAt, t.length());
            if (!m.lookingAt()) throw new IllegalStateException("weight closer expected in " + t);
            close = ":" + m.group(1) + ")";
        }
        List<String> texts = new ArrayList<>();
        boolean qualifier = false, unclosed = false;
        for (String part : split(inner)) {
            Normalized n = normalize(part);
            if (n.isEmpty()) continue;
            texts.add(n.text());
            qualifier |= n.escapedQualifier();
            unclosed |= n.escapedUnclosed();
        }
        return new Normalized(t.charAt(0) + String.join(", ", texts) + close, qualifier, unclosed);
    }

    /**
     * Escapes the brackets a plain tag owns: a parenthesised qualifier after the tag's name
     * ({@code hoshimachi suisei (1st costume)}) and openers that are never closed ({@code :(}), which
     * A1111 would otherwise apply to the rest of the prompt. Other bracket groups ({@code (a) b},
     * {@code a (b:1.2)}) are the user's emphasis and stay.
     */
    private static Normalized escapeOwnBrackets(String t, BracketScan scan) {
        BitSet escape = new BitSet();
        boolean qualifier = false;
        for (int open : scan.unclosed()) escape.set(open);
        int i = 0;
        while (i < t.length()) {
            if (t.charAt(i) == '\\') {
                i += 2;
            } else if (scan.isOpener(i)) {
                int close = scan.partner(i);
                if (isQualifier(t, scan, i)) {
                    escape.set(i);
                    escape.set(close);
                    qualifier = true;
                }
                i = close + 1;
            } else {
                i++;
            }
        }
        if (escape.isEmpty()) return new Normalized(t, false, false);
        StringBuilder out = new StringBuilder(t.length() + escape.cardinality());
        for (int j = 0; j < t.length(); j++) {
            if (escape.get(j)) out.append('\\');
            out.append(t.charAt(j));
        }
        return new Normalized(out.toString(), qualifier, !scan.unclosed().isEmpty());
    }

    /**
     * A Danbooru qualifier: plain text in round brackets, without a weight, after the tag's own
     * words. A group that starts the tag, follows another bracket or BREAK, or holds brackets or a
     * weight is the user's emphasis.
     */
    private static boolean isQualifier(String t, BracketScan scan, int open) {
        int close = scan.partner(open);
        if (t.charAt(open) != '(' || scan.weightAt(open) >= 0) return false;
        for (int j = open + 1; j < close; j++) {
            if (scan.isSyntax(j)) return false;
        }
        String before = t.substring(0, open).stripTrailing();
        if (before.isEmpty() || before.endsWith("BREAK")) return false;
        int last = before.length() - 1;
        return !scan.isSyntax(last);
    }

    /**
     * The bare form of a tag: emphasis around it removed, escapes resolved, lower case, single
     * spaces. {@code (Firefly \(honkai: star rail\):1.2)} is {@code firefly (honkai: star rail)}.
     */
    static String bare(String tag) {
        String t = tidy(tag);
        while (!t.isEmpty()) {
            BracketScan scan = BracketScan.of(t);
            if (!(scan.isOpener(0) && scan.partner(0) == t.length() - 1)) break;
            int weightAt = scan.weightAt(0);
            t = tidy(t.substring(1, weightAt >= 0 ? weightAt : t.length() - 1));
        }
        return tidy(unescape(t)).toLowerCase(Locale.ROOT);
    }

    /** Resolves A1111's escapes: {@code \(} is {@code (}; a backslash before anything else vanishes. */
    static String unescape(String t) {
        if (t.indexOf('\\') < 0) return t;
        StringBuilder out = new StringBuilder(t.length());
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c != '\\') {
                out.append(c);
            } else if (i + 1 < t.length() && "()[]\\".indexOf(t.charAt(i + 1)) >= 0) {
                out.append(t.charAt(++i));
            }
        }
        return out.toString();
    }

    private static String tidy(String s) {
        return WHITESPACE.matcher(s).replaceAll(" ").strip();
    }
}
