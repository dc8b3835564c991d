package dev.animagine.core.image;

import dev.animagine.core.AnimagineException;
import dev.animagine.core.InvalidArgumentException;

import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;

/**
 * Reads init images and masks (PNG, JPEG, and whatever other format an ImageIO plugin on the class
 * path reads, e.g. WebP) into {@link PixelImage}s with PIL's channel layout. The pixel count is
 * checked from the header before anything is decoded, so a small file that claims a huge image
 * (a decompression bomb) is refused cheaply; a truncated or corrupt file is an error naming it (as
 * PIL's {@code LOAD_TRUNCATED_IMAGES = False}), never a partly grey image.
 */
public final class ImageFiles {
    /** PIL's {@code Image.MAX_IMAGE_PIXELS} (above it PIL warns, above twice it refuses); we refuse. */
    public static final long DEFAULT_MAX_PIXELS = 89_478_485L;

    private ImageFiles() {}

    /** The image as PIL opens it: L (1 channel), LA (2), RGB (3) or RGBA (4). */
    public static PixelImage read(Path file) {
        return read(file, DEFAULT_MAX_PIXELS);
    }

    public static PixelImage read(Path file, long maxPixels) {
        if (!Files.isRegularFile(file)) throw new InvalidArgumentException("image file " + file + " does not exist");
        return decode(file.toString(), maxPixels, () -> ImageIO.createImageInputStream(file.toFile()));
    }

    /** An image sent as bytes (an upload, or a file the front end read), decoded as {@link #read(Path)} does. */
    public static PixelImage read(InitImage image) {
        return decode(image.name(), DEFAULT_MAX_PIXELS, () -> ImageIO.createImageInputStream(new java.io.ByteArrayInputStream(image.bytes())));
    }

    private interface StreamOpener {
        ImageInputStream open() throws IOException;
    }

    private static PixelImage decode(String file, long maxPixels, StreamOpener opener) {
        try (ImageInputStream in = opener.open()) {
            if (in == null) throw new AnimagineException("cannot read image " + file);
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) throw new AnimagineException("cannot read image " + file + ": not a PNG, JPEG or other supported image format");
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long w = reader.getWidth(0), h = reader.getHeight(0);
                if (w < 1 || h < 1) throw new AnimagineException("cannot read image " + file + ": size " + w + "x" + h);
                if (w * h > maxPixels)
                    throw new InvalidArgumentException("image " + file + " is " + w + "x" + h + " = " + w * h
                            + " pixels, more than the limit of " + maxPixels + " (a decompression bomb?)");
                String[] warning = new String[1];
                reader.addIIOReadWarningListener((IIOReadWarningListener) (src, msg) -> {
                    if (warning[0] == null) warning[0] = msg;
                });
                BufferedImage img = reader.read(0);
                if (warning[0] != null) throw new AnimagineException("cannot read image " + file + ": " + warning[0]);
                return fromBuffered(img);
            } finally {
                reader.dispose();
            }
        } catch (NoSuchFileException e) {
            throw new InvalidArgumentException("image file " + file + " does not exist");
        } catch (IIOException e) {
            throw new AnimagineException("cannot read image " + file + ": " + describe(e));
        } catch (IOException | RuntimeException e) {
            if (e instanceof AnimagineException a) throw a;
            if (e instanceof InvalidArgumentException a) throw a;
            throw new AnimagineException("cannot read image " + file + ": " + describe(e));
        }
    }

    private static String describe(Throwable e) {
        StringBuilder s = new StringBuilder(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        for (Throwable c = e.getCause(); c != null && c != e; c = c.getCause())
            if (c.getMessage() != null) s.append(": ").append(c.getMessage());
        return s.toString().replace('\n', ' ');
    }

    /**
     * PIL's view of a decoded image: grey stays L (raw samples, no gamma conversion), grey + alpha
     * is LA, palette images become RGB (PIL's {@code convert('RGB')} of "P" drops transparency),
     * colour images RGB or RGBA by whether they carry alpha. 16-bit samples keep their high byte.
     */
    static PixelImage fromBuffered(BufferedImage img) {
        int w = img.getWidth(), h = img.getHeight(), n = w * h;
        ColorModel cm = img.getColorModel();
        Raster r = img.getRaster();
        int bands = r.getNumBands();
        boolean indexed = cm instanceof IndexColorModel;
        if (!indexed && cm.getNumColorComponents() == 1) {
            int bits = cm.getComponentSize(0);
            int[] grey = r.getSamples(0, 0, w, h, 0, (int[]) null);
            if (bits > 8) for (int i = 0; i < n; i++) grey[i] >>= bits - 8;
            if (!cm.hasAlpha() || bands < 2) return new PixelImage(w, h, 1, grey);
            int[] alpha = r.getSamples(0, 0, w, h, 1, (int[]) null);
            int abits = cm.getComponentSize(1);
            int[] d = new int[2 * n];
            for (int i = 0; i < n; i++) {
                d[i] = grey[i];
                d[n + i] = abits > 8 ? alpha[i] >> (abits - 8) : alpha[i];
            }
            return new PixelImage(w, h, 2, d);
        }
        boolean alpha = cm.hasAlpha() && !indexed;
        int ch = alpha ? 4 : 3;
        int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
        int[] d = new int[ch * n];
        for (int i = 0; i < n; i++) {
            int p = argb[i];
            d[i] = (p >> 16) & 255;
            d[n + i] = (p >> 8) & 255;
            d[2 * n + i] = p & 255;
            if (alpha) d[3 * n + i] = (p >>> 24) & 255;
        }
        return new PixelImage(w, h, ch, d);
    }

    /**
     * A1111's {@code images.flatten(img, bgcolor)} then {@code convert('RGB')}: RGBA is composited over
     * the background with PIL's paste-with-mask rounding, round((img·a + bg·(255 − a)) / 255); L and
     * LA are replicated to RGB (PIL's {@code convert('RGB')} drops LA's alpha); RGB is returned as is.
     */
    public static PixelImage flattenToRgb(PixelImage img, int bgR, int bgG, int bgB) {
        int n = img.plane();
        int[] d = new int[3 * n];
        switch (img.channels()) {
            case 1, 2 -> {
                for (int c = 0; c < 3; c++) System.arraycopy(img.data(), 0, d, c * n, n);
            }
            case 3 -> System.arraycopy(img.data(), 0, d, 0, 3 * n);
            default -> {
                int[] bg = {bgR, bgG, bgB};
                for (int c = 0; c < 3; c++)
                    for (int i = 0; i < n; i++) {
                        int a = img.data()[3 * n + i];
                        d[c * n + i] = div255(img.data()[c * n + i] * a + bg[c] * (255 - a));
                    }
            }
        }
        return new PixelImage(img.width(), img.height(), 3, d);
    }

    /** An init image as A1111 uses it: flattened on white ({@code img2img_background_color} #ffffff). */
    public static PixelImage readRgbOnWhite(Path file) {
        return flattenToRgb(read(file), 255, 255, 255);
    }

    /** PIL's rounded division by 255 of a product of two bytes (its DIV255 / MULDIV255 macros). */
    static int div255(int v) {
        int t = v + 128;
        return ((t >> 8) + t) >> 8;
    }

    /** PIL's {@code convert('L')} (LA keeps its grey, RGB and RGBA ignore alpha): (R·19595 + G·38470 + B·7471 + 0x8000) >> 16 (ITU-R 601-2 luma). */
    public static PixelImage toGrey(PixelImage img) {
        if (img.channels() == 1) return img;
        if (img.channels() == 2) return img.channel(0);
        int n = img.plane();
        int[] d = new int[n];
        int[] s = img.data();
        for (int i = 0; i < n; i++) d[i] = (s[i] * 19595 + s[n + i] * 38470 + s[2 * n + i] * 7471 + 0x8000) >> 16;
        return new PixelImage(img.width(), img.height(), 1, d);
    }

    /**
     * diffusers' and A1111's default processing size for an init image: each side rounded DOWN to a
     * multiple of 8 ({@code x - x % 8} in {@code VaeImageProcessor.get_default_height_width}; A1111's
     * "resize by" does {@code int(side * scale)} then {@code -= % 8}).
     */
    public static int[] defaultSize(int width, int height) {
        int w = width - width % 8, h = height - height % 8;
        if (w < 8 || h < 8) throw new InvalidArgumentException("init image " + width + "x" + height + " is smaller than 8x8");
        return new int[] {w, h};
    }
}
