package dev.animagine.core.text;

/**
 * Strict UTF-8 decoding of bytes held one per char (Latin-1), as Python's codec does it: overlong
 * forms, encoded surrogates, values above U+10FFFF and truncated sequences fail. The "variants" mode is
 * ftfy's {@code utf-8-variants}: also CESU-8 surrogate pairs and Java's two-byte NUL (C0 80).
 */
final class Utf8 {
    private Utf8() {}

    /** The decoded text, or null when the bytes are not (variant) UTF-8. */
    static String decode(String bytes, boolean variants) {
        StringBuilder out = new StringBuilder(bytes.length());
        int n = bytes.length();
        int i = 0;
        while (i < n) {
            int b0 = bytes.charAt(i);
            if (b0 < 0x80) {
                out.append((char) b0);
                i++;
                continue;
            }
            if (variants && b0 == 0xC0 && i + 1 < n && bytes.charAt(i + 1) == 0x80) {
                out.append('\0');
                i += 2;
                continue;
            }
            if (variants && b0 == 0xED && i + 5 < n && isCesu8Pair(bytes, i)) {
                int cp = ((bytes.charAt(i + 1) & 0x0F) << 16) + ((bytes.charAt(i + 2) & 0x3F) << 10)
                        + ((bytes.charAt(i + 4) & 0x0F) << 6) + (bytes.charAt(i + 5) & 0x3F) + 0x10000;
                out.appendCodePoint(cp);
                i += 6;
                continue;
            }
            int len, min;
            if (b0 >= 0xC2 && b0 <= 0xDF) {
                len = 2;
                min = 0x80;
            } else if (b0 >= 0xE0 && b0 <= 0xEF) {
                len = 3;
                min = 0x800;
            } else if (b0 >= 0xF0 && b0 <= 0xF4) {
                len = 4;
                min = 0x10000;
            } else return null;
            if (i + len > n) return null;
            int cp = b0 & (0xFF >> (len + 1));
            for (int k = 1; k < len; k++) {
                int b = bytes.charAt(i + k);
                if ((b & 0xC0) != 0x80) return null;
                cp = (cp << 6) | (b & 0x3F);
            }
            if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return null;
            out.appendCodePoint(cp);
            i += len;
        }
        return out.toString();
    }

    private static boolean isCesu8Pair(String s, int i) {
        int b1 = s.charAt(i + 1), b2 = s.charAt(i + 2), b3 = s.charAt(i + 3), b4 = s.charAt(i + 4), b5 = s.charAt(i + 5);
        return b1 >= 0xA0 && b1 <= 0xAF && (b2 & 0xC0) == 0x80 && b3 == 0xED && b4 >= 0xB0 && b4 <= 0xBF && (b5 & 0xC0) == 0x80;
    }
}
