package dev.animagine.core.io;

import dev.animagine.core.tensor.Weights;
import com.fasterxml.jackson.databind.JsonNode;
import dev.animagine.core.sampling.SchedulerJson;
import dev.animagine.core.AnimagineException;
import dev.animagine.core.io.ModelLocator.Layout;
import dev.animagine.core.io.ModelLocator.Located;
import dev.animagine.core.tensor.StoredTensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An SDXL model opened for inference, whatever its layout: an SGM/A1111 single file, a diffusers
 * folder (plain, fp16 variant or sharded weights), a Hugging Face cache folder or a repo id in the
 * local cache. Weights are memory-mapped (opening a 7 GB file takes well under a second) and exposed
 * under one naming, diffusers'/transformers': {@link #unet()} and {@link #vae()} as
 * {@code UNet2DConditionModel}/{@code AutoencoderKL} state dicts, {@link #textEncoder()} and
 * {@link #textEncoder2()} as {@code CLIPTextModel}/{@code CLIPTextModelWithProjection}
 * ({@code text_model.*}, {@code text_projection.weight} [proj, width]). Both layouts of one model
 * yield identical tensors.
 *
 * <pre>{@code
 * try (Checkpoint ckpt = Checkpoint.open("animagine-xl-4.0.safetensors", CheckpointOptions.DEFAULT)) {
 *     UNetConfig cfg = ckpt.architecture().unet();
 *     StoredTensor w = ckpt.unet().get("conv_in.weight");
 * }
 * }</pre>
 * Tensors are valid until {@link #close()}.
 */
public final class Checkpoint implements AutoCloseable {
    private final Path path;
    private final Layout layout;
    private final SdxlArchitecture architecture;
    private final Map<Component, Weights> weights;
    private final List<SafetensorsFile> files;
    private final List<Path> hashFiles;
    private final long fileSize;
    private final SchedulerJson schedulerConfig;
    private final Path folder;
    private final boolean forceZerosForEmptyPrompt;
    private final List<String> ignoredKeys;
    private final Path externalVae;

    private Checkpoint(Path path, Layout layout, SdxlArchitecture architecture, Map<Component, Weights> weights,
                       List<SafetensorsFile> files, List<Path> hashFiles, long fileSize, SchedulerJson schedulerConfig, Path folder,
                       boolean forceZerosForEmptyPrompt, List<String> ignoredKeys, Path externalVae) {
        this.path = path;
        this.layout = layout;
        this.architecture = architecture;
        this.weights = weights;
        this.files = files;
        this.hashFiles = hashFiles;
        this.fileSize = fileSize;
        this.schedulerConfig = schedulerConfig;
        this.folder = folder;
        this.forceZerosForEmptyPrompt = forceZerosForEmptyPrompt;
        this.ignoredKeys = Collections.unmodifiableList(ignoredKeys);
        this.externalVae = externalVae;
    }

    /**
     * Opens a model.
     *
     * @param pathOrRepoId a .safetensors file, a diffusers folder, a Hugging Face cache folder, or a
     *                     repo id ({@code org/name}) in the local Hugging Face cache
     * @throws AnimagineException (one line naming the file and the problem) for anything that is not a
     *                            complete SDXL model; {@link dev.animagine.core.InvalidArgumentException}
     *                            when the path does not exist
     */
    public static Checkpoint open(String pathOrRepoId, CheckpointOptions options) {
        Located loc = ModelLocator.locate(pathOrRepoId, options);
        List<SafetensorsFile> opened = new ArrayList<>();
        try {
            ExternalVae vae = options.vae() == null ? null : ExternalVae.load(options.vae(), options.variant());
            if (vae != null) opened.addAll(vae.files());
            return loc.layout() == Layout.SINGLE_FILE
                    ? singleFile(loc.path(), options, vae, opened)
                    : diffusers(loc.path(), options, vae, opened);
        } catch (RuntimeException | Error e) {
            opened.forEach(SafetensorsFile::close);
            throw e;
        }
    }

    public static Checkpoint open(Path path, CheckpointOptions options) {
        return open(path.toString(), options);
    }

    private static Checkpoint singleFile(Path file, CheckpointOptions options, ExternalVae vae, List<SafetensorsFile> opened) {
        String origin = file.toString();
        FileKind.requireSafetensors(file);
        SafetensorsFile f = SafetensorsFile.open(file);
        opened.add(f);
        ModelFamily.requireSdxlSingleFile(f.tensors().keySet(), origin, vae != null);
        SgmToDiffusers.Result r = SgmToDiffusers.convert(f.tensors());
        List<String> ignored = new ArrayList<>(r.ignored());
        Map<Component, Map<String, StoredTensor>> named = new EnumMap<>(r.components());
        ComponentConfigs configs = options.configDirectory() == null ? ComponentConfigs.NONE : configDirectory(options.configDirectory());
        if (vae != null) {
            for (String k : named.get(Component.VAE).keySet()) ignored.add("vae/" + k + " (replaced by --vae)");
            named.put(Component.VAE, vae.weights().asMap());
        }
        SdxlArchitecture arch = detect(named, configs, origin, vae);
        Map<Component, Weights> w = validate(arch, named, origin, ignored, vae);
        return new Checkpoint(file, Layout.SINGLE_FILE, arch, w, opened, List.of(file), size(file), null, null, true, ignored,
                options.vae());
    }

    private static Checkpoint diffusers(Path dir, CheckpointOptions options, ExternalVae vae, List<SafetensorsFile> opened) {
        String origin = dir.toString();
        JsonNode index = DiffusersFolder.modelIndex(dir);
        Map<Component, Map<String, StoredTensor>> named = new EnumMap<>(Component.class);
        List<Path> unetFiles = List.of();
        long total = 0;
        for (Component c : Component.values()) {
            if (c == Component.VAE && vae != null) {
                named.put(c, vae.weights().asMap());
                continue;
            }
            DiffusersFolder.ComponentFiles cf = DiffusersFolder.open(dir, c, options.variant());
            opened.addAll(cf.files());
            named.put(c, cf.tensors());
            for (SafetensorsFile f : cf.files()) total += f.fileSize();
            if (c == Component.UNET) unetFiles = cf.weightFiles();
        }
        ComponentConfigs configs = ComponentConfigs.read(dir);
        if (options.configDirectory() != null) configs = configs.orElse(configDirectory(options.configDirectory()));
        List<String> ignored = new ArrayList<>();
        SdxlArchitecture arch = detect(named, configs, origin, vae);
        Map<Component, Weights> w = validate(arch, named, origin, ignored, vae);
        Path sched = dir.resolve("scheduler").resolve("scheduler_config.json");
        SchedulerJson schedulerConfig = Files.isRegularFile(sched) ? SchedulerJson.read(sched) : null;
        boolean forceZeros = index == null || index.path("force_zeros_for_empty_prompt").asBoolean(true);
        return new Checkpoint(dir, Layout.DIFFUSERS, arch, w, opened, unetFiles, total, schedulerConfig, dir, forceZeros, ignored,
                options.vae());
    }

    private static ComponentConfigs configDirectory(Path dir) {
        if (!Files.isDirectory(dir)) throw new dev.animagine.core.InvalidArgumentException("--config " + dir + ": not a directory");
        ComponentConfigs c = ComponentConfigs.read(dir);
        if (c.get(Component.UNET).isEmpty() && c.get(Component.TEXT_ENCODER).isEmpty())
            throw new dev.animagine.core.InvalidArgumentException("--config " + dir
                    + ": no unet/config.json or text_encoder/config.json (expected a diffusers folder)");
        return c;
    }

    private static SdxlArchitecture detect(Map<Component, Map<String, StoredTensor>> named, ComponentConfigs configs, String origin,
                                           ExternalVae vae) {
        if (vae == null) return ArchitectureDetector.detect(named, configs, origin);
        // the external VAE was detected on its own (with its own config); keep that result
        SdxlArchitecture a = ArchitectureDetector.detect(named, configs.with(Component.VAE, ComponentConfigs.NONE), origin);
        SdxlArchitecture withVae = a.withVae(vae.config());
        ArchitectureDetector.checkConsistent(withVae, origin + " with --vae");
        return withVae;
    }

    private static Map<Component, Weights> validate(SdxlArchitecture arch, Map<Component, Map<String, StoredTensor>> named, String origin,
                                                    List<String> ignored, ExternalVae vae) {
        Map<Component, Weights> w = new EnumMap<>(Component.class);
        for (Component c : Component.values()) {
            if (c == Component.VAE && vae != null) {
                w.put(c, vae.weights());
                ignored.addAll(vae.ignored());
            } else {
                w.put(c, WeightsValidator.validate(arch, c, named.get(c), origin, ignored));
            }
        }
        return w;
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new AnimagineException(p + ": cannot read size (" + e.getMessage() + ")");
        }
    }

    // ---- accessors -------------------------------------------------------------------------

    /** "single-file" or "diffusers". */
    public String layout() {
        return layout.label();
    }

    /** The file (single-file) or folder (diffusers, after resolving cache references). */
    public Path path() {
        return path;
    }

    public SdxlArchitecture architecture() {
        return architecture;
    }

    public Weights unet() {
        return weights.get(Component.UNET);
    }

    public Weights vae() {
        return weights.get(Component.VAE);
    }

    public Weights textEncoder() {
        return weights.get(Component.TEXT_ENCODER);
    }

    public Weights textEncoder2() {
        return weights.get(Component.TEXT_ENCODER_2);
    }

    public Weights weights(Component c) {
        return weights.get(c);
    }

    /** The external VAE in use ({@code --vae}), if any. */
    public Optional<Path> externalVae() {
        return Optional.ofNullable(externalVae);
    }

    /** {@code scheduler/scheduler_config.json} of a diffusers folder. */
    /** The checkpoint's {@code scheduler_config.json} as pretty-printed JSON text, when it has one. */
    public Optional<String> schedulerConfigJson() {
        return schedulerConfig().map(SchedulerJson::toString);
    }

    public Optional<SchedulerJson> schedulerConfig() {
        return Optional.ofNullable(schedulerConfig);
    }

    /**
     * The diffusers tokenizer folder of text encoder {@code i}: 1 = {@code tokenizer/}, 2 = {@code tokenizer_2/};
     * empty for single files or when absent (the CLIP vocabulary is then the standard one).
     */
    public Optional<Path> tokenizerDirectory(int i) {
        if (folder == null) return Optional.empty();
        if (i != 1 && i != 2) throw new IllegalArgumentException("text encoder index must be 1 or 2: " + i);
        Path p = folder.resolve(i == 1 ? "tokenizer" : "tokenizer_2");
        return Files.isDirectory(p) ? Optional.of(p) : Optional.empty();
    }

    /** diffusers' {@code force_zeros_for_empty_prompt} (model_index.json; true for SDXL and single files). */
    public boolean forceZerosForEmptyPrompt() {
        return forceZerosForEmptyPrompt;
    }

    /** Bytes of the model's weight files (the single file, or the folder's weight files). */
    public long fileSize() {
        return fileSize;
    }

    /** Keys present in the files but not used (EMA weights, position_ids, logit_scale, ...). */
    public List<String> ignoredKeys() {
        return ignoredKeys;
    }

    /**
     * The A1111/civitai short hash: the first 10 hex digits of the SHA-256 of the file (for a folder,
     * of the unet weights file, its shards concatenated). Reads the whole file.
     */
    public String shortHash() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
            for (Path p : hashFiles) {
                try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
                    while (ch.read(buf.clear()) > 0) md.update(buf.flip());
                }
            }
            return HexFormat.of().formatHex(md.digest()).substring(0, 10);
        } catch (IOException e) {
            throw new AnimagineException(path + ": cannot read for hashing (" + e.getMessage() + ")");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        files.forEach(SafetensorsFile::close);
    }
}
