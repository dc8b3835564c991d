package dev.animagine.core.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.animagine.core.io.SafetensorsFile;
import dev.animagine.core.tensor.StoredTensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Access to the golden reference data in {@code ../shared/fixtures} (never copied into the project).
 * The location comes from the system property {@code animagine.fixtures} or the environment variable
 * {@code ANIMAGINE_FIXTURES}, else {@code <animagine.shared>/fixtures}, else {@code ../shared/fixtures}
 * from the repository root; a held-out set with the same structure can be pointed at the same way.
 */
public final class Fixtures {
    private static final ObjectMapper JSON = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
    private static final Map<Path, SafetensorsFile> OPEN = new ConcurrentHashMap<>();

    private Fixtures() {}

    public static Path root() {
        String p = System.getProperty("animagine.fixtures");
        if (p == null) p = System.getenv("ANIMAGINE_FIXTURES");
        if (p != null) return Path.of(p).toAbsolutePath().normalize();
        return shared().resolve("fixtures");
    }

    /** {@code ../shared}: the fixtures and the CLIP vocabulary ({@code clip/}). */
    public static Path shared() {
        String s = System.getProperty("animagine.shared");
        if (s == null) s = System.getenv("ANIMAGINE_SHARED");
        if (s != null && Files.isDirectory(Path.of(s))) return Path.of(s).toAbsolutePath().normalize();
        Path dir = Path.of("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("../shared/fixtures"))) return d.resolve("../shared").normalize();
        }
        throw new IllegalStateException("cannot find ../shared/fixtures from " + dir);
    }

    /** The directory with OpenAI's CLIP vocabulary ({@code bpe_simple_vocab_16e6.txt.gz}, vocab.json, merges.txt). */
    public static Path clipVocabulary() {
        return shared().resolve("clip");
    }

    public static Path path(String relative) {
        return root().resolve(relative);
    }

    /**
     * A path as written in an index.json ({@code shared/fixtures/models/A/diffusers}), resolved
     * against the fixture root whatever the name of the set's top folder.
     */
    public static Path resolveIndexPath(String indexPath) {
        int i = indexPath.indexOf("fixtures/");
        return i < 0 ? root().resolve(indexPath) : root().resolve(indexPath.substring(i + "fixtures/".length()));
    }

    public static JsonNode json(String relative) {
        try {
            return JSON.readTree(path(relative).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The {@code cases} of a category's index.json as a list. */
    public static List<JsonNode> cases(String category) {
        JsonNode c = json(category + "/index.json").get("cases");
        List<JsonNode> out = new ArrayList<>();
        if (c.isArray()) c.forEach(out::add);
        else c.properties().forEach(e -> out.add(e.getValue()));
        return out;
    }

    /** A fixture tensor file, opened once per test JVM. */
    public static SafetensorsFile tensors(String relative) {
        return OPEN.computeIfAbsent(path(relative), SafetensorsFile::open);
    }

    public static StoredTensor tensor(String relativeFile, String key) {
        return tensors(relativeFile).tensor(key);
    }

    /** The model folders present (e.g. {@code models/A}), so tests cover held-out models too. */
    public static List<Path> models() {
        try (var s = Files.list(root().resolve("models"))) {
            return s.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
