package dev.animagine.core.service;

import dev.animagine.core.InvalidArgumentException;
import dev.animagine.core.InvalidRequestException;
import dev.animagine.core.pipeline.Infotext;
import dev.animagine.core.AnimagineException;
import dev.animagine.core.io.SdxlArchitecture;
import dev.animagine.core.lora.LoraFile;
import dev.animagine.core.lora.LoraLibrary;
import dev.animagine.core.lora.LoraPrompt;
import dev.animagine.core.lora.LoraStack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The adapters of a request, as A1111 finds them: the prompt's {@code <lora:...>} / {@code <lyco:...>}
 * tags resolved by file name or {@code ss_output_name} in the LoRA folder (the request's, else a
 * {@code Lora/} folder next to the model, else {@code models/Lora}), then the files given as such.
 * Adapters given as files are recorded as tags appended to the prompt, so the infotext reproduces
 * the image in A1111 and through {@code --from-png}.
 */
final class RequestLoras {
    /** The prompt to record and encode (tags are dropped when encoding) and the adapters in prompt order. */
    record Resolved(String prompt, List<AppliedLora> loras) {}

    private RequestLoras() {}

    static Resolved resolve(ImageRequest r, String prompt, Path model) {
        LoraPrompt parsed;
        try {
            parsed = LoraPrompt.parse(prompt);
        } catch (InvalidArgumentException e) {
            throw new InvalidRequestException("prompt", "is invalid: " + e.getMessage());
        }
        List<AppliedLora> out = new ArrayList<>();
        LoraLibrary library = null;
        for (LoraPrompt.Reference ref : parsed.loras()) {
            if (library == null) library = new LoraLibrary(directory(r, model));
            out.add(new AppliedLora(ref.name(), library.resolve(ref.name()), ref.te(), ref.unet()));
        }
        StringBuilder recorded = new StringBuilder(prompt);
        for (LoraStack.Request q : r.loras()) {
            Path file = q.path();
            if (!Files.isRegularFile(file)) {
                // a bare name is looked up in the LoRA folder, as a prompt tag would be
                if (file.getNameCount() != 1 || file.isAbsolute() || Files.exists(file))
                    throw new InvalidRequestException("loras", file + ": LoRA file not found");
                try {
                    if (library == null) library = new LoraLibrary(directory(r, model));
                } catch (InvalidRequestException noFolder) {
                    throw new InvalidRequestException("loras", file + ": LoRA file not found (and no LoRA folder to look it up in)");
                }
                file = library.resolve(file.toString());
            }
            AppliedLora lora = new AppliedLora(stem(file), file, q.te(), q.unet());
            out.add(lora);
            recorded.append(recorded.isEmpty() ? "" : " ").append(lora.tag());
        }
        return new Resolved(recorded.toString(), out);
    }

    /** The request's LoRA folder, else {@code Lora/} next to the model, else {@code models/Lora}. */
    static Path directory(ImageRequest r, Path model) {
        if (r.loraDir() != null) {
            if (!Files.isDirectory(r.loraDir())) throw new InvalidRequestException("loraDir", r.loraDir() + " is not a folder");
            return r.loraDir();
        }
        Path parent = model.toAbsolutePath().normalize().getParent();
        Path beside = parent == null ? null : parent.resolve("Lora");
        if (beside != null && Files.isDirectory(beside)) return beside;
        Path models = Path.of("models", "Lora");
        if (Files.isDirectory(models)) return models;
        throw new InvalidRequestException("loraDir", "not given, and no LoRA folder found (looked for " + beside + " and "
                + models.toAbsolutePath() + ")");
    }

    /**
     * Opens the adapters against the model and closes them again: a file for another base model or
     * one that does not fit fails here, before anything runs. Returns the unmatched-keys lines.
     */
    static List<String> check(SdxlArchitecture arch, List<AppliedLora> loras) {
        if (loras.isEmpty()) return List.of();
        try (LoraStack stack = open(arch, loras)) {
            return stack.warnings();
        }
    }

    /** The stack of a request's adapters, or null when it has none. */
    static LoraStack open(SdxlArchitecture arch, List<AppliedLora> loras) {
        if (loras.isEmpty()) return null;
        List<LoraStack.Request> requests = new ArrayList<>();
        for (AppliedLora l : loras) requests.add(new LoraStack.Request(l.file(), l.te(), l.unet()));
        return LoraStack.open(arch, requests);
    }

    /**
     * A1111's {@code Lora hashes} value, {@code "name: hash, ..."}: each adapter's name as mentioned
     * (':' and ',' removed) and the first 12 hex digits of its addnet hash; null without adapters.
     */
    static String infotextHashes(LoraStack stack, List<AppliedLora> loras, Map<String, String> cache) {
        if (stack == null) return null;
        Map<String, String> byName = new LinkedHashMap<>();
        for (int i = 0; i < loras.size(); i++) {
            String name = loras.get(i).name().replace(":", "").replace(",", "");
            byName.putIfAbsent(name, shortHash(stack.entries().get(i).file(), cache));
        }
        List<String> items = new ArrayList<>();
        byName.forEach((name, hash) -> items.add(name + ": " + hash));
        return String.join(", ", items);
    }

    private static String shortHash(LoraFile file, Map<String, String> cache) {
        Path p = file.path().toAbsolutePath().normalize();
        String key;
        try {
            key = p + "|" + Files.size(p) + "|" + Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            throw new AnimagineException(p + ": cannot read (" + e.getMessage() + ")");
        }
        return cache.computeIfAbsent(key, k -> file.hashes().shortHash());
    }

    /**
     * Name (as the prompt mentions it) -> A1111 short hash of each adapter a prepared request
     * applies, read from the files (the addnet hash: sha256 of the bytes after the safetensors header).
     */
    static Map<String, String> hashesByName(List<AppliedLora> loras, Map<String, String> cache) {
        Map<String, String> out = new LinkedHashMap<>();
        for (AppliedLora l : loras) {
            Path p = l.file().toAbsolutePath().normalize();
            String key;
            long dataStart;
            try (var in = Files.newInputStream(p)) {
                key = p + "|" + Files.size(p) + "|" + Files.getLastModifiedTime(p).toMillis();
                byte[] len = in.readNBytes(8);
                if (len.length < 8) throw new AnimagineException(p + ": not a safetensors file (shorter than its header length)");
                dataStart = 8 + java.nio.ByteBuffer.wrap(len).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
            } catch (IOException e) {
                throw new AnimagineException(p + ": cannot read (" + e.getMessage() + ")");
            }
            long start = dataStart;
            out.putIfAbsent(l.name(), cache.computeIfAbsent(key, k -> dev.animagine.core.lora.LoraHashes.of(p, start).shortHash()));
        }
        return out;
    }

    /** Adds {@code Lora hashes} where A1111 puts it: after the built-in parameters, before {@code Version}. */
    static Infotext withHashes(Infotext t, String hashes) {
        if (hashes == null) return t;
        String version = t.params().remove("Version");
        t.put("Lora hashes", hashes);
        t.put("Version", version);
        return t;
    }

    private static String stem(Path file) {
        String n = file.getFileName().toString();
        return n.toLowerCase(Locale.ROOT).endsWith(".safetensors") ? n.substring(0, n.length() - ".safetensors".length()) : n;
    }
}
