package dev.animagine.core.lora;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.animagine.core.AnimagineException;
import dev.animagine.core.InvalidArgumentException;
import dev.animagine.core.io.Component;
import dev.animagine.core.io.FileKind;
import dev.animagine.core.io.SafetensorsFile;
import dev.animagine.core.tensor.StoredTensor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An adapter file (LoRA, LyCORIS, diffusers/PEFT) opened against one model: its keys grouped into
 * modules, each bound to the model weight it patches, the format told from the keys (no flag).
 * Tensors stay memory-mapped; close the file once no model built from it is in use.
 *
 * <p>Key schemes: kohya-ss / LyCORIS {@code lora_unet_*}, {@code lora_te1_*}, {@code lora_te2_*}
 * (module = text before the first {@code .}); diffusers/PEFT {@code unet.<path>.lora_A.weight}
 * (and {@code text_encoder.}, {@code text_encoder_2.}, {@code .alpha} keys, alphas from
 * {@code lora_adapter_metadata}); the 2023 attention-processor format
 * {@code <block>.attn1.processor.to_q_lora.down.weight}. Keys that match no module are kept as
 * {@link #unknownModules()}; a file for another base model (SD 1.x/2.x, SD3, Flux) is rejected.
 */
public final class LoraFile implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** PEFT / old diffusers tensor suffixes and the kohya name each stands for. */
    private static final String[][] PEFT_SUFFIXES = {
            {".lora_A.weight", "lora_down.weight"}, {".lora_B.weight", "lora_up.weight"},
            {".lora.down.weight", "lora_down.weight"}, {".lora.up.weight", "lora_up.weight"},
            {".lora_linear_layer.down.weight", "lora_down.weight"}, {".lora_linear_layer.up.weight", "lora_up.weight"},
            {".alpha", "alpha"}};
    private static final String[] KOHYA_PREFIXES = {"lora_unet_", "lora_te1_", "lora_te2_", "lora_te_"};

    private final Path path;
    private final SafetensorsFile file;
    private final String format;
    private final String unetNaming;
    private final List<AdapterModule> modules;
    private final List<String> unknownModules;
    private final List<String> unknownKeys;
    private final String foreignBase;
    private volatile LoraHashes hashes;

    private LoraFile(Path path, SafetensorsFile file, String format, String unetNaming, List<AdapterModule> modules,
                     List<String> unknownModules, List<String> unknownKeys, String foreignBase) {
        this.foreignBase = foreignBase;
        this.path = path;
        this.file = file;
        this.format = format;
        this.unetNaming = unetNaming;
        this.modules = List.copyOf(modules);
        this.unknownModules = List.copyOf(unknownModules);
        this.unknownKeys = List.copyOf(unknownKeys);
    }

    /**
     * Opens and maps {@code path} onto the modules of {@code index}'s model.
     *
     * @throws InvalidArgumentException for a file made for another base model (one line naming the file and the model)
     * @throws AnimagineException       for an unreadable file or a module whose shapes do not fit the model
     */
    public static LoraFile open(Path path, ModuleIndex index) {
        return open(path, index, true);
    }

    /**
     * Opens a file to describe it ({@code info}): a file for another base model is not rejected
     * ({@link #foreignBase()} says what it is for, nothing is mapped), and modules that do not fit
     * the model are listed as unknown instead of failing.
     */
    public static LoraFile inspect(Path path, ModuleIndex index) {
        return open(path, index, false);
    }

    private static LoraFile open(Path path, ModuleIndex index, boolean strict) {
        if (!Files.isRegularFile(path)) throw new InvalidArgumentException(path + ": LoRA file not found");
        FileKind.requireSafetensors(path);
        SafetensorsFile f = SafetensorsFile.open(path);
        try {
            return map(path, f, index, strict);
        } catch (RuntimeException | Error e) {
            f.close();
            throw e;
        }
    }

    private static LoraFile map(Path path, SafetensorsFile f, ModuleIndex index, boolean strict) {
        String origin = path.toString();
        Map<String, Map<String, StoredTensor>> groups = new TreeMap<>();
        List<String> unknownKeys = new ArrayList<>();
        int kohya = 0, peft = 0, procs = 0;
        for (Map.Entry<String, StoredTensor> e : f.tensors().entrySet()) {
            String key = e.getKey();
            String[] split = split(key);
            if (split == null) {
                unknownKeys.add(key);
                continue;
            }
            if (key.startsWith("lora_")) kohya++;
            else if (key.contains(".processor.")) procs++;
            else peft++;
            groups.computeIfAbsent(split[0], k -> new LinkedHashMap<>()).put(split[1], e.getValue());
        }
        String format = kohya >= peft && kohya >= procs ? "kohya" : peft >= procs ? "peft" : "diffusers_attn_procs";
        String foreign = ForeignBase.describe(f.tensors(), f.metadata());
        if (foreign != null && strict)
            throw new InvalidArgumentException(origin + ": a LoRA for " + foreign + ", not for SDXL; not applied");
        if (foreign != null) {
            List<String> keys = new ArrayList<>(f.tensors().keySet());
            Collections.sort(keys);
            return new LoraFile(path, f, format, null, List.of(), List.copyOf(groups.keySet()), keys, foreign);
        }
        PeftConfig peftConfig = PeftConfig.of(f.metadata().get("lora_adapter_metadata"), origin);

        List<AdapterModule> modules = new ArrayList<>();
        List<String> unknownModules = new ArrayList<>();
        java.util.Set<String> unsupported = new java.util.TreeSet<>();
        boolean sgm = false, diffusersNames = false;
        for (Map.Entry<String, Map<String, StoredTensor>> g : groups.entrySet()) {
            String prefix = g.getKey();
            Optional<ModuleIndex.Hit> hit = index.find(prefix);
            if (hit.isPresent() && !AdapterModule.recognizes(g.getValue().keySet())) unsupported.addAll(g.getValue().keySet());
            if (hit.isEmpty() || !AdapterModule.recognizes(g.getValue().keySet())) {
                unknownModules.add(prefix);
                for (StoredTensor t : g.getValue().values()) unknownKeys.add(t.name());
                continue;
            }
            Target target = hit.get().target();
            Component c = target.component();
            Float alpha = peftConfig.alpha(c, target.module());
            for (Map.Entry<String, StoredTensor> t : g.getValue().entrySet())
                if (!AdapterModule.KNOWN_TENSORS.contains(t.getKey())) unknownKeys.add(t.getValue().name());
            try {
                modules.add(new AdapterModule(prefix, target, g.getValue(), alpha, peftConfig.rsLora(c), origin));
                if (prefix.startsWith("lora_unet_")) {
                    if (hit.get().sgm()) sgm = true;
                    else diffusersNames = true;
                }
            } catch (AnimagineException e) {
                if (strict) throw e;
                unknownModules.add(prefix);
                for (StoredTensor t : g.getValue().values()) unknownKeys.add(t.name());
            }
        }
        if (modules.isEmpty() && strict && !unsupported.isEmpty())
            throw new InvalidArgumentException(origin + ": adapter type not supported (tensors " + String.join(", ", unsupported)
                    + "); supported: LoRA, LoCon, LoHa, LoKr, full, (IA)^3, DoRA");
        if (modules.isEmpty() && strict)
            throw new InvalidArgumentException(origin + ": no key matches a module of this SDXL model (" + unknownModules.size()
                    + " modules, e.g. " + String.join(", ", unknownModules.subList(0, Math.min(3, unknownModules.size())))
                    + "); not an SDXL LoRA?");
        String naming = sgm ? "sgm" : diffusersNames ? "diffusers" : null;
        Collections.sort(unknownKeys);
        return new LoraFile(path, f, format, naming, modules, unknownModules, unknownKeys, null);
    }

    /**
     * Whether a safetensors file holds an adapter rather than a model: most of its keys follow one of
     * the adapter schemes. Reads the header only; false for anything unreadable.
     */
    public static boolean isAdapter(Path path) {
        try (SafetensorsFile f = SafetensorsFile.open(path)) {
            int adapter = 0;
            for (String k : f.tensors().keySet()) if (split(k) != null) adapter++;
            return adapter > 0 && adapter * 2 >= f.tensors().size();
        } catch (AnimagineException e) {
            return false;
        }
    }

    /** {@code [module prefix, normalized tensor name]}, or null for a key of no known scheme. */
    static String[] split(String key) {
        for (String p : KOHYA_PREFIXES) {
            if (!key.startsWith(p)) continue;
            int dot = key.indexOf('.');
            return dot < 0 ? null : new String[] {key.substring(0, dot), key.substring(dot + 1)};
        }
        int proc = key.indexOf(".processor.");
        if (proc >= 0) {
            // <block>.attnN.processor.to_q_lora.down.weight -> unet.<block>.attnN.to_q
            String rest = key.substring(proc + ".processor.".length());
            int lora = rest.indexOf("_lora.");
            if (lora < 0) return null;
            String proj = rest.substring(0, lora);
            if (proj.equals("to_out")) proj = "to_out.0";
            String kind = rest.substring(lora + "_lora.".length());
            String name = kind.equals("down.weight") ? "lora_down.weight" : kind.equals("up.weight") ? "lora_up.weight" : null;
            return name == null ? null : new String[] {"unet." + key.substring(0, proc) + "." + proj, name};
        }
        if (!key.startsWith("unet.") && !key.startsWith("text_encoder.") && !key.startsWith("text_encoder_2.")) return null;
        for (String[] s : PEFT_SUFFIXES)
            if (key.endsWith(s[0])) return new String[] {key.substring(0, key.length() - s[0].length()), s[1]};
        return null;
    }

    // ---- accessors -----------------------------------------------------------------------

    public Path path() {
        return path;
    }

    /** The file name without {@code .safetensors}: the name A1111 shows and prompts use. */
    public String name() {
        String n = path.getFileName().toString();
        return n.toLowerCase(Locale.ROOT).endsWith(".safetensors") ? n.substring(0, n.length() - ".safetensors".length()) : n;
    }

    public SafetensorsFile file() {
        return file;
    }

    public Map<String, String> metadata() {
        return file.metadata();
    }

    /** {@code kohya} (lora_unet_/lora_te*_ keys), {@code peft} or {@code diffusers_attn_procs}. */
    public String format() {
        return format;
    }

    /** {@code sgm} or {@code diffusers}: the naming of the kohya UNet keys, if any. */
    public Optional<String> unetNaming() {
        return Optional.ofNullable(unetNaming);
    }

    /** The modules that patch a weight of the model, in key order. */
    public List<AdapterModule> modules() {
        return modules;
    }

    /** Key prefixes that match no module of the model (skipped). */
    public List<String> unknownModules() {
        return unknownModules;
    }

    public List<String> unknownKeys() {
        return unknownKeys;
    }

    /** sha256 and A1111's addnet hash (read from the whole file once, then kept). */
    public LoraHashes hashes() {
        LoraHashes h = hashes;
        if (h == null) hashes = h = LoraHashes.of(path, file.dataStart());
        return h;
    }

    /** The other base model the file is for (e.g. "SD 1.x (ss_base_model_version 'sd_v1')"), when {@link #inspect}ed. */
    public Optional<String> foreignBase() {
        return Optional.ofNullable(foreignBase);
    }

    /** One line about skipped keys (count and the first few), or empty when every key was used. */
    public Optional<String> unmatchedSummary() {
        if (unknownKeys.isEmpty()) return Optional.empty();
        if (unknownModules.isEmpty()) {
            List<String> first = unknownKeys.subList(0, Math.min(3, unknownKeys.size()));
            return Optional.of(path.getFileName() + ": " + unknownKeys.size() + " key" + (unknownKeys.size() == 1 ? "" : "s")
                    + " of no supported adapter tensor were skipped: " + String.join(", ", first) + (unknownKeys.size() > first.size() ? ", ..." : ""));
        }
        List<String> first = unknownModules.subList(0, Math.min(3, unknownModules.size()));
        return Optional.of(path.getFileName() + ": " + unknownModules.size() + " module" + (unknownModules.size() == 1 ? "" : "s")
                + " (" + unknownKeys.size() + " keys) match no module of this model and were skipped: " + String.join(", ", first)
                + (unknownModules.size() > first.size() ? ", ..." : ""));
    }

    @Override
    public void close() {
        file.close();
    }

    @Override
    public String toString() {
        return path.getFileName() + " (" + format + ", " + modules.size() + " modules)";
    }

    /** Alphas from diffusers' {@code lora_adapter_metadata} (PEFT LoraConfig per component). */
    record PeftConfig(JsonNode root) {
        static PeftConfig of(String json, String origin) {
            if (json == null) return new PeftConfig(null);
            try {
                return new PeftConfig(JSON.readTree(json));
            } catch (Exception e) {
                throw new AnimagineException(origin + ": metadata 'lora_adapter_metadata' is not valid JSON (" + e.getMessage() + ")");
            }
        }

        Float alpha(Component c, String module) {
            if (root == null) return null;
            String p = c.folder() + ".";
            JsonNode pattern = root.path(p + "alpha_pattern");
            if (pattern.isObject())
                for (Map.Entry<String, JsonNode> e : pattern.properties())
                    if (module.equals(e.getKey()) || module.endsWith("." + e.getKey())) return (float) e.getValue().asDouble();
            JsonNode a = root.get(p + "lora_alpha");
            return a != null && a.isNumber() ? Float.valueOf((float) a.asDouble()) : null;
        }

        boolean rsLora(Component c) {
            return root != null && root.path(c.folder() + ".use_rslora").asBoolean(false);
        }
    }
}
