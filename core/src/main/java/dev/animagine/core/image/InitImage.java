package dev.animagine.core.image;

import dev.animagine.core.InvalidArgumentException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * An encoded image a request carries (init image or mask): the file's bytes as sent (PNG, JPEG,
 * WebP) and a name for error messages (a path, or e.g. "init_images[0]" for an HTTP upload). It
 * is decoded with {@link ImageFiles#read(InitImage)}, which checks the header's size first.
 */
public record InitImage(byte[] bytes, String name) {
    public InitImage {
        if (bytes == null) throw new IllegalArgumentException("no bytes");
        if (name == null || name.isBlank()) name = "image";
    }

    /** Reads a file's bytes (the error names the file). */
    public static InitImage of(Path file) {
        try {
            return new InitImage(Files.readAllBytes(file), file.toString());
        } catch (NoSuchFileException e) {
            throw new InvalidArgumentException("image file " + file + " does not exist");
        } catch (IOException e) {
            throw new InvalidArgumentException("cannot read image file " + file + ": " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return name + " (" + bytes.length + " bytes)";
    }
}
