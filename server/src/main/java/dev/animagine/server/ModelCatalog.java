package dev.animagine.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The checkpoints, LoRAs and VAEs the server may open, found once at start and on refresh. A request
 * names one of them; a name is only ever looked up in these lists, never turned into a path, so no
 * request can reach another file.
 * <p>
 * Layouts: A1111's models folder ({@code Stable-diffusion/}, {@code Lora/}, {@code VAE/}), or a flat
 * folder of checkpoints (single {@code .safetensors} files and diffusers folders, in subfolders too).
 */
public final class ModelCatalog {
    private static final int MAX_DEPTH = 4;

    /**
     * One listed file.
     *
     * @param name      A1111's name: the path below its folder, '/'-separated, with extension
     * @param modelName the name without extension, separators as '_' (A1111's model_name)
     * @param path      the file or folder (never sent to clients)
     */
    public record Entry(String name, String modelName, Path path) {
        /** A1111's title (A1111 adds " [hash]" when known; clients send back whichever they were given). */
        public String title() {
            return name;
        }
    }

    private final Path single;
    private final Path checkpointDir;
    private final Path loraDir;
    private final Path vaeDir;
    private volatile List<Entry> checkpoints = List.of();
    private volatile List<Entry> loras = List.of();
    private volatile List<Entry> vaes = List.of();

    private ModelCatalog(Path single, Path checkpointDir, Path loraDir, Path vaeDir) {
        this.single = single;
        this.checkpointDir = checkpointDir;
        this.loraDir = loraDir;
        this.vaeDir = vaeDir;
        refreshCheckpoints();
        refreshLoras();
    }

    /** From --model / --models-dir / --lora-dir. */
    public static ModelCatalog of(Path model, Path modelsDir, Path loraDir) {
        if (model == null && modelsDir == null) throw new dev.animagine.core.InvalidArgumentException("give --model or --models-dir");
        if (modelsDir != null && !Files.isDirectory(modelsDir))
            throw new dev.animagine.core.InvalidArgumentException("--models-dir " + modelsDir + ": not a directory");
        if (model != null && !Files.exists(model)) throw new dev.animagine.core.InvalidArgumentException("--model " + model + ": not found");
        Path ckptDir = null, vae = null, lora = loraDir;
        if (modelsDir != null) {
            boolean a1111 = Files.isDirectory(modelsDir.resolve("Stable-diffusion"));
            ckptDir = a1111 ? modelsDir.resolve("Stable-diffusion") : modelsDir;
            if (Files.isDirectory(modelsDir.resolve("VAE"))) vae = modelsDir.resolve("VAE");
            if (lora == null && Files.isDirectory(modelsDir.resolve("Lora"))) lora = modelsDir.resolve("Lora");
        }
        if (loraDir != null && !Files.isDirectory(loraDir))
            throw new dev.animagine.core.InvalidArgumentException("--lora-dir " + loraDir + ": not a directory");
        ModelCatalog c = new ModelCatalog(model, ckptDir, lora, vae);
        if (c.checkpoints().isEmpty()) throw new dev.animagine.core.InvalidArgumentException("--models-dir " + modelsDir + ": no checkpoints found");
        return c;
    }

    public List<Entry> checkpoints() {
        return checkpoints;
    }

    public List<Entry> loras() {
        return loras;
    }

    public List<Entry> vaes() {
        return vaes;
    }

    public synchronized void refreshCheckpoints() {
        List<Entry> out = new ArrayList<>();
        if (single != null) out.add(entry(single.getFileName().toString(), single));
        if (checkpointDir != null) out.addAll(scan(checkpointDir, true));
        checkpoints = List.copyOf(out);
        vaes = vaeDir == null ? List.of() : List.copyOf(scan(vaeDir, false));
    }

    public synchronized void refreshLoras() {
        loras = loraDir == null ? List.of() : List.copyOf(scan(loraDir, false));
    }

    /**
     * The checkpoint a client named: its title, name, model name or name without extension (A1111's
     * " [hash]" suffix ignored). Path-like names are refused with a 400; unknown ones are a 404.
     */
    public Entry checkpoint(String field, String requested) {
        return find(field, requested, checkpoints, "/sdapi/v1/sd-models");
    }

    /** The folder LoRA names are looked up in, or null when the server has none. */
    public Path loraDir() {
        return loraDir;
    }

    public Optional<Entry> lora(String requested) {
        return lookup(requested, loras);
    }

    static Entry find(String field, String requested, List<Entry> list, String listRoute) {
        refusePaths(field, requested);
        return lookup(requested, list).orElseThrow(() -> new ApiException(404, "HTTPException", field,
                field + ": no model named '" + requested + "' (see " + listRoute + ")"));
    }

    static Optional<Entry> lookup(String requested, List<Entry> list) {
        if (requested == null) return Optional.empty();
        String r = requested.strip().replaceAll("\\s*\\[[0-9a-fA-F]{8,64}]$", "");
        for (Entry e : list) if (e.name().equals(r) || e.modelName().equals(r) || e.title().equals(r)) return Optional.of(e);
        for (Entry e : list) if (stem(e.name()).equals(r) || stem(e.name()).equalsIgnoreCase(r)) return Optional.of(e);
        return Optional.empty();
    }

    /** Names are names: a '..' segment, an absolute path, a drive or a NUL is refused outright. */
    static void refusePaths(String field, String requested) {
        if (requested == null) return;
        String s = requested.replace('\\', '/');
        boolean parent = ("/" + s + "/").contains("/../");
        if (parent || s.startsWith("/") || s.matches("^[A-Za-z]:.*") || s.indexOf('\0') >= 0 || s.startsWith("~"))
            throw ApiException.badRequest(field, "'" + requested + "' looks like a file path; give a name from the server's list");
    }

    private static List<Entry> scan(Path dir, boolean checkpoints) {
        if (!Files.isDirectory(dir)) return List.of();
        List<Entry> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir, MAX_DEPTH, FileVisitOption.FOLLOW_LINKS)) {
            s.sorted(Comparator.comparing(Path::toString)).forEach(p -> {
                Path rel = dir.relativize(p);
                if (rel.toString().isEmpty() || hidden(rel)) return;
                if (insideDiffusersFolder(dir, p)) return;
                boolean file = Files.isRegularFile(p) && p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".safetensors");
                boolean folder = checkpoints && Files.isDirectory(p) && Files.isRegularFile(p.resolve("model_index.json"));
                if (file || folder) out.add(entry(rel.toString().replace('\\', '/'), p));
            });
        } catch (IOException | UncheckedIOException e) {
            throw new dev.animagine.core.InvalidArgumentException(dir + ": cannot list (" + e.getMessage() + ")");
        }
        return out;
    }

    private static boolean hidden(Path rel) {
        for (Path part : rel) if (part.toString().startsWith(".")) return true;
        return false;
    }

    private static boolean insideDiffusersFolder(Path root, Path p) {
        for (Path q = p.getParent(); q != null && q.startsWith(root) && !q.equals(root); q = q.getParent())
            if (Files.isRegularFile(q.resolve("model_index.json"))) return true;
        return false;
    }

    private static Entry entry(String name, Path path) {
        return new Entry(name, stem(name).replace('/', '_'), path);
    }

    static String stem(String name) {
        return name.toLowerCase(Locale.ROOT).endsWith(".safetensors") ? name.substring(0, name.length() - ".safetensors".length()) : name;
    }
}
