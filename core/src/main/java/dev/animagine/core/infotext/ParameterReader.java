package dev.animagine.core.infotext;

import com.fasterxml.jackson.databind.JsonNode;
import dev.animagine.core.infotext.GenerationParameters.Crop;
import dev.animagine.core.infotext.GenerationParameters.Hires;
import dev.animagine.core.infotext.GenerationParameters.Size;
import dev.animagine.core.infotext.GenerationParameters.Source;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns A1111-keyed pairs into typed {@link GenerationParameters}, with A1111's paste defaults
 * (modules/infotext_utils.py {@code parse_generation_parameters}) and its old-hires-fix conversion.
 * One reader serves all sources: the space and ComfyUI readers translate their fields to A1111 keys first.
 */
final class ParameterReader {
    private static final Pattern SIZE = Pattern.compile("^(\\d+)x(\\d+)$");
    private static final Pattern SIGNED_SIZE = Pattern.compile("^(-?\\d+)x(-?\\d+)$");
    private static final Pattern MODULE = Pattern.compile("^Module \\d+$");
    private static final Pattern HIRES_MODULE = Pattern.compile("^Hires Module \\d+$");

    /** Keys a typed field takes; everything else is reported as unknown. */
    static final Set<String> KNOWN = Set.of(
            "Steps", "Sampler", "Schedule type", "CFG scale", "Seed", "Size", "Model", "Model hash", "VAE", "VAE hash",
            "Clip skip", "RNG", "ENSD", "Eta", "Eta DDIM", "Sigma churn", "Sigma tmin", "Sigma tmax", "Sigma noise",
            "NGMS all steps", "Schedule min sigma", "Schedule max sigma", "Schedule rho", "Beta schedule alpha",
            "Beta schedule beta", "Discard penultimate sigma", "Variation seed", "Variation seed strength", "Seed resize from",
            "Denoising strength", "Hires upscale", "Hires resize", "Hires steps", "Hires upscaler", "Hires sampler",
            "Hires schedule type", "Hires CFG Scale", "Hires checkpoint", "Hires prompt", "Hires negative prompt",
            "First pass size", "Mask blur", "Mask mode", "Masked content", "Inpaint area", "Masked area padding", "Resize mode", "NGMS",
            "Emphasis", "Prompt encoding", "Original size", "Target size", "Crop",
            "Distilled CFG Scale", "Hires Distilled CFG Scale", "Diffusion in Low Bits", "Lora hashes", "TI hashes", "Hashes", "Version",
            "DeepCache", "CFG cutoff");

    private final Map<String, String> pairs;
    private final List<String> invalid = new ArrayList<>();

    private ParameterReader(Map<String, String> pairs) {
        this.pairs = pairs;
    }

    /**
     * @param extraKnown source-specific keys that are understood though no typed field holds them
     *                   (e.g. the space's quality-tag preset, already applied to its prompt)
     */
    static GenerationParameters read(Source source, String prompt, String negativePrompt, Map<String, String> pairs, Set<String> extraKnown) {
        return new ParameterReader(pairs).read(source, prompt, negativePrompt, extraKnown);
    }

    private GenerationParameters read(Source source, String prompt, String negativePrompt, Set<String> extraKnown) {
        List<String> unknown = new ArrayList<>();
        List<String> modules = new ArrayList<>(), hiresModules = new ArrayList<>();
        for (String k : pairs.keySet()) {
            if (MODULE.matcher(k).matches()) modules.add(pairs.get(k));
            else if (HIRES_MODULE.matcher(k).matches()) hiresModules.add(pairs.get(k));
            else if (!KNOWN.contains(k) && !extraKnown.contains(k)) unknown.add(k);
        }
        Double distilled = decimal("Distilled CFG Scale"), hiresDistilled = decimal("Hires Distilled CFG Scale");
        String lowBits = text("Diffusion in Low Bits");
        GenerationParameters.Forge forge = modules.isEmpty() && hiresModules.isEmpty() && distilled == null && hiresDistilled == null && lowBits == null
                ? null : new GenerationParameters.Forge(modules, hiresModules, distilled, hiresDistilled, lowBits);
        String rawSampler = text("Sampler");
        String sampler = null, schedule = text("Schedule type");
        if (schedule != null) {
            String label = A1111Samplers.scheduleLabel(schedule);
            if (label != null) schedule = label;
        }
        if (rawSampler != null) {
            A1111Samplers.Split split = A1111Samplers.split(rawSampler);
            sampler = split.sampler();
            if (split.schedule() != null) schedule = split.schedule(); // the name's suffix wins, as in A1111
        }
        if (schedule == null) schedule = "Automatic";

        Size size = size("Size", SIZE);
        Size hiresResize = size("Hires resize", SIZE);
        Size firstPass = size("First pass size", SIZE);
        if (firstPass != null) {
            // A1111's restore_old_hires_fix_params: "Size" was the final size, the first pass is smaller
            Size finalSize = size == null ? new Size(512, 512) : size;
            if (firstPass.width() == 0 || firstPass.height() == 0) firstPass = oldFirstPass(finalSize);
            size = firstPass;
            hiresResize = finalSize;
        }
        Hires hires = null;
        if (hiresResize != null || has("Hires upscale") || has("Hires steps") || has("Hires upscaler"))
            hires = new Hires(decimal("Hires upscale"), hiresResize, integer("Hires steps"), text("Hires upscaler"),
                    same(text("Hires sampler"), "Use same sampler"), same(text("Hires schedule type"), "Use same scheduler"),
                    decimal("Hires CFG Scale"), same(text("Hires checkpoint"), "Use same checkpoint"),
                    text("Hires prompt"), text("Hires negative prompt"));
        Integer clipSkip = integer("Clip skip");
        String rng = text("RNG");
        return new GenerationParameters(source, prompt, negativePrompt,
                integer("Steps"), sampler, schedule, decimal("CFG scale"), longValue("Seed"), size,
                text("Model"), text("Model hash"), text("VAE"), text("VAE hash"),
                clipSkip == null ? 1 : clipSkip, rng == null ? "GPU" : rng, longValue("ENSD"),
                longValue("Variation seed"), decimal("Variation seed strength"), size("Seed resize from", SIGNED_SIZE),
                decimal("Denoising strength"), hires, integer("Mask blur"), samplerOptions(),
                text("Emphasis"), text("Prompt encoding"), size("Original size", SIZE), size("Target size", SIZE), crop(),
                forge, hashList("Lora hashes"), hashList("TI hashes"), jsonHashes(),
                text("Version"), pairs, unknown, invalid);
    }

    private GenerationParameters.SamplerOptions samplerOptions() {
        return new GenerationParameters.SamplerOptions(decimal("Eta"), decimal("Eta DDIM"), decimal("Sigma churn"),
                decimal("Sigma tmin"), decimal("Sigma tmax"), decimal("Sigma noise"), decimal("NGMS"), bool("NGMS all steps"),
                decimal("Schedule min sigma"), decimal("Schedule max sigma"), decimal("Schedule rho"),
                decimal("Beta schedule alpha"), decimal("Beta schedule beta"), bool("Discard penultimate sigma"),
                integer("DeepCache"), decimal("CFG cutoff"));
    }

    /** Python's str(bool) as A1111 writes it: True / False. */
    private Boolean bool(String key) {
        String v = text(key);
        if (v == null) return null;
        if (v.strip().equalsIgnoreCase("true")) return true;
        if (v.strip().equalsIgnoreCase("false")) return false;
        return bad(key, "True or False");
    }

    /** A1111's old_hires_fix_first_pass_dimensions: about 512x512 pixels, each side rounded up to 64. */
    static Size oldFirstPass(Size finalSize) {
        double scale = Math.sqrt(512.0 * 512.0 / ((double) finalSize.width() * finalSize.height()));
        int w = (int) Math.ceil(scale * finalSize.width() / 64) * 64;
        int h = (int) Math.ceil(scale * finalSize.height() / 64) * 64;
        return new Size(w, h);
    }

    private boolean has(String key) {
        String v = pairs.get(key);
        return v != null && !v.isEmpty();
    }

    private static String same(String v, String useSame) {
        return v == null || v.equals(useSame) ? null : v;
    }

    private String text(String key) {
        return has(key) ? pairs.get(key) : null;
    }

    private Integer integer(String key) {
        BigDecimal d = number(key);
        if (d == null) return null;
        try {
            return d.intValueExact();
        } catch (ArithmeticException e) {
            return bad(key, "an integer");
        }
    }

    private Long longValue(String key) {
        BigDecimal d = number(key);
        if (d == null) return null;
        try {
            BigInteger i = d.toBigIntegerExact();
            // seeds are written unsigned (ComfyUI's up to 2^64 - 1; this engine's Seeds.format)
            if (i.signum() < 0 ? i.bitLength() > 63 : i.bitLength() > 64) return bad(key, "a 64-bit integer");
            return i.longValue();
        } catch (ArithmeticException e) {
            return bad(key, "a 64-bit integer");
        }
    }

    private Double decimal(String key) {
        BigDecimal d = number(key);
        return d == null ? null : d.doubleValue();
    }

    private BigDecimal number(String key) {
        String v = text(key);
        if (v == null) return null;
        try {
            return new BigDecimal(v.strip());
        } catch (NumberFormatException e) {
            return bad(key, "a number");
        }
    }

    private <T> T bad(String key, String expected) {
        invalid.add(key + ": '" + pairs.get(key) + "' is not " + expected);
        return null;
    }

    private Size size(String key, Pattern pattern) {
        String v = text(key);
        if (v == null) return null;
        Matcher m = pattern.matcher(v.strip());
        if (!m.matches()) return bad(key, "WIDTHxHEIGHT");
        try {
            return new Size(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
        } catch (NumberFormatException e) {
            return bad(key, "WIDTHxHEIGHT");
        }
    }

    private Crop crop() {
        String v = text("Crop");
        if (v == null) return null;
        String[] parts = v.split(",");
        try {
            if (parts.length == 2) return new Crop(Integer.parseInt(parts[0].strip()), Integer.parseInt(parts[1].strip()));
        } catch (NumberFormatException e) {
            // reported below
        }
        return bad("Crop", "TOP,LEFT");
    }

    /** "name: hash, name2: hash2" (Lora hashes, TI hashes); a name may itself contain ':'. */
    private Map<String, String> hashList(String key) {
        Map<String, String> out = new LinkedHashMap<>();
        String v = text(key);
        if (v == null) return out;
        for (String item : v.split(",")) {
            String s = item.strip();
            if (s.isEmpty()) continue;
            int colon = s.lastIndexOf(':');
            if (colon <= 0) {
                invalid.add(key + ": '" + s + "' is not 'name: hash'");
                continue;
            }
            out.put(s.substring(0, colon).strip(), s.substring(colon + 1).strip());
        }
        return out;
    }

    /** civitai's {@code Hashes: {"model": "...", "lora:name": "..."}} (a JSON object, unquoted). */
    private Map<String, String> jsonHashes() {
        Map<String, String> out = new LinkedHashMap<>();
        String v = text("Hashes");
        if (v == null) return out;
        try {
            JsonNode node = Json.MAPPER.readTree(v);
            if (!node.isObject()) {
                bad("Hashes", "a JSON object");
                return out;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                out.put(e.getKey(), e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString());
            }
        } catch (Exception e) {
            bad("Hashes", "a JSON object");
        }
        return out;
    }
}
