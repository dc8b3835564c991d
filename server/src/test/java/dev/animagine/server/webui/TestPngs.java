package dev.animagine.server.webui;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/** PNG files for the drop tests: an image with its text chunks replaced by one of our choosing. */
final class TestPngs {
    private TestPngs() {}

    /** The PNG's chunks without its text chunks, plus a tEXt chunk {@code keyword: text} after IHDR. */
    static byte[] withText(byte[] png, String keyword, String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(png, 0, 8);
        ByteBuffer in = ByteBuffer.wrap(png);
        int offset = 8;
        while (offset + 8 <= png.length) {
            int length = in.getInt(offset);
            String type = new String(png, offset + 4, 4, StandardCharsets.ISO_8859_1);
            int end = offset + 12 + length;
            if (!type.equals("tEXt") && !type.equals("iTXt") && !type.equals("zTXt")) out.write(png, offset, end - offset);
            if (type.equals("IHDR")) writeChunk(out, "tEXt", (keyword + "\0" + text).getBytes(StandardCharsets.ISO_8859_1));
            offset = end;
        }
        return out.toByteArray();
    }

    private static void writeChunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] typeBytes = type.getBytes(StandardCharsets.ISO_8859_1);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(typeBytes);
        out.writeBytes(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
