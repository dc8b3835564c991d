package dev.animagine.core.pipeline;

import dev.animagine.core.AnimagineException;
import dev.animagine.core.InvalidArgumentException;
import dev.animagine.core.io.AtomicFiles;
import dev.animagine.core.io.Checkpoint;
import dev.animagine.core.io.ModelHashes;
import dev.animagine.core.io.SafetensorsWriter;
import dev.animagine.core.sampling.Seeds;
import dev.animagine.core.tensor.DType;
import dev.animagine.core.tensor.Tensor;
import dev.animagine.core.text.EmphasisMode;
import dev.animagine.core.text.PromptMode;
import dev.animagine.core.text.SdxlTextEncoder.Embedding;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where generated images go and what they carry: a PNG with the A1111 {@code parameters} text,
 * written atomically and never over an existing file. The output is either a {@code .png} path
 * (several images get {@code -2}, {@code -3}, ... suffixes) or a folder of A1111-style numbered
 * files {@code NNNNN-SEED.png}.
 */
public final class ImageOutput {
    private static final Pattern NUMBERED = Pattern.compile("^(\\d{5})-.*\\.png$");
    private final Path target;
    private final boolean directory;

    private ImageOutput(Path target, boolean directory) {
        this.target = target;
        this.directory = directory;
    }

    /** A path ending in .png is a file; anything else a folder (created when missing). */
    public static ImageOutput of(Path output, int images) {
        boolean file = output.getFileName() != null && output.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png");
        if (file) {
            if (Files.isDirectory(output)) throw new InvalidArgumentException("--output " + output + " is a directory, not a .png file");
            for (int i = 0; i < images; i++) {
                Path p = fileFor(output, i);
                if (Files.exists(p)) throw new InvalidArgumentException("--output " + p + " already exists (refusing to overwrite it)");
            }
            Path parent = output.toAbsolutePath().getParent();
            if (parent != null && !Files.isDirectory(parent))
                throw new InvalidArgumentException("--output " + output + ": directory " + parent + " does not exist");
            return new ImageOutput(output, false);
        }
        if (Files.exists(output) && !Files.isDirectory(output))
            throw new InvalidArgumentException("--output " + output + " exists and is not a directory (give a folder or a new .png path)");
        return new ImageOutput(output, true);
    }

    private static Path fileFor(Path file, int index) {
        if (index == 0) return file;
        String name = file.getFileName().toString();
        String stem = name.substring(0, name.length() - 4);
        return file.resolveSibling(stem + "-" + (index + 1) + ".png");
    }

    /**
     * Writes image {@code index} of a run as a PNG carrying {@code parameters}; returns its path.
     *
     * @param image RGB in [0, 1], [1, 3, h, w]
     */
    public Path write(Tensor image, String parameters, long seed, int index) {
        var rgb = PngFiles.toImage(image.data(), image.dim(3), image.dim(2));
        Map<String, String> text = Map.of("parameters", parameters);
        if (!directory) {
            Path p = fileFor(target, index);
            AtomicFiles.write(p, false, tmp -> writePng(rgb, text, tmp));
            return p;
        }
        try {
            Files.createDirectories(target);
        } catch (IOException e) {
            throw new AnimagineException("--output " + target + ": cannot create the folder (" + e.getMessage() + ")");
        }
        for (int attempt = 0; ; attempt++) {
            Path p = target.resolve(String.format("%05d-%s.png", nextNumber(), Seeds.format(seed)));
            try {
                AtomicFiles.write(p, false, tmp -> writePng(rgb, text, tmp));
                return p;
            } catch (AnimagineException e) {
                if (attempt > 5 || !Files.exists(p)) throw e; // another process took the number: try the next
            }
        }
    }

    private static void writePng(java.awt.image.BufferedImage image, Map<String, String> text, Path tmp) throws IOException {
        try (OutputStream out = Files.newOutputStream(tmp)) {
            PngFiles.write(image, text, out);
        }
    }

    private int nextNumber() {
        int max = -1;
        try (Stream<Path> s = Files.list(target)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Matcher m = NUMBERED.matcher(p.getFileName().toString());
                if (m.matches()) max = Math.max(max, Integer.parseInt(m.group(1)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return max + 1;
    }

    /** A1111's parameters text for one image. */
    public static Infotext infotext(ImageResult r, Checkpoint checkpoint) {
        return infotext(r.request(), ModelHashes.shortHash(checkpoint), modelName(checkpoint.path()),
                checkpoint.externalVae().map(v -> v.getFileName().toString()).orElse(null));
    }

    /** A1111's parameters text for a request run with the given model (A1111 short hash, name; external VAE file name or null). */
    public static Infotext infotext(GenerationRequest q, String modelHash, String modelName, String vae) {
        Infotext t = new Infotext(q.prompt(), q.negativePrompt());
        t.put("Steps", q.steps())
                .put("Sampler", q.sampler().a1111Name())
                .put("Schedule type", q.schedule().a1111Name())
                .put("CFG scale", q.cfgScale())
                .put("Seed", Seeds.format(q.seed()))
                .put("Size", q.width() + "x" + q.height())
                .put("Model hash", modelHash)
                .put("Model", modelName)
                .put("VAE", vae);
        if (q.clipSkip() != 1) t.put("Clip skip", q.clipSkip());
        if (q.originalWidth() != q.width() || q.originalHeight() != q.height())
            t.put("Original size", q.originalWidth() + "x" + q.originalHeight());
        if (q.targetWidth() != q.width() || q.targetHeight() != q.height())
            t.put("Target size", q.targetWidth() + "x" + q.targetHeight());
        if (q.cropTop() != 0 || q.cropLeft() != 0) t.put("Crop", q.cropTop() + "," + q.cropLeft());
        if (q.savings().deepCache()) t.put("DeepCache", q.savings().deepCacheInterval());
        if (q.savings().cutsCfg()) t.put("CFG cutoff", q.savings().cfgCutoff());
        if (q.promptMode() == PromptMode.A1111 && q.a1111().emphasis() != EmphasisMode.ORIGINAL) t.put("Emphasis", q.a1111().emphasis().a1111Name());
        if (q.promptMode() == PromptMode.DIFFUSERS) t.put("Prompt encoding", "diffusers");
        t.put("RNG", "CPU");
        t.put("Version", "animagine-java " + version());
        return t;
    }

    /** The name A1111 shows: the file name without extension, a diffusers folder's name, a cached repo's name. */
    static String modelName(Path model) {
        Path abs = model.toAbsolutePath().normalize();
        // Hugging Face cache: .../models--org--name/snapshots/<rev>
        if (abs.getParent() != null && abs.getParent().getFileName() != null && abs.getParent().getFileName().toString().equals("snapshots")
                && abs.getParent().getParent() != null) {
            String repo = abs.getParent().getParent().getFileName().toString();
            if (repo.startsWith("models--")) return repo.substring(repo.lastIndexOf("--") + 2);
        }
        String n = abs.getFileName().toString();
        return n.toLowerCase(Locale.ROOT).endsWith(".safetensors") ? n.substring(0, n.length() - ".safetensors".length()) : n;
    }

    static String version() {
        String v = ImageOutput.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /**
     * {@code --dump}: conditioning.safetensors (prompt_embeds, pooled_prompt_embeds and, with CFG, the
     * negative ones) and latents.safetensors (initial_noise before scaling, final latents), float32.
     *
     * @param index the image's index in a batch (a subfolder per image), or -1 for a single image
     */
    public void dump(ImageResult r, Path dir, int index) {
        Path d = index < 0 ? dir : dir.resolve(String.format("%05d-%s", index, Seeds.format(r.request().seed())));
        try {
            Files.createDirectories(d);
        } catch (IOException e) {
            throw new AnimagineException("--dump " + d + ": cannot create the folder (" + e.getMessage() + ")");
        }
        SafetensorsWriter cond = new SafetensorsWriter(d.resolve("conditioning.safetensors"));
        addEmbedding(cond, "prompt_embeds", "pooled_prompt_embeds", r.conditioning().positive());
        if (r.conditioning().negative() != null)
            addEmbedding(cond, "negative_prompt_embeds", "negative_pooled_prompt_embeds", r.conditioning().negative());
        cond.metadata("prompt", r.request().prompt()).write();
        int[] s = r.latents().shape();
        long[] shape = {s[0], s[1], s[2], s[3]};
        // a hires run's noise is the first pass's, at the request's size
        long[] noiseShape = r.initialNoise().length == r.latents().data().length ? shape
                : new long[] {s[0], s[1], r.request().height() / 8, r.request().width() / 8};
        new SafetensorsWriter(d.resolve("latents.safetensors"))
                .add("initial_noise", DType.F32, noiseShape, r.initialNoise())
                .add("latents", DType.F32, shape, r.latents().data())
                .metadata("seed", Seeds.format(r.request().seed()))
                .write();
    }

    private static void addEmbedding(SafetensorsWriter w, String embeds, String pooled, Embedding e) {
        w.add(embeds, DType.F32, new long[] {1, e.tokens(), e.width()}, e.hiddenStates());
        w.add(pooled, DType.F32, new long[] {1, e.pooled().length}, e.pooled());
    }
}
