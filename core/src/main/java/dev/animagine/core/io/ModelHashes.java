package dev.animagine.core.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The A1111/civitai short hash of a checkpoint, remembered across runs as A1111 does in its
 * cache.json: hashing a 7 GB file takes seconds, so the result is kept per absolute path, size and
 * modification time in {@code $ANIMAGINE_CACHE/hashes.json} (default
 * {@code $XDG_CACHE_HOME/animagine} or {@code ~/.cache/animagine}). A cache that cannot be read or
 * written is simply not used.
 */
public final class ModelHashes {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelHashes() {}

    public static synchronized String shortHash(Checkpoint checkpoint) {
        Path cacheFile = cacheDirectory().resolve("hashes.json");
        String key;
        try {
            BasicFileAttributes a = Files.readAttributes(checkpoint.path(), BasicFileAttributes.class);
            key = checkpoint.path().toAbsolutePath().normalize() + "|" + checkpoint.fileSize() + "|" + a.lastModifiedTime().toMillis();
        } catch (IOException e) {
            return checkpoint.shortHash();
        }
        ObjectNode cache = read(cacheFile);
        String cached = cache.path(key).asText(null);
        if (cached != null && cached.matches("[0-9a-f]{10}")) return cached;
        String hash = checkpoint.shortHash();
        cache.put(key, hash);
        try {
            Files.createDirectories(cacheFile.getParent());
            AtomicFiles.writeString(cacheFile, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(cache), true);
        } catch (IOException | RuntimeException ignored) {
            // an unwritable cache only costs the next run the hashing time
        }
        return hash;
    }

    static Path cacheDirectory() {
        String dir = System.getProperty("animagine.cache", System.getenv("ANIMAGINE_CACHE"));
        if (dir != null) return Path.of(dir);
        String xdg = System.getenv("XDG_CACHE_HOME");
        return (xdg != null ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache")).resolve("animagine");
    }

    private static ObjectNode read(Path file) {
        try {
            if (Files.isRegularFile(file) && JSON.readTree(file.toFile()) instanceof ObjectNode o) return o;
        } catch (IOException | RuntimeException ignored) {
            // start a fresh cache
        }
        return JSON.createObjectNode();
    }
}
