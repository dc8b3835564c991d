package dev.animagine.core.text;

import java.util.ArrayList;
import java.util.List;

/**
 * GPT-2/CLIP's reversible byte → printable character map ({@code bytes_to_unicode}): printable
 * Latin-1 bytes map to themselves, the other 68 bytes to U+0100 upwards, so BPE works on text
 * without whitespace or control characters.
 */
final class ByteLevel {
    private ByteLevel() {}

    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[0x200];
    /** The 256 characters in OpenAI's order (printable bytes first, then the shifted ones). */
    private static final List<String> ALPHABET = new ArrayList<>(256);

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        boolean[] printable = new boolean[256];
        for (int b = 0; b < 256; b++)
            printable[b] = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
        for (int b = 0; b < 256; b++)
            if (printable[b]) assign(b, (char) b);
        int n = 0;
        for (int b = 0; b < 256; b++)
            if (!printable[b]) assign(b, (char) (256 + n++));
    }

    private static void assign(int b, char c) {
        BYTE_TO_CHAR[b] = c;
        CHAR_TO_BYTE[c] = b;
        ALPHABET.add(String.valueOf(c));
    }

    static List<String> unicodeAlphabet() {
        return List.copyOf(ALPHABET);
    }

    /** The UTF-8 bytes of {@code s}, each as its printable stand-in character. */
    static String encode(String s) {
        byte[] utf8 = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        char[] out = new char[utf8.length];
        for (int i = 0; i < utf8.length; i++) out[i] = BYTE_TO_CHAR[utf8[i] & 0xFF];
        return new String(out);
    }

    /** The byte a stand-in character represents, or -1 for any other character. */
    static int decode(char c) {
        return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
    }
}
