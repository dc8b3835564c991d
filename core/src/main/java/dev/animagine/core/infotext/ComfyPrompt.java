package dev.animagine.core.infotext;

import com.fasterxml.jackson.databind.JsonNode;
import dev.animagine.core.AnimagineException;
import dev.animagine.core.infotext.GenerationParameters.Source;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A ComfyUI API graph (the {@code prompt} PNG chunk: node id -> {class_type, inputs}) of the plain SDXL
 * shape: one KSampler whose model comes from a CheckpointLoaderSimple, whose positive and negative are
 * CLIPTextEncode nodes with literal text and whose latent is an EmptyLatentImage. Anything else (LoRA
 * loaders, CLIPSetLastLayer, KSamplerAdvanced, upscalers, text from other nodes) is refused with the
 * node at fault named, since guessing would give a silently different image.
 */
public final class ComfyPrompt {
    /** ComfyUI sampler ids -> A1111 labels (comfy/samplers.py KSAMPLER_NAMES vs A1111's sampler list). */
    private static final Map<String, String> SAMPLERS = Map.ofEntries(
            Map.entry("euler", "Euler"), Map.entry("euler_ancestral", "Euler a"), Map.entry("heun", "Heun"),
            Map.entry("dpm_2", "DPM2"), Map.entry("dpm_2_ancestral", "DPM2 a"), Map.entry("lms", "LMS"),
            Map.entry("dpm_fast", "DPM fast"), Map.entry("dpm_adaptive", "DPM adaptive"),
            Map.entry("dpmpp_2s_ancestral", "DPM++ 2S a"), Map.entry("dpmpp_sde", "DPM++ SDE"),
            Map.entry("dpmpp_2m", "DPM++ 2M"), Map.entry("dpmpp_2m_sde", "DPM++ 2M SDE"),
            Map.entry("dpmpp_3m_sde", "DPM++ 3M SDE"), Map.entry("ddim", "DDIM"), Map.entry("uni_pc", "UniPC"),
            Map.entry("lcm", "LCM"));
    /** KSampler inputs read into pairs; the rest are links already followed. */
    private static final Set<String> LINKS = Set.of("model", "positive", "negative", "latent_image");

    private ComfyPrompt() {}

    /** Whether this JSON object is a ComfyUI API graph (every value a node with a class_type). */
    static boolean looksLikeComfy(JsonNode root) {
        if (!root.isObject() || root.isEmpty()) return false;
        for (JsonNode n : root) if (!n.isObject() || !n.has("class_type")) return false;
        return true;
    }

    /** Parses a ComfyUI {@code prompt} JSON; throws when the graph is not the plain SDXL shape. */
    public static GenerationParameters parse(String json) {
        JsonNode root = Json.read(json, "ComfyUI prompt");
        if (!looksLikeComfy(root)) throw new AnimagineException("ComfyUI prompt: expected an API graph (node id -> {class_type, inputs})");
        return parse(root);
    }

    static GenerationParameters parse(JsonNode graph) {
        List<String> samplers = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = graph.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String type = e.getValue().path("class_type").asText();
            if (type.equals("KSampler")) samplers.add(e.getKey());
            else if (type.startsWith("KSampler") || type.equals("SamplerCustom") || type.equals("SamplerCustomAdvanced"))
                throw unsupported("node " + e.getKey() + " is a " + type);
        }
        if (samplers.size() != 1)
            throw unsupported(samplers.isEmpty() ? "no KSampler node" : samplers.size() + " KSampler nodes (" + String.join(", ", samplers) + ")");
        String id = samplers.getFirst();
        JsonNode in = graph.get(id).path("inputs");
        JsonNode model = node(graph, in, "model", id, "CheckpointLoaderSimple");
        String prompt = text(graph, in, "positive", id, model);
        String negative = text(graph, in, "negative", id, model);
        JsonNode latent = node(graph, in, "latent_image", id, "EmptyLatentImage").path("inputs");

        Map<String, String> pairs = new LinkedHashMap<>();
        pairs.put("Steps", literal(in, "steps", id));
        String sampler = literal(in, "sampler_name", id);
        pairs.put("Sampler", SAMPLERS.getOrDefault(sampler, sampler));
        String scheduler = literal(in, "scheduler", id);
        String label = A1111Samplers.scheduleLabel(scheduler);
        pairs.put("Schedule type", label == null ? scheduler : label);
        pairs.put("CFG scale", literal(in, "cfg", id));
        pairs.put("Seed", literal(in, "seed", id));
        String batch = literal(latent, "batch_size", "EmptyLatentImage");
        pairs.put("Size", literal(latent, "width", "EmptyLatentImage") + "x" + literal(latent, "height", "EmptyLatentImage"));
        String ckpt = literal(model.path("inputs"), "ckpt_name", "CheckpointLoaderSimple");
        pairs.put("Model", ckpt.replaceFirst("(?i)\\.(safetensors|ckpt)$", ""));
        if (in.has("denoise") && in.get("denoise").asDouble() != 1.0) pairs.put("Denoising strength", literal(in, "denoise", id));
        if (!batch.equals("1")) pairs.put("Batch size", batch);
        pairs.put("RNG", "CPU"); // comfy.sample.prepare_noise draws with a CPU torch.Generator
        for (Iterator<String> it = in.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!LINKS.contains(k) && !Set.of("steps", "sampler_name", "scheduler", "cfg", "seed", "denoise").contains(k))
                pairs.put(k, in.get(k).toString());
        }
        return ParameterReader.read(Source.COMFYUI, prompt, negative, pairs, Set.of());
    }

    private static JsonNode node(JsonNode graph, JsonNode inputs, String input, String from, String expectedType) {
        JsonNode link = inputs.get(input);
        if (link == null || !link.isArray() || link.isEmpty())
            throw unsupported("KSampler " + from + " has no linked '" + input + "' input");
        String target = link.get(0).asText();
        JsonNode node = graph.get(target);
        if (node == null) throw unsupported("'" + input + "' of node " + from + " links to missing node " + target);
        String type = node.path("class_type").asText();
        if (!type.equals(expectedType))
            throw unsupported("'" + input + "' of node " + from + " comes from node " + target + " (" + type + "), not a " + expectedType);
        return node;
    }

    private static String text(JsonNode graph, JsonNode inputs, String input, String from, JsonNode checkpoint) {
        JsonNode encode = node(graph, inputs, input, from, "CLIPTextEncode");
        JsonNode text = encode.path("inputs").get("text");
        if (text == null || !text.isTextual())
            throw unsupported("the " + input + " CLIPTextEncode's text comes from another node, not literal text");
        JsonNode clip = encode.path("inputs").get("clip");
        if (clip == null || !clip.isArray() || graph.get(clip.get(0).asText()) != checkpoint)
            throw unsupported("the " + input + " CLIPTextEncode's clip does not come straight from the checkpoint loader");
        return text.asText();
    }

    private static String literal(JsonNode inputs, String key, String node) {
        JsonNode v = inputs.get(key);
        if (v == null || v.isArray() || v.isObject())
            throw unsupported("input '" + key + "' of " + node + " is " + (v == null ? "missing" : "linked to another node"));
        return v.asText();
    }

    private static AnimagineException unsupported(String why) {
        return new AnimagineException("ComfyUI graph not supported: " + why
                + " (only the plain SDXL graph CheckpointLoaderSimple -> CLIPTextEncode x2 + EmptyLatentImage -> KSampler is read)");
    }
}
