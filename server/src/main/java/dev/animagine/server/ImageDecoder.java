package dev.animagine.server;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Base64;
import java.util.Iterator;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Images sent in requests: bare base64 or a {@code data:image/...;base64,} URL. The base64 is
 * checked strictly, and the pixel count is read from the image header and checked before any pixel
 * is decoded, so a small body cannot make the server allocate a huge raster. URLs are never fetched.
 */
public final class ImageDecoder {
    private static final Pattern DATA_URL = Pattern.compile("^data:image/[A-Za-z0-9.+-]+;base64,", Pattern.CASE_INSENSITIVE);
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    /** An image whose header was read: its bytes, format and size; pixels not decoded yet. */
    public record Checked(String field, byte[] bytes, String format, int width, int height) {
        /** Decodes the pixels (the size was checked already). */
        public BufferedImage decode() {
            try {
                BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
                if (image == null) throw ApiException.badRequest(field, "is not a readable image");
                return image;
            } catch (IOException | RuntimeException e) {
                if (e instanceof ApiException a) throw a;
                throw ApiException.badRequest(field, "is not a readable " + format + " image (" + e.getMessage() + ")");
            }
        }
    }

    private ImageDecoder() {}

    /** The bytes of a base64 image or data URL; 400 naming the field when it is not valid base64. */
    public static byte[] base64(String field, String text) {
        if (text == null || text.isBlank()) throw ApiException.badRequest(field, "is empty (expected a base64 image)");
        String s = text.strip();
        String lower = s.length() > 8 ? s.substring(0, 8).toLowerCase(Locale.ROOT) : s.toLowerCase(Locale.ROOT);
        if (lower.startsWith("http://") || lower.startsWith("https:/") || lower.startsWith("file:"))
            throw ApiException.unprocessable(field, "URLs are not fetched; send the image as base64 or a data: URL");
        var m = DATA_URL.matcher(s);
        if (m.find()) s = s.substring(m.end());
        else if (s.regionMatches(true, 0, "data:", 0, 5))
            throw ApiException.badRequest(field, "is a data: URL that is not data:image/...;base64,");
        s = WHITESPACE.matcher(s).replaceAll("");
        try {
            byte[] bytes = Base64.getDecoder().decode(s);
            if (bytes.length == 0) throw ApiException.badRequest(field, "is empty (expected a base64 image)");
            return bytes;
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(field, "is not valid base64 (" + e.getMessage() + ")");
        }
    }

    /** Decodes base64 and reads the image header; refuses more than {@code maxPixels} pixels. */
    public static Checked check(String field, String text, long maxPixels) {
        byte[] bytes = base64(field, text);
        return checkBytes(field, bytes, maxPixels);
    }

    public static Checked checkBytes(String field, byte[] bytes, long maxPixels) {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) throw ApiException.badRequest(field, "is not a PNG, JPEG, GIF or BMP image");
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int w = reader.getWidth(0), h = reader.getHeight(0);
                if (w <= 0 || h <= 0) throw ApiException.badRequest(field, "has no pixels (" + w + "x" + h + ")");
                if ((long) w * h > maxPixels)
                    throw ApiException.tooLarge(field, "image is " + w + "x" + h + " (" + ((long) w * h) + " pixels, at most " + maxPixels + ")");
                return new Checked(field, bytes, reader.getFormatName().toLowerCase(Locale.ROOT), w, h);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof ApiException a) throw a;
            throw ApiException.badRequest(field, "is not a readable image (" + e.getMessage() + ")");
        }
    }
}
