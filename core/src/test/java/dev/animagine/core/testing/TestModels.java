package dev.animagine.core.testing;

import dev.animagine.core.io.Checkpoint;
import dev.animagine.core.io.CheckpointOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Fixture models opened through the real checkpoint loader, once per test JVM. A single file
 * carries no attention-head counts, so it is opened with its model's diffusers folder
 * ({@code models/X/diffusers}) as {@code --config}, as a user would.
 */
public final class TestModels {
    private static final Map<Path, Checkpoint> OPEN = new ConcurrentHashMap<>();

    private TestModels() {}

    /** The model at a path written in an index.json. */
    public static Checkpoint open(String indexPath) {
        return open(Fixtures.resolveIndexPath(indexPath));
    }

    public static Checkpoint open(Path path) {
        return OPEN.computeIfAbsent(path.toAbsolutePath().normalize(), p -> {
            CheckpointOptions options = CheckpointOptions.DEFAULT;
            if (Files.isRegularFile(p)) options = options.withConfigDirectory(diffusersFolderOf(p));
            return Checkpoint.open(p, options);
        });
    }

    /** {@code models/X/diffusers} for {@code models/X/single_file/file.safetensors}. */
    public static Path diffusersFolderOf(Path singleFile) {
        return singleFile.getParent().getParent().resolve("diffusers");
    }
}
