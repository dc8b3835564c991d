package dev.animagine.server;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

import javax.imageio.ImageIO;

/**
 * OpenAI's edit mask is a picture whose fully transparent pixels mark what is edited; the engine's
 * (and A1111's) mask is white where the picture is repainted and black elsewhere.
 */
final class OpenAiMask {
    private OpenAiMask() {}

    /** The PNG of the engine's mask: white where the OpenAI mask's alpha is 0. */
    static byte[] toRepaintMask(ImageDecoder.Checked mask) {
        BufferedImage in = mask.decode();
        if (!in.getColorModel().hasAlpha())
            throw ApiException.badRequest("mask", "must have an alpha channel (transparent where the image is edited)");
        int w = in.getWidth(), h = in.getHeight();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        int edited = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                boolean transparent = (in.getRGB(x, y) >>> 24) == 0;
                if (transparent) edited++;
                out.setRGB(x, y, transparent ? 0xFFFFFF : 0x000000);
            }
        }
        if (edited == 0) throw ApiException.badRequest("mask", "has no fully transparent pixel: nothing to edit");
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        try {
            ImageIO.write(out, "png", png);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return png.toByteArray();
    }
}
