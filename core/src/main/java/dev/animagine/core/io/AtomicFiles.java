package dev.animagine.core.io;

import dev.animagine.core.AnimagineException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Writing outputs so that a reader never sees half a file and nothing existing is replaced by
 * accident: content goes to a temporary sibling (same directory, so the final rename stays on one
 * file system and is atomic), which is then moved into place.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** Produces the content of a temporary path (a file, or a directory it creates). */
    @FunctionalInterface
    public interface Producer {
        void produce(Path tmp) throws IOException;
    }

    /** Fails with a clear message when {@code target} exists and may not be replaced. */
    public static void refuseExisting(Path target, boolean overwrite) {
        if (!overwrite && Files.exists(target, LinkOption.NOFOLLOW_LINKS))
            throw new AnimagineException(target + ": already exists (refusing to overwrite it; choose another output path)");
    }

    /** Runs {@code producer} on a temporary sibling of {@code target}, then moves the result into place. */
    public static void write(Path target, boolean overwrite, Producer producer) {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        refuseExisting(abs, overwrite);
        if (dir != null && !Files.isDirectory(dir))
            throw new AnimagineException(target + ": directory " + dir + " does not exist");
        Path tmp = dir.resolve("." + abs.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        try {
            producer.produce(tmp);
            moveIntoPlace(tmp, abs, overwrite);
        } catch (IOException e) {
            throw new AnimagineException(target + ": cannot write (" + e.getMessage() + ")", e);
        } finally {
            deleteRecursively(tmp);
        }
    }

    /** Writes a small text file atomically. */
    public static void writeString(Path target, String content, boolean overwrite) {
        write(target, overwrite, tmp -> Files.writeString(tmp, content, StandardCharsets.UTF_8));
    }

    private static void moveIntoPlace(Path tmp, Path target, boolean overwrite) throws IOException {
        if (overwrite) {
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            return;
        }
        // rename(2) silently replaces a file that appeared meanwhile; a plain (non-replacing) move of
        // a file or directory fails instead, and on one file system it is still a rename.
        try {
            Files.move(tmp, target);
        } catch (FileAlreadyExistsException e) {
            throw new AnimagineException(target + ": already exists (refusing to overwrite it; choose another output path)");
        } catch (FileSystemException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    static void deleteRecursively(Path p) {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(q -> {
                try {
                    Files.deleteIfExists(q);
                } catch (IOException ignored) {
                    // best effort: a leftover temporary file is harmless and clearly named
                }
            });
        } catch (IOException ignored) {
            // same
        }
    }
}
