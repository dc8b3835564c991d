package dev.animagine.core.infotext;

import com.fasterxml.jackson.databind.JsonNode;
import dev.animagine.core.AnimagineException;
import dev.animagine.core.infotext.GenerationParameters.Source;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The JSON the Animagine XL Hugging Face spaces (cagliostrolab/animagine-xl-3.1, -4.0) store with each
 * image: in a {@code metadata} text chunk (3.1) or in {@code parameters} (4.0). Keys: prompt and
 * negative_prompt (after the quality-tag and style presets were applied), resolution "W x H",
 * guidance_scale, num_inference_steps, seed, sampler (A1111-style names run with diffusers schedulers),
 * sdxl_style, add_quality_tags, quality_tags, use_upscaler (null, or upscale_method, upscaler_strength,
 * upscale_by, new_resolution: a latent upscale then an img2img pass) and Model {Model, Model hash}.
 * They are translated to A1111 keys; the space draws noise with a CPU torch.Generator, hence RNG CPU.
 */
public final class SpaceMetadata {
    /** Space keys that are understood without a typed field (the presets are already in the prompts). */
    private static final Set<String> INFORMATIONAL = Set.of("sdxl_style", "add_quality_tags", "quality_tags");

    private SpaceMetadata() {}

    /** Whether this JSON object looks like the space's metadata (a prompt plus its generation keys). */
    static boolean looksLikeSpace(JsonNode root) {
        return root.isObject() && root.has("prompt")
                && (root.has("resolution") || root.has("num_inference_steps") || root.has("guidance_scale"));
    }

    /** Parses the space's JSON text. */
    public static GenerationParameters parse(String json) {
        JsonNode root = Json.read(json, "Animagine space metadata");
        if (!looksLikeSpace(root))
            throw new AnimagineException("Animagine space metadata: expected a JSON object with prompt, resolution, guidance_scale, ...");
        return parse(root);
    }

    static GenerationParameters parse(JsonNode root) {
        Map<String, String> pairs = new LinkedHashMap<>();
        String prompt = "", negative = "";
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            JsonNode v = e.getValue();
            switch (key) {
                case "prompt" -> prompt = v.asText();
                case "negative_prompt" -> negative = v.isNull() ? "" : v.asText();
                case "resolution" -> pairs.put("Size", size(v.asText()));
                case "guidance_scale" -> pairs.put("CFG scale", v.asText());
                case "num_inference_steps" -> pairs.put("Steps", v.asText());
                case "seed" -> pairs.put("Seed", v.asText());
                case "sampler" -> pairs.put("Sampler", v.asText());
                case "use_upscaler" -> upscaler(v, pairs);
                case "Model" -> {
                    if (v.isObject()) {
                        if (v.hasNonNull("Model")) pairs.put("Model", v.get("Model").asText());
                        if (v.hasNonNull("Model hash")) pairs.put("Model hash", v.get("Model hash").asText());
                    } else if (!v.isNull()) {
                        pairs.put("Model", v.asText());
                    }
                }
                default -> pairs.put(key, v.isTextual() ? v.asText() : v.toString());
            }
        }
        pairs.put("RNG", "CPU");
        return ParameterReader.read(Source.ANIMAGINE_SPACE, prompt, negative, pairs, INFORMATIONAL);
    }

    private static void upscaler(JsonNode v, Map<String, String> pairs) {
        if (v == null || v.isNull() || !v.isObject()) return;
        if (v.hasNonNull("upscale_by")) pairs.put("Hires upscale", v.get("upscale_by").asText());
        if (v.hasNonNull("new_resolution")) pairs.put("Hires resize", size(v.get("new_resolution").asText()));
        if (v.hasNonNull("upscale_method")) pairs.put("Hires upscaler", "Latent (" + v.get("upscale_method").asText() + ")");
        if (v.hasNonNull("upscaler_strength")) pairs.put("Denoising strength", v.get("upscaler_strength").asText());
    }

    /** "896 x 1152" -> "896x1152". */
    private static String size(String s) {
        return s.replace(" ", "");
    }
}
