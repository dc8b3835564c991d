package dev.animagine.core.io;

import dev.animagine.core.AnimagineException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Recognises model files the engine cannot read, before they are parsed as safetensors, so the
 * user gets the real reason instead of "bad header".
 */
public final class FileKind {
    private FileKind() {}

    /** Fails with one clear line for pickles (.ckpt/.pt/.bin) and GGUF; returns for anything else. */
    public static void requireSafetensors(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        byte[] head = new byte[4];
        int n = 0;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, 4);
        } catch (IOException e) {
            // unreadable: SafetensorsFile.open reports it with the file name
            return;
        }
        boolean zip = n >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
        boolean pickle = n >= 2 && (head[0] & 0xFF) == 0x80 && head[1] >= 2 && head[1] <= 5;
        if (zip || pickle || name.endsWith(".ckpt") || name.endsWith(".pt") || name.endsWith(".pth") || name.endsWith(".bin") || name.endsWith(".pkl"))
            throw new AnimagineException(file + ": is a PyTorch pickle checkpoint, which is not supported: unpickling can run "
                    + "arbitrary code and needs Python; use the model's .safetensors release or convert it to safetensors");
        if (n >= 4 && head[0] == 'G' && head[1] == 'G' && head[2] == 'U' && head[3] == 'F')
            throw new AnimagineException(file + ": is a GGUF file, which is not supported; use the model's .safetensors release");
    }
}
