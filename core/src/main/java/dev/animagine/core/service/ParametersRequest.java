package dev.animagine.core.service;

import dev.animagine.core.animagine.ImageSize;
import dev.animagine.core.infotext.GenerationParameters;
import dev.animagine.core.infotext.GenerationParameters.SamplerOptions;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Pasted parameters (A1111/Forge/civitai infotext, the Animagine space's JSON, a ComfyUI graph) onto
 * a request: every option they name is set, except the request fields the user gave explicitly
 * ({@code explicit}, by field name: "steps", "sampler", "negativePrompt", ...). Prompts are used
 * verbatim, as A1111 does. What cannot be reproduced comes back as warnings, one per key.
 */
public final class ParametersRequest {
    private ParametersRequest() {}

    /** The request, and one line for each thing the parameters name that the request does not reproduce. */
    public record Applied(ImageRequest request, List<String> warnings) {}

    /**
     * @param base            the request from the explicit options (and defaults)
     * @param explicit        request fields the user set explicitly (they win)
     * @param loadedModelHash A1111's short hash of the loaded checkpoint (null: not checked)
     * @param loadedLoras     LoRA name → A1111 short hash of the adapters loaded (checked against "Lora hashes")
     */
    public static Applied apply(GenerationParameters p, ImageRequest base, Set<String> explicit, String loadedModelHash,
                                Map<String, String> loadedLoras) {
        List<String> w = new ArrayList<>();
        ImageRequest.Builder b = base.toBuilder().verbatim(true);
        if (!explicit.contains("prompt")) b.prompt(p.prompt());
        if (!explicit.contains("negativePrompt")) b.negativePrompt(p.negativePrompt().isEmpty() ? null : p.negativePrompt());
        if (p.size() != null && !explicit.contains("size")) b.size(new ImageSize(p.size().width(), p.size().height()));
        if (p.steps() != null && !explicit.contains("steps")) b.steps(p.steps());
        if (p.cfgScale() != null && !explicit.contains("cfgScale")) b.cfgScale(p.cfgScale());
        if (p.seed() != null && !explicit.contains("seed")) b.seed(p.seed());
        if (p.sampler() != null && !explicit.contains("sampler")) b.sampler(p.sampler());
        if (!explicit.contains("schedule")) b.schedule(schedule(p));
        if (!explicit.contains("clipSkip")) b.clipSkip(p.clipSkip());
        if (!explicit.contains("rng")) b.rng(p.rng().toLowerCase(Locale.ROOT));
        if (p.emphasis() != null && !explicit.contains("emphasis")) b.emphasis(p.emphasis());
        if ("diffusers".equalsIgnoreCase(p.promptEncoding()) && !explicit.contains("compat")) b.compat(Compat.DIFFUSERS);
        if (p.originalSize() != null && !explicit.contains("originalSize")) b.originalSize(p.originalSize().width(), p.originalSize().height());
        if (p.targetSize() != null && !explicit.contains("targetSize")) b.targetSize(p.targetSize().width(), p.targetSize().height());
        if (p.crop() != null && !explicit.contains("crop")) b.crop(p.crop().top(), p.crop().left());
        b.sampling(sampling(p, base.sampling(), explicit, w));
        SamplerOptions o = p.samplerOptions();
        if (o.deepCache() != null && !explicit.contains("deepCacheInterval")) b.deepCacheInterval(o.deepCache());
        if (o.cfgCutoff() != null && !explicit.contains("cfgCutoff")) b.cfgCutoff(o.cfgCutoff());

        if (loadedModelHash != null && p.modelHash() != null && !p.modelHash().equalsIgnoreCase(loadedModelHash))
            w.add("made with model " + (p.model() == null ? "" : p.model() + " ") + "[" + p.modelHash() + "], the loaded checkpoint is ["
                    + loadedModelHash + "]");
        p.loraHashes().forEach((name, hash) -> {
            String loaded = loadedLoras.get(name);
            if (loaded == null) w.add("LoRA " + name + " [" + hash + "] is named in the parameters but not loaded");
            else if (!loaded.equalsIgnoreCase(hash)) w.add("LoRA " + name + " was made with [" + hash + "], the loaded one is [" + loaded + "]");
        });
        imageSide(p, base, explicit, b, w);
        if (p.vae() != null) w.add("VAE: made with " + p.vae() + ": give the same VAE");
        if (p.source() == GenerationParameters.Source.ANIMAGINE_SPACE)
            w.add("the Animagine space encodes prompts with diffusers' lpw pipeline; A1111 prompt reading is the closest here");
        if (p.source() == GenerationParameters.Source.COMFYUI) w.add("ComfyUI weights prompts its own way; A1111 prompt reading is the closest here");
        for (String key : p.unknownKeys()) w.add(key + ": not understood, ignored");
        w.addAll(p.invalidValues());
        return new Applied(b.build(), List.copyOf(w));
    }

    /**
     * The hires pass (txt2img) or the img2img / inpainting settings (with the init image and mask given
     * again: the infotext does not hold the pictures), unless given explicitly.
     */
    private static void imageSide(GenerationParameters p, ImageRequest base, Set<String> explicit, ImageRequest.Builder b, List<String> w) {
        GenerationParameters.Hires h = p.hires();
        Map<String, String> params = p.params();
        if (h != null) {
            if (base.initImage() != null) {
                w.add("Hires upscale: the hires pass is txt2img only: not run with an init image");
                return;
            }
            boolean sized = explicit.contains("hires") || explicit.contains("hiresScale") || explicit.contains("hiresSize");
            if (!sized && h.resize() != null && h.resize().width() > 0) b.hiresSize(h.resize().width(), h.resize().height());
            else if (!sized && h.upscale() != null) b.hiresScale(h.upscale());
            if (p.denoisingStrength() != null && !explicit.contains("hiresDenoise")) b.hiresDenoise(p.denoisingStrength());
            if (h.steps() != null && !explicit.contains("hiresSteps")) b.hiresSteps(h.steps());
            if (h.upscaler() != null && !explicit.contains("hiresUpscaler")) {
                if (latentUpscaler(h.upscaler())) b.hiresUpscaler(h.upscaler());
                else w.add("Hires upscaler: " + h.upscaler() + " is not available (latent upscalers only): Latent used");
            }
            if (h.sampler() != null && !explicit.contains("hiresSampler")) b.hiresSampler(h.sampler());
            if (h.prompt() != null && !explicit.contains("hiresPrompt")) b.hiresPrompt(h.prompt());
            if (h.negativePrompt() != null && !explicit.contains("hiresNegativePrompt")) b.hiresNegativePrompt(h.negativePrompt());
            if (h.scheduleType() != null) w.add("Hires schedule type: " + h.scheduleType() + " is not reproduced: the first pass's is used");
            if (h.cfgScale() != null) w.add("Hires CFG Scale: not reproduced: the first pass's CFG scale is used");
            if (h.checkpoint() != null) w.add("Hires checkpoint: " + h.checkpoint() + " is not loaded: the first pass's checkpoint is used");
            return;
        }
        if (p.denoisingStrength() == null) return;
        if (base.initImage() == null) {
            w.add("Denoising strength: img2img/inpaint is not run here: txt2img only (give the init image with --init-image)");
            return;
        }
        if (!explicit.contains("strength")) b.strength(p.denoisingStrength());
        String resize = params.get("Resize mode");
        if (resize != null && !explicit.contains("resizeMode")) b.resizeMode(resize);
        if (base.mask() == null) return;
        if (p.maskBlur() != null && !explicit.contains("maskBlur")) b.maskBlur(p.maskBlur());
        if ("Inpaint not masked".equals(params.get("Mask mode")) && !explicit.contains("maskInvert")) b.maskInvert(true);
        String fill = params.get("Masked content");
        if (fill != null && !explicit.contains("inpaintFill")) b.inpaintFill(fill);
        if ("Only masked".equals(params.get("Inpaint area")) && !explicit.contains("inpaintArea")) {
            b.inpaintArea("masked");
            String padding = params.get("Masked area padding");
            if (padding != null && !explicit.contains("inpaintPadding")) {
                if (padding.strip().matches("\\d{1,5}")) b.inpaintPadding(Integer.parseInt(padding.strip()));
                else w.add("Masked area padding: '" + padding + "' is not a pixel count, ignored");
            }
        }
    }

    private static boolean latentUpscaler(String name) {
        try {
            dev.animagine.core.pipeline.LatentUpscaler.byId(name);
            return true;
        } catch (dev.animagine.core.InvalidArgumentException e) {
            return false;
        }
    }

    /**
     * The schedule type: as stated; "Automatic" means the sampler's default in A1111 1.9 and later (and
     * in this engine's own infotexts), while older A1111 versions ran the model's own sigmas (Uniform).
     */
    static String schedule(GenerationParameters p) {
        String label = p.scheduleType();
        if (!label.equals("Automatic") || p.source() != GenerationParameters.Source.A1111) return label;
        boolean ours = p.version() != null && p.version().startsWith("animagine-java");
        if (ours || p.params().containsKey("Schedule type") || versionAtLeast19(p.version())) return label;
        return "Uniform";
    }

    static boolean versionAtLeast19(String version) {
        if (version == null) return false;
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(?:f[\\d.]+[^v]*v)?v?(\\d+)\\.(\\d+)").matcher(version.strip());
        if (!m.find()) return false;
        int major = Integer.parseInt(m.group(1)), minor = Integer.parseInt(m.group(2));
        return major > 1 || (major == 1 && minor >= 9);
    }

    private static SamplingOptions sampling(GenerationParameters p, SamplingOptions base, Set<String> explicit, List<String> w) {
        long subseed = base.subseed();
        double strength = base.subseedStrength();
        if (p.variationSeed() != null && !explicit.contains("subseed")) subseed = p.variationSeed();
        if (p.variationSeedStrength() != null && !explicit.contains("subseedStrength")) strength = p.variationSeedStrength();
        int rw = base.seedResizeFromW(), rh = base.seedResizeFromH();
        if (p.seedResizeFrom() != null && p.seedResizeFrom().width() > 0 && !explicit.contains("seedResizeFrom")) {
            rw = p.seedResizeFrom().width();
            rh = p.seedResizeFrom().height();
        }
        long ensd = p.ensd() != null && !explicit.contains("ensd") ? p.ensd() : base.ensd();
        SamplerOptions o = p.samplerOptions();
        double ngms = o.ngms() != null && !explicit.contains("sMinUncond") ? o.ngms() : base.sMinUncond();
        Double eta = base.eta();
        Double stated = "DDIM".equalsIgnoreCase(p.sampler()) ? o.etaDdim() : o.eta();
        if (stated != null && !explicit.contains("eta")) eta = stated;
        double sNoise = o.sigmaNoise() != null && !explicit.contains("sNoise") ? o.sigmaNoise() : base.sNoise();
        double churn = o.sigmaChurn() != null && !explicit.contains("sChurn") ? o.sigmaChurn() : base.sChurn();
        double tmin = o.sigmaTmin() != null && !explicit.contains("sTmin") ? o.sigmaTmin() : base.sTmin();
        double tmax = o.sigmaTmax() != null && !explicit.contains("sTmax") ? o.sigmaTmax() : base.sTmax();
        return new SamplingOptions(subseed, strength, rw, rh, ensd, ngms, eta, sNoise, churn, tmin, tmax,
                pick(o.ngmsAllSteps(), base.sMinUncondAll(), "sMinUncondAll", explicit),
                pick(o.scheduleMinSigma(), base.sigmaMin(), "sigmaMin", explicit),
                pick(o.scheduleMaxSigma(), base.sigmaMax(), "sigmaMax", explicit),
                pick(o.scheduleRho(), base.rho(), "rho", explicit),
                pick(o.betaScheduleAlpha(), base.betaAlpha(), "betaAlpha", explicit),
                pick(o.betaScheduleBeta(), base.betaBeta(), "betaBeta", explicit),
                pick(o.discardPenultimateSigma(), base.discardPenultimateSigma(), "discardPenultimateSigma", explicit));
    }

    /** The stated value unless the field was given explicitly or the text does not state it. */
    private static <T> T pick(T stated, T base, String field, Set<String> explicit) {
        return stated != null && !explicit.contains(field) ? stated : base;
    }
}
