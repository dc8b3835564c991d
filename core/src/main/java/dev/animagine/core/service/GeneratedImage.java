package dev.animagine.core.service;

import dev.animagine.core.pipeline.ImageResult;
import dev.animagine.core.pipeline.PngFiles;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * One finished image with everything needed to save, show or redo it.
 *
 * @param index          position in the request's batch (0-based)
 * @param seed           the seed it was made with
 * @param prompt         the final prompt that was encoded (after the Animagine conventions)
 * @param negativePrompt the final negative prompt ("" when none)
 * @param parameters     A1111's infotext ("parameters" PNG chunk)
 * @param result         pixels and intermediates (conditioning, noise, latents) of the pipeline
 */
public record GeneratedImage(int index, long seed, String prompt, String negativePrompt, String parameters, ImageResult result) {

    public int width() {
        return result.image().dim(3);
    }

    public int height() {
        return result.image().dim(2);
    }

    public BufferedImage toBufferedImage() {
        return PngFiles.toImage(result.image().data(), width(), height());
    }

    /** The PNG file's bytes, with the infotext in its {@code parameters} chunk. */
    public byte[] png() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            PngFiles.write(toBufferedImage(), Map.of("parameters", parameters), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
