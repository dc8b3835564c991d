package dev.animagine.server;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The text chunks of PNG bytes (tEXt, zTXt, iTXt), read chunk by chunk with every length checked
 * and compressed text inflated to a bounded size; no pixel is decoded. For A1111's png-info.
 */
public final class PngText {
    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final int MAX_TEXT = 1 << 20;

    private PngText() {}

    /** Keyword -> text; empty for bytes that are not a PNG. */
    public static Map<String, String> read(byte[] png) {
        Map<String, String> out = new LinkedHashMap<>();
        if (png.length < SIGNATURE.length) return out;
        for (int i = 0; i < SIGNATURE.length; i++) if (png[i] != SIGNATURE[i]) return out;
        int pos = SIGNATURE.length;
        while (pos + 8 <= png.length) {
            long length = readInt(png, pos) & 0xffffffffL;
            String type = new String(png, pos + 4, 4, StandardCharsets.ISO_8859_1);
            int data = pos + 8;
            if (length > png.length - data) break;
            int end = data + (int) length;
            switch (type) {
                case "tEXt" -> text(png, data, end, out);
                case "zTXt" -> compressedText(png, data, end, out);
                case "iTXt" -> internationalText(png, data, end, out);
                case "IEND" -> {
                    return out;
                }
                default -> { }
            }
            pos = end + 4; // CRC
        }
        return out;
    }

    private static void text(byte[] b, int from, int to, Map<String, String> out) {
        int nul = indexOf(b, from, to);
        if (nul < 0) return;
        out.put(latin1(b, from, nul), latin1(b, nul + 1, to));
    }

    private static void compressedText(byte[] b, int from, int to, Map<String, String> out) {
        int nul = indexOf(b, from, to);
        if (nul < 0 || nul + 2 > to) return;
        byte[] text = inflate(b, nul + 2, to);
        if (text != null) out.put(latin1(b, from, nul), new String(text, StandardCharsets.ISO_8859_1));
    }

    private static void internationalText(byte[] b, int from, int to, Map<String, String> out) {
        int nul = indexOf(b, from, to);
        if (nul < 0 || nul + 3 > to) return;
        boolean compressed = b[nul + 1] != 0;
        int lang = indexOf(b, nul + 3, to);
        if (lang < 0) return;
        int translated = indexOf(b, lang + 1, to);
        if (translated < 0) return;
        byte[] text = compressed ? inflate(b, translated + 1, to) : java.util.Arrays.copyOfRange(b, translated + 1, to);
        if (text != null) out.put(latin1(b, from, nul), new String(text, StandardCharsets.UTF_8));
    }

    private static byte[] inflate(byte[] b, int from, int to) {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(b, from, to - from);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            while (!inflater.finished()) {
                int n = inflater.inflate(buf);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) break;
                out.write(buf, 0, n);
                if (out.size() > MAX_TEXT) return null;
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            return null;
        } finally {
            inflater.end();
        }
    }

    private static int indexOf(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) if (b[i] == 0) return i;
        return -1;
    }

    private static String latin1(byte[] b, int from, int to) {
        return new String(b, from, to - from, StandardCharsets.ISO_8859_1);
    }

    private static int readInt(byte[] b, int at) {
        return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
    }
}
