package dev.animagine.core.infotext;

import dev.animagine.core.InvalidArgumentException;
import dev.animagine.core.infotext.GenerationParameters.Size;
import dev.animagine.core.infotext.GenerationParameters.Source;
import dev.animagine.core.pipeline.GenerationRequest;
import dev.animagine.core.pipeline.StepSavings;
import dev.animagine.core.sampling.Sampler;
import dev.animagine.core.sampling.ScheduleType;
import dev.animagine.core.text.A1111Settings;
import dev.animagine.core.text.EmphasisMode;
import dev.animagine.core.text.PromptMode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns parsed parameters into a {@link GenerationRequest}: what the parameters state overrides the
 * base request (the command line's values); what this engine cannot reproduce is either refused (a
 * sampler or schedule it does not have) or listed as a warning (hires fix, LoRAs, ADetailer, GPU noise...)
 * so the user knows the image will differ.
 */
public final class RequestMapping {
    /** Schedules that only approximate the named one here (ComfyUI's; diffusers' default spacing is used). */
    /** A1111's version, after Forge's own "f2.0.1" prefix when there is one. */
    private static final Pattern VERSION = Pattern.compile("^(?:f[\\d.]+[^v]*v)?v?(\\d+)\\.(\\d+)");
    private static final Set<String> APPROXIMATED = Set.of("Normal", "Simple", "SGM Uniform");

    private RequestMapping() {}

    /** The request, and what of the parameters it does not reproduce (empty when it reproduces all). */
    public record Mapped(GenerationRequest request, List<String> warnings) {}

    public static Mapped toRequest(GenerationParameters p, GenerationRequest base) {
        List<String> warnings = new ArrayList<>();
        Size size = p.size() != null ? p.size() : new Size(base.width(), base.height());
        Sampler sampler = base.sampler();
        if (p.sampler() != null) {
            try {
                sampler = Sampler.byId(p.sampler());
            } catch (InvalidArgumentException e) {
                throw new InvalidArgumentException("infotext Sampler '" + p.sampler() + "' is not available here (available: "
                        + String.join(", ", java.util.Arrays.stream(Sampler.values()).map(Sampler::a1111Name).toList()) + ")");
            }
        }
        ScheduleType schedule = p.sampler() == null && p.params().get("Schedule type") == null ? base.schedule() : schedule(p, sampler, warnings);
        if (!sampler.supports(schedule))
            throw new InvalidArgumentException("infotext asks for " + sampler.a1111Name() + " with the " + schedule.a1111Name()
                    + " schedule, which diffusers does not offer for that sampler");
        PromptMode mode = base.promptMode();
        if ("diffusers".equalsIgnoreCase(p.promptEncoding())) mode = PromptMode.DIFFUSERS;
        else if (p.source() == Source.A1111) mode = PromptMode.A1111;
        A1111Settings a1111 = base.a1111();
        if (p.emphasis() != null) a1111 = new A1111Settings(EmphasisMode.fromA1111Name(p.emphasis()), a1111.commaPaddingBacktrack());
        Size original = p.originalSize() != null ? p.originalSize() : size;
        Size target = p.targetSize() != null ? p.targetSize() : size;
        int cropTop = p.crop() != null ? p.crop().top() : 0, cropLeft = p.crop() != null ? p.crop().left() : 0;
        // an infotext without a negative prompt is a request without one (diffusers mode then zeroes it, as diffusers does for None)
        String negative = p.negativePrompt().isEmpty() ? null : p.negativePrompt();
        GenerationRequest request = new GenerationRequest(p.prompt(), negative, size.width(), size.height(),
                p.steps() != null ? p.steps() : base.steps(), p.cfgScale() != null ? p.cfgScale() : base.cfgScale(),
                sampler, schedule, p.seed() != null ? p.seed() : base.seed(), mode, a1111, p.clipSkip(),
                original.width(), original.height(), cropTop, cropLeft, target.width(), target.height());
        GenerationParameters.SamplerOptions o = p.samplerOptions();
        if (o.deepCache() != null || o.cfgCutoff() != null)
            request = request.withSavings(new StepSavings(o.deepCache() != null ? o.deepCache() : 0, o.cfgCutoff() != null ? o.cfgCutoff() : 1));
        warnings.addAll(notReproduced(p, sampler));
        return new Mapped(request, List.copyOf(warnings));
    }

    /**
     * The schedule this engine runs. A1111's "Automatic" is the sampler's default there (Karras for
     * DPM++ 2M since A1111 1.9); infotexts from this engine, the Animagine space and ComfyUI mean the
     * scheduler config's own schedule by it.
     */
    static ScheduleType schedule(GenerationParameters p, Sampler sampler, List<String> warnings) {
        String label = p.scheduleType();
        if (label.equals("Automatic") && p.source() == Source.A1111 && !ours(p)) label = a1111Automatic(p, sampler);
        return switch (label) {
            case "Automatic", "Uniform" -> ScheduleType.DEFAULT;
            case "Karras" -> ScheduleType.KARRAS;
            default -> {
                if (!APPROXIMATED.contains(label))
                    throw new InvalidArgumentException("infotext Schedule type '" + p.scheduleType() + "' is not available here (available: Automatic, Karras)");
                warnings.add("Schedule type " + label + " is approximated by the scheduler config's own spacing");
                yield ScheduleType.DEFAULT;
            }
        };
    }

    /**
     * A1111 1.9 added schedule types and made "Automatic" the sampler's default; before, a plain name
     * such as "DPM++ 2M" ran the model's own sigmas ("Karras" was part of the name).
     */
    private static String a1111Automatic(GenerationParameters p, Sampler sampler) {
        boolean scheduleTypes = p.params().containsKey("Schedule type") || versionAtLeast19(p.version());
        return scheduleTypes ? A1111Samplers.automaticSchedule(sampler.a1111Name()) : "Uniform";
    }

    /** Whether an A1111 "Version" (v1.9.0, 1.10.1-..., Forge's f2.0.1v1.10.1-...) is 1.9 or later. */
    static boolean versionAtLeast19(String version) {
        if (version == null) return false;
        Matcher m = VERSION.matcher(version.strip());
        if (!m.find()) return false;
        int major = Integer.parseInt(m.group(1)), minor = Integer.parseInt(m.group(2));
        return major > 1 || (major == 1 && minor >= 9);
    }

    private static boolean ours(GenerationParameters p) {
        return p.version() != null && p.version().startsWith("animagine-java");
    }

    /** What the request leaves out, one line each. */
    static List<String> notReproduced(GenerationParameters p, Sampler sampler) {
        List<String> w = new ArrayList<>();
        String rng = p.rng().toUpperCase(Locale.ROOT);
        if (!rng.equals("CPU"))
            w.add("RNG " + p.rng() + ": the noise was drawn on the " + (rng.equals("NV") ? "NVidia-compatible generator" : "GPU")
                    + "; this engine draws it as PyTorch's CPU generator does (A1111's RNG: CPU), so the image will differ");
        if (p.ensd() != null && p.ensd() != 0 && sampler == Sampler.EULER_A)
            w.add("ENSD " + p.ensd() + " (eta noise seed delta) is not applied");
        GenerationParameters.SamplerOptions o = p.samplerOptions();
        List<String> options = new ArrayList<>();
        for (var c : o.getClass().getRecordComponents()) {
            try {
                Object v = c.getAccessor().invoke(o);
                if (v != null) options.add(c.getName() + " " + v);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        if (!options.isEmpty()) w.add("sampler options not applied: " + String.join(", ", options));
        if (p.hires() != null) w.add("hires fix (" + describe(p.hires()) + ") is not run: only the first pass is made");
        else if (p.denoisingStrength() != null) w.add("Denoising strength " + p.denoisingStrength() + " (img2img/inpaint) is ignored: txt2img only");
        if (p.maskBlur() != null) w.add("Mask blur (inpaint) is ignored: txt2img only");
        if (p.variationSeedStrength() != null && p.variationSeedStrength() != 0)
            w.add("variation seed " + p.variationSeed() + " at strength " + p.variationSeedStrength() + " is not applied");
        if (p.seedResizeFrom() != null && p.seedResizeFrom().width() > 0)
            w.add("Seed resize from " + p.seedResizeFrom() + " is not applied");
        if (!p.loraHashes().isEmpty() || p.prompt().contains("<lora:"))
            w.add("LoRAs in the prompt (" + (p.loraHashes().isEmpty() ? "<lora:...>" : String.join(", ", p.loraHashes().keySet())) + ") must be loaded separately");
        if (!p.tiHashes().isEmpty()) w.add("textual-inversion embeddings are not loaded: " + String.join(", ", p.tiHashes().keySet()));
        if (p.vae() != null) w.add("made with the VAE " + p.vae() + ": use the same one");
        if (p.forge() != null && !p.forge().modules().isEmpty())
            w.add("Forge modules " + String.join(", ", p.forge().modules()) + " (VAE / text encoders) must be given separately");
        if (p.forge() != null && p.forge().distilledCfgScale() != null) w.add("Distilled CFG Scale (Flux) does not apply to SDXL");
        if (p.source() == Source.ANIMAGINE_SPACE)
            w.add("the Animagine space encodes prompts with diffusers' lpw_stable_diffusion_xl pipeline; A1111 prompt mode is the closest here");
        if (p.source() == Source.COMFYUI) w.add("ComfyUI weights prompts its own way; A1111 prompt mode is the closest here");
        if (!p.unknownKeys().isEmpty()) w.add("not understood, ignored: " + String.join(", ", p.unknownKeys()));
        w.addAll(p.invalidValues());
        return w;
    }

    /** A warning when the parameters name a model hash other than the loaded checkpoint's (A1111's short sha256). */
    public static Optional<String> modelMismatch(GenerationParameters p, String loadedShortHash) {
        if (p.modelHash() == null || loadedShortHash == null || p.modelHash().equalsIgnoreCase(loadedShortHash)) return Optional.empty();
        return Optional.of("made with model " + (p.model() == null ? "" : p.model() + " ") + "[" + p.modelHash()
                + "], the loaded checkpoint is [" + loadedShortHash + "]");
    }

    private static String describe(GenerationParameters.Hires h) {
        List<String> parts = new ArrayList<>();
        if (h.upscale() != null) parts.add("upscale " + h.upscale());
        if (h.resize() != null) parts.add("resize to " + h.resize());
        if (h.upscaler() != null) parts.add(h.upscaler());
        if (h.steps() != null) parts.add(h.steps() + " steps");
        return String.join(", ", parts);
    }
}
