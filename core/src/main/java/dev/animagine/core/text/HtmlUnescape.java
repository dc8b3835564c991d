package dev.animagine.core.text;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTML character references, decoded the two ways CLIP's text cleaning does: Python's
 * {@code html.unescape} (HTML5 rules: legacy names without ';', longest-prefix names, numeric
 * references with the Windows-1252 repair table) and ftfy's stricter {@code unescape_html} (only
 * {@code &name;} with the semicolon, plus upper-cased names such as {@code &EACUTE;}).
 * The named-reference table is the WHATWG one, shipped as a resource.
 */
final class HtmlUnescape {
    private HtmlUnescape() {}

    /** WHATWG names as written after '&' (with or without the final ';') → text. */
    private static final Map<String, String> HTML5 = loadTable();
    /** ftfy's table: {@code &name;} for every name with ';', plus all-caps variants of lower-case names. */
    private static final Map<String, String> FTFY = ftfyTable();

    /** Python's {@code html.unescape(s)}. */
    static String unescape(String s) {
        if (s.indexOf('&') < 0) return s;
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c != '&') {
                out.append(c);
                i++;
                continue;
            }
            int end = matchCharRef(s, i + 1);
            if (end < 0) {
                out.append('&');
                i++;
                continue;
            }
            out.append(replaceCharRef(s.substring(i + 1, end)));
            i = end;
        }
        return out.toString();
    }

    /** ftfy's {@code unescape_html}: only {@code &#?[0-9A-Za-z]{1,24};} is considered. */
    static String unescapeStrict(String s) {
        if (s.indexOf('&') < 0) return s;
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            int end = c == '&' ? matchStrict(s, i) : -1;
            if (end < 0) {
                out.append(c);
                i++;
                continue;
            }
            String ref = s.substring(i, end);
            String named = FTFY.get(ref);
            if (named != null) out.append(named);
            else if (ref.startsWith("&#")) {
                String u = unescape(ref);
                out.append(u.indexOf(';') >= 0 ? ref : u); // only a fully consumed reference counts
            } else out.append(ref);
            i = end;
        }
        return out.toString();
    }

    /** End of {@code &#?[0-9A-Za-z]{1,24};} starting at the '&' at {@code at}, or -1. */
    private static int matchStrict(String s, int at) {
        int j = at + 1;
        if (j < s.length() && s.charAt(j) == '#') j++;
        int start = j;
        while (j < s.length() && isAsciiAlnum(s.charAt(j))) j++;
        int n = j - start;
        return n >= 1 && n <= 24 && j < s.length() && s.charAt(j) == ';' ? j + 1 : -1;
    }

    /**
     * End of Python's {@code #[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?} at {@code from}
     * (just after the '&'), or -1.
     */
    private static int matchCharRef(String s, int from) {
        int n = s.length();
        if (from < n && s.charAt(from) == '#') {
            int j = from + 1;
            while (j < n && s.charAt(j) >= '0' && s.charAt(j) <= '9') j++;
            if (j > from + 1) return j < n && s.charAt(j) == ';' ? j + 1 : j;
            if (from + 1 < n && (s.charAt(from + 1) == 'x' || s.charAt(from + 1) == 'X')) {
                j = from + 2;
                while (j < n && Character.digit(s.charAt(j), 16) >= 0 && s.charAt(j) < 128) j++;
                if (j > from + 2) return j < n && s.charAt(j) == ';' ? j + 1 : j;
            }
            return -1;
        }
        int j = from, count = 0;
        while (j < n && count < 32) {
            int cp = s.codePointAt(j);
            if (cp == '\t' || cp == '\n' || cp == '\f' || cp == ' ' || cp == '<' || cp == '&' || cp == '#' || cp == ';') break;
            j += Character.charCount(cp);
            count++;
        }
        if (count == 0) return -1;
        return j < n && s.charAt(j) == ';' ? j + 1 : j;
    }

    private static String replaceCharRef(String ref) {
        if (ref.charAt(0) == '#') {
            boolean hex = ref.length() > 1 && (ref.charAt(1) == 'x' || ref.charAt(1) == 'X');
            String digits = ref.substring(hex ? 2 : 1);
            if (digits.endsWith(";")) digits = digits.substring(0, digits.length() - 1);
            BigInteger big = new BigInteger(digits, hex ? 16 : 10);
            if (big.bitLength() > 31) return "\uFFFD";
            int num = big.intValue();
            if (num == 0) return "\uFFFD";
            if (num == 0x0D) return "\r";
            if (num >= 0x80 && num <= 0x9F) return String.valueOf(Windows1252.decodeC1(num));
            if ((num >= 0xD800 && num <= 0xDFFF) || num > 0x10FFFF) return "\uFFFD";
            if (isInvalidCodePoint(num)) return "";
            return Character.toString(num);
        }
        String whole = HTML5.get(ref);
        if (whole != null) return whole;
        // the longest known name that prefixes the reference (legacy names like "&ampfoo")
        for (int x = ref.length() - 1; x > 1; x--) {
            String v = HTML5.get(ref.substring(0, x));
            if (v != null) return v + ref.substring(x);
        }
        return "&" + ref;
    }

    /** Controls and noncharacters that a numeric reference may not produce (they vanish). */
    private static boolean isInvalidCodePoint(int cp) {
        return (cp >= 0x1 && cp <= 0x8) || cp == 0xB || (cp >= 0xE && cp <= 0x1F) || (cp >= 0x7F && cp <= 0x9F)
                || (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
    }

    private static boolean isAsciiAlnum(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static Map<String, String> loadTable() {
        Map<String, String> m = new HashMap<>(4096);
        try (InputStream in = HtmlUnescape.class.getResourceAsStream("html5-entities.tsv")) {
            if (in == null) throw new IllegalStateException("resource html5-entities.tsv is missing from the build");
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isEmpty() || line.startsWith("#")) continue;
                int tab = line.indexOf('\t');
                StringBuilder v = new StringBuilder();
                for (String hex : line.substring(tab + 1).split(" ")) v.appendCodePoint(Integer.parseInt(hex, 16));
                m.put(line.substring(0, tab), v.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.copyOf(m);
    }

    private static Map<String, String> ftfyTable() {
        Map<String, String> m = new HashMap<>(4096);
        for (var e : HTML5.entrySet()) {
            String name = e.getKey();
            if (!name.endsWith(";")) continue;
            m.put("&" + name, e.getValue());
        }
        // all-caps variants, only where the upper-cased name means nothing to html.unescape already
        for (var e : HTML5.entrySet()) {
            String name = e.getKey();
            if (!name.endsWith(";") || !name.equals(name.toLowerCase(Locale.ROOT))) continue;
            String upper = "&" + name.toUpperCase(Locale.ROOT);
            if (unescape(upper).equals(upper)) m.put(upper, e.getValue().toUpperCase(Locale.ROOT));
        }
        return Map.copyOf(m);
    }
}
