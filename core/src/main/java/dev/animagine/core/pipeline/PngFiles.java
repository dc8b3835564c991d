package dev.animagine.core.pipeline;

import dev.animagine.core.AnimagineException;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * PNG output with text chunks, written the way A1111 (through PIL) does it so PNG Info readers
 * and civitai find the generation parameters: a {@code tEXt} chunk when the text is Latin-1, an
 * uncompressed {@code iTXt} chunk (UTF-8) otherwise.
 */
public final class PngFiles {
    private static final String FORMAT = "javax_imageio_png_1.0";

    private PngFiles() {}

    /** An 8-bit RGB image from an image in [0, 1], NCHW with n = 1 or CHW: round(v * 255), numpy's rounding. */
    public static BufferedImage toImage(float[] chw, int width, int height) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int plane = width * height;
        int[] rgb = new int[plane];
        for (int i = 0; i < plane; i++) {
            int r = to8bit(chw[i]), g = to8bit(chw[plane + i]), b = to8bit(chw[2 * plane + i]);
            rgb[i] = (r << 16) | (g << 8) | b;
        }
        img.setRGB(0, 0, width, height, rgb, 0, width);
        return img;
    }

    /** clamp to [0, 1], times 255, round half to even (numpy.round), as diffusers' numpy_to_pil. */
    static int to8bit(float v) {
        float c = Math.clamp(v, 0f, 1f);
        return (int) Math.rint(c * 255f);
    }

    /** Writes {@code image} with the given text chunks (keyword -> text, in order) to {@code out}. */
    public static void write(BufferedImage image, Map<String, String> text, OutputStream out) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(ios);
            IIOMetadata meta = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(image), null);
            IIOMetadataNode root = new IIOMetadataNode(FORMAT);
            IIOMetadataNode tEXt = new IIOMetadataNode("tEXt"), iTXt = new IIOMetadataNode("iTXt");
            for (Map.Entry<String, String> e : text.entrySet()) {
                if (StandardCharsets.ISO_8859_1.newEncoder().canEncode(e.getValue())) {
                    IIOMetadataNode entry = new IIOMetadataNode("tEXtEntry");
                    entry.setAttribute("keyword", e.getKey());
                    entry.setAttribute("value", e.getValue());
                    tEXt.appendChild(entry);
                } else {
                    IIOMetadataNode entry = new IIOMetadataNode("iTXtEntry");
                    entry.setAttribute("keyword", e.getKey());
                    entry.setAttribute("compressionFlag", "FALSE");
                    entry.setAttribute("compressionMethod", "0");
                    entry.setAttribute("languageTag", "");
                    entry.setAttribute("translatedKeyword", "");
                    entry.setAttribute("text", e.getValue());
                    iTXt.appendChild(entry);
                }
            }
            if (tEXt.hasChildNodes()) root.appendChild(tEXt);
            if (iTXt.hasChildNodes()) root.appendChild(iTXt);
            meta.mergeTree(FORMAT, root);
            writer.write(null, new IIOImage(image, null, meta), null);
        } finally {
            writer.dispose();
        }
    }

    /** The text chunks of a PNG file (tEXt, iTXt and zTXt), keyword -> text. */
    public static Map<String, String> readText(Path png) {
        if (!Files.isRegularFile(png)) throw new AnimagineException(png + ": file not found");
        try (ImageInputStream in = ImageIO.createImageInputStream(png.toFile())) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            ImageReader reader = null;
            while (readers.hasNext()) {
                ImageReader r = readers.next();
                if (r.getFormatName().equalsIgnoreCase("png")) reader = r;
            }
            if (reader == null) throw new AnimagineException(png + ": not a PNG image");
            try {
                reader.setInput(in, true, false);
                Node root = reader.getImageMetadata(0).getAsTree(FORMAT);
                Map<String, String> out = new LinkedHashMap<>();
                for (Node chunk = root.getFirstChild(); chunk != null; chunk = chunk.getNextSibling()) {
                    String name = chunk.getNodeName();
                    if (!name.equals("tEXt") && !name.equals("iTXt") && !name.equals("zTXt")) continue;
                    for (Node e = chunk.getFirstChild(); e != null; e = e.getNextSibling()) {
                        NamedNodeMap a = e.getAttributes();
                        String value = a.getNamedItem(name.equals("tEXt") ? "value" : "text").getNodeValue(); // zTXt and iTXt entries hold "text"
                        out.put(a.getNamedItem("keyword").getNodeValue(), value);
                    }
                }
                return out;
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw new AnimagineException(png + ": cannot read PNG (" + e.getMessage() + ")");
        }
    }
}
