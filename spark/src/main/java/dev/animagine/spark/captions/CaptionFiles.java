package dev.animagine.spark.captions;

import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;

/**
 * Writes the small per-image caption files. On a local file system they go through java.nio:
 * Hadoop's local file system sets each new file's permissions by running {@code chmod} in a child
 * process when its native library is missing, which made a million captions take hours.
 */
abstract class CaptionFiles {
    abstract void write(String relative, String text) throws IOException;

    static CaptionFiles of(FileSystem fs, Path root) {
        if ("file".equals(fs.getUri().getScheme())) return new Local(Paths.get(fs.makeQualified(root).toUri()));
        return new Hadoop(fs, root);
    }

    private static final class Local extends CaptionFiles {
        private final java.nio.file.Path root;
        private java.nio.file.Path lastDir;

        Local(java.nio.file.Path root) {
            this.root = root;
        }

        @Override
        void write(String relative, String text) throws IOException {
            java.nio.file.Path file = root.resolve(relative);
            java.nio.file.Path dir = file.getParent();
            if (!dir.equals(lastDir)) {
                Files.createDirectories(dir);
                lastDir = dir;
            }
            Files.writeString(file, text, StandardCharsets.UTF_8);
        }
    }

    private static final class Hadoop extends CaptionFiles {
        private final FileSystem fs;
        private final Path root;

        Hadoop(FileSystem fs, Path root) {
            this.fs = fs;
            this.root = root;
        }

        @Override
        void write(String relative, String text) throws IOException {
            try (FSDataOutputStream out = fs.create(new Path(root, relative), true)) {
                out.write(text.getBytes(StandardCharsets.UTF_8));
            }
        }
    }
}
