package dev.animagine.core.io;

import dev.animagine.core.AnimagineException;
import dev.animagine.core.InvalidArgumentException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Turns what the user typed as MODEL into a single file or a diffusers folder: a path to either, a
 * Hugging Face cache folder ({@code models--org--name}, resolved through {@code refs/main}, or one of
 * its {@code snapshots/<rev>}), or a repo id ({@code org/name}) looked up in the local cache. There is
 * no network access: a repo that is not in the cache is an error that says so.
 */
public final class ModelLocator {
    /** Where the model is and how it is laid out. */
    public record Located(Path path, Layout layout) {}

    public enum Layout {
        SINGLE_FILE("single-file"), DIFFUSERS("diffusers");

        private final String label;

        Layout(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private static final Pattern REPO_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*");

    private ModelLocator() {}

    public static Located locate(String model, CheckpointOptions options) {
        if (model == null || model.isBlank()) throw new InvalidArgumentException("MODEL is empty");
        Path p = Path.of(model);
        if (Files.isRegularFile(p)) return new Located(p, Layout.SINGLE_FILE);
        if (Files.isDirectory(p)) return directory(p, model);
        boolean looksLikeFile = model.matches("(?i).*\\.(safetensors|ckpt|pt|pth|bin|gguf|json)$");
        if (REPO_ID.matcher(model).matches() && !model.startsWith(".") && !looksLikeFile) return repoId(model, options);
        throw new InvalidArgumentException(model + ": no such file or directory");
    }

    /** The hub caches searched for repo ids, in order. */
    public static List<Path> hubCaches(CheckpointOptions options) {
        if (options.hubCaches() != null) return options.hubCaches();
        List<Path> out = new ArrayList<>();
        String hubCache = System.getenv("HF_HUB_CACHE"), legacy = System.getenv("HUGGINGFACE_HUB_CACHE"), home = System.getenv("HF_HOME");
        if (hubCache != null && !hubCache.isBlank()) out.add(Path.of(hubCache));
        if (legacy != null && !legacy.isBlank()) out.add(Path.of(legacy));
        if (home != null && !home.isBlank()) out.add(Path.of(home, "hub"));
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) out.add(Path.of(xdg, "huggingface", "hub"));
        out.add(Path.of(System.getProperty("user.home"), ".cache", "huggingface", "hub"));
        return out;
    }

    private static Located repoId(String id, CheckpointOptions options) {
        String folder = "models--" + id.replace("/", "--");
        List<Path> caches = hubCaches(options);
        for (Path cache : caches) {
            Path repo = cache.resolve(folder);
            if (Files.isDirectory(repo)) return directory(repo, id);
        }
        throw new AnimagineException(id + ": not found as a path, nor in the local Hugging Face cache (looked for " + folder + " in "
                + String.join(", ", caches.stream().map(Path::toString).toList())
                + "); there is no network access: download it first (e.g. huggingface-cli download " + id + ") or pass a path");
    }

    private static Located directory(Path dir, String asTyped) {
        Path snapshots = dir.resolve("snapshots");
        if (Files.isDirectory(snapshots)) return directory(snapshot(dir, snapshots), asTyped);
        if (Files.isRegularFile(dir.resolve("model_index.json")) || Files.isDirectory(dir.resolve("unet"))) {
            // a repo may hold both layouts (Animagine XL does); if the diffusers parts are incomplete use the single file
            if (!DiffusersFolder.missingComponents(dir).isEmpty()) {
                List<Path> singles = topLevelSafetensors(dir);
                if (singles.size() == 1) return new Located(singles.getFirst(), Layout.SINGLE_FILE);
            }
            return new Located(dir, Layout.DIFFUSERS);
        }
        List<Path> singles = topLevelSafetensors(dir);
        if (singles.size() == 1) return new Located(singles.getFirst(), Layout.SINGLE_FILE);
        if (singles.size() > 1)
            throw new InvalidArgumentException(asTyped + ": holds several .safetensors files ("
                    + String.join(", ", singles.stream().map(s -> s.getFileName().toString()).sorted().toList()) + "); pass one of them");
        for (Path f : list(dir)) {
            String n = f.getFileName().toString().toLowerCase(Locale.ROOT);
            if (n.endsWith(".ckpt") || n.endsWith(".pt") || n.endsWith(".pth") || n.endsWith(".bin")) FileKind.requireSafetensors(f);
        }
        throw new AnimagineException(asTyped + ": neither a diffusers folder (no model_index.json) nor a folder with a .safetensors checkpoint");
    }

    /** {@code refs/main}'s revision, else the only snapshot. */
    private static Path snapshot(Path repo, Path snapshots) {
        Path ref = repo.resolve("refs").resolve("main");
        if (Files.isRegularFile(ref)) {
            try {
                String rev = Files.readString(ref).trim();
                Path s = snapshots.resolve(rev);
                if (!rev.isEmpty() && !rev.contains("/") && Files.isDirectory(s)) return s;
                throw new AnimagineException(repo + ": refs/main names revision '" + rev + "' but snapshots/" + rev + " is missing (incomplete download?)");
            } catch (IOException e) {
                throw new AnimagineException(ref + ": cannot read (" + e.getMessage() + ")");
            }
        }
        List<Path> revs = list(snapshots).stream().filter(Files::isDirectory).toList();
        if (revs.size() == 1) return revs.getFirst();
        if (revs.isEmpty()) throw new AnimagineException(repo + ": no snapshots (nothing downloaded yet?)");
        throw new InvalidArgumentException(repo + ": has no refs/main and " + revs.size() + " snapshots; pass one of "
                + snapshots + "/<revision>");
    }

    static List<Path> topLevelSafetensors(Path dir) {
        return list(dir).stream().filter(f -> f.getFileName().toString().endsWith(".safetensors") && Files.isRegularFile(f)).sorted().toList();
    }

    private static List<Path> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        } catch (IOException e) {
            throw new AnimagineException(dir + ": cannot list (" + e.getMessage() + ")");
        }
    }
}
