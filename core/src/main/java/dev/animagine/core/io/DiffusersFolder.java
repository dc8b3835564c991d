package dev.animagine.core.io;

import com.fasterxml.jackson.databind.JsonNode;
import dev.animagine.core.AnimagineException;
import dev.animagine.core.tensor.StoredTensor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The weight files of a diffusers pipeline folder: per component, {@code <base>.safetensors}, the
 * {@code <base>.<variant>.safetensors} variant (e.g. fp16), or shards listed in
 * {@code <base>.safetensors.index[.<variant>].json}; {@code <base>} is {@code diffusion_pytorch_model}
 * for unet/vae and {@code model} for the text encoders.
 */
final class DiffusersFolder {
    private DiffusersFolder() {}

    /** The files holding one component's weights, opened; plus the file(s) that identify it (for hashing). */
    record ComponentFiles(List<SafetensorsFile> files, Map<String, StoredTensor> tensors, List<Path> weightFiles) {}

    /** Components whose folder has no readable weights. */
    static List<Component> missingComponents(Path dir) {
        List<Component> missing = new ArrayList<>();
        for (Component c : Component.values()) if (candidates(dir.resolve(c.folder()), c, null).isEmpty()) missing.add(c);
        return missing;
    }

    /** model_index.json, if present; refuses pipelines that are not SDXL. */
    static JsonNode modelIndex(Path dir) {
        Path p = dir.resolve("model_index.json");
        if (!Files.isRegularFile(p)) return null;
        JsonNode idx = ComponentConfigs.readJson(p);
        String cls = idx.path("_class_name").asText("");
        switch (cls) {
            case "", "StableDiffusionXLPipeline", "StableDiffusionXLImg2ImgPipeline" -> { }
            case "StableDiffusionPipeline", "StableDiffusionImg2ImgPipeline" ->
                    throw new AnimagineException(dir + ": is a Stable Diffusion 1.x/2.x pipeline (" + cls + "); only SDXL is supported");
            case "StableDiffusion3Pipeline" -> throw new AnimagineException(dir + ": is a Stable Diffusion 3 pipeline; only SDXL is supported");
            case "FluxPipeline" -> throw new AnimagineException(dir + ": is a Flux pipeline; only SDXL is supported");
            default -> throw new AnimagineException(dir + ": pipeline class " + cls + " is not supported (only StableDiffusionXLPipeline)");
        }
        return idx;
    }

    static ComponentFiles open(Path dir, Component c, String variant) {
        Path sub = dir.resolve(c.folder());
        if (!Files.isDirectory(sub))
            throw new AnimagineException(dir + ": the " + c.folder() + "/ folder is missing (incomplete download?)");
        return openComponentDir(sub, c, variant);
    }

    /** One component's own folder (e.g. {@code vae/}). */
    static ComponentFiles openComponentDir(Path sub, Component c, String variant) {
        List<Path> cands = candidates(sub, c, variant);
        if (cands.isEmpty()) {
            for (String pickle : new String[] {c.weightsBaseName() + ".bin", c.weightsBaseName() + ".fp16.bin", "pytorch_model.bin"})
                if (Files.isRegularFile(sub.resolve(pickle))) FileKind.requireSafetensors(sub.resolve(pickle));
            throw new AnimagineException(sub + ": no " + c.weightsBaseName() + "[.fp16].safetensors (incomplete download?)");
        }
        Path chosen = cands.getFirst();
        List<SafetensorsFile> files = new ArrayList<>();
        try {
            if (chosen.getFileName().toString().endsWith(".json")) return sharded(chosen, files);
            FileKind.requireSafetensors(chosen);
            SafetensorsFile f = SafetensorsFile.open(chosen);
            files.add(f);
            return new ComponentFiles(files, f.tensors(), List.of(chosen));
        } catch (RuntimeException | Error e) {
            files.forEach(SafetensorsFile::close);
            throw e;
        }
    }

    /** Weight files present for a component, best first for the requested variant. */
    private static List<Path> candidates(Path sub, Component c, String variant) {
        String b = c.weightsBaseName();
        List<String> plain = List.of(b + ".safetensors", b + ".safetensors.index.json");
        String v = variant == null ? "fp16" : variant;
        List<String> variants = List.of(b + "." + v + ".safetensors", b + ".safetensors.index." + v + ".json");
        List<String> order = new ArrayList<>(variant == null ? plain : variants);
        order.addAll(variant == null ? variants : plain);
        List<Path> out = new ArrayList<>();
        for (String n : order) if (Files.isRegularFile(sub.resolve(n))) out.add(sub.resolve(n));
        return out;
    }

    private static ComponentFiles sharded(Path index, List<SafetensorsFile> files) {
        JsonNode map = ComponentConfigs.readJson(index).get("weight_map");
        if (map == null || !map.isObject()) throw new AnimagineException(index + ": no weight_map");
        Set<String> shardNames = new LinkedHashSet<>();
        for (Map.Entry<String, JsonNode> e : map.properties()) shardNames.add(e.getValue().asText());
        Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
        List<Path> paths = new ArrayList<>();
        for (String s : shardNames) {
            Path p = index.resolveSibling(s);
            if (s.contains("/") || s.contains("\\") || !Files.isRegularFile(p))
                throw new AnimagineException(index + ": shard '" + s + "' is missing (incomplete download?)");
            FileKind.requireSafetensors(p);
            SafetensorsFile f = SafetensorsFile.open(p);
            files.add(f);
            shards.put(s, f);
            paths.add(p);
        }
        Map<String, StoredTensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : map.properties()) {
            StoredTensor t = shards.get(e.getValue().asText()).tensors().get(e.getKey());
            if (t == null)
                throw new AnimagineException(index + ": lists '" + e.getKey() + "' in shard " + e.getValue().asText()
                        + ", which does not hold it (mismatched or incomplete download?)");
            tensors.put(e.getKey(), t);
        }
        return new ComponentFiles(files, tensors, paths);
    }
}
