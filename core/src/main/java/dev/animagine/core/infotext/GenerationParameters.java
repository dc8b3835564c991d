package dev.animagine.core.infotext;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Generation parameters read from a shared image or text. Every typed field is null when the source
 * did not state it, except where A1111 itself applies a default when pasting (noted per field).
 * {@link #params()} keeps every raw pair in source order (values unquoted as A1111 does) and
 * {@link #unknownKeys()} lists the keys no typed field took (ADetailer, ControlNet, extensions...).
 *
 * @param sampler      A1111 sampler label with any schedule suffix removed ("DPM++ 2M Karras" gives
 *                     "DPM++ 2M" and schedule type "Karras"); ComfyUI names are translated to A1111 labels
 * @param scheduleType A1111 schedule label; "Automatic" when absent (A1111's paste default)
 * @param clipSkip     1 when absent (A1111's paste default)
 * @param rng          "GPU" when absent (A1111's paste default: infotexts before the RNG option drew noise on the GPU)
 * @param hires        null when there was no hires pass
 * @param samplerOptions A1111's sampler and schedule settings written only when not default (never null; its fields may be)
 * @param invalidValues "Key: value" pairs whose value did not parse (the typed field is then null)
 */
public record GenerationParameters(
        Source source,
        String prompt,
        String negativePrompt,
        Integer steps,
        String sampler,
        String scheduleType,
        Double cfgScale,
        Long seed,
        Size size,
        String model,
        String modelHash,
        String vae,
        String vaeHash,
        int clipSkip,
        String rng,
        Long ensd,
        Long variationSeed,
        Double variationSeedStrength,
        Size seedResizeFrom,
        Double denoisingStrength,
        Hires hires,
        Integer maskBlur,
        SamplerOptions samplerOptions,
        String emphasis,
        String promptEncoding,
        Size originalSize,
        Size targetSize,
        Crop crop,
        Forge forge,
        Map<String, String> loraHashes,
        Map<String, String> tiHashes,
        Map<String, String> hashes,
        String version,
        Map<String, String> params,
        List<String> unknownKeys,
        List<String> invalidValues) {

    /** Where the parameters came from. */
    public enum Source {
        /** A1111 / Forge / civitai {@code parameters} text. */
        A1111,
        /** The Animagine Hugging Face space's JSON ({@code metadata} chunk). */
        ANIMAGINE_SPACE,
        /** A ComfyUI API graph ({@code prompt} chunk) of the plain SDXL shape. */
        COMFYUI
    }

    /** Width x height in pixels. */
    public record Size(int width, int height) {
        @Override
        public String toString() {
            return width + "x" + height;
        }
    }

    /** SDXL crop conditioning (top, left), as our infotext writes it. */
    public record Crop(int top, int left) {}

    /**
     * A1111's hires fix (second pass). {@code resize} is the target size when the user gave one
     * instead of a factor; sampler/schedule/cfg/checkpoint/prompts are null when "use same".
     */
    public record Hires(Double upscale, Size resize, Integer steps, String upscaler, String sampler,
                        String scheduleType, Double cfgScale, String checkpoint, String prompt, String negativePrompt) {}

    /**
     * The sampler and schedule settings A1111 writes only when they differ from its defaults
     * (sd_samplers_kdiffusion.py, sd_samplers_timesteps.py, sd_samplers_cfg_denoiser.py): Eta (ancestral;
     * default 1), Eta DDIM, Sigma churn/tmin/tmax/noise, NGMS (negative guidance minimum sigma) and
     * NGMS all steps, Schedule min/max sigma and rho, Beta schedule alpha/beta, Discard penultimate sigma;
     * and this engine's step savings, written only when on: DeepCache (interval) and CFG cutoff (ratio).
     */
    public record SamplerOptions(Double eta, Double etaDdim, Double sigmaChurn, Double sigmaTmin, Double sigmaTmax,
                                 Double sigmaNoise, Double ngms, Boolean ngmsAllSteps, Double scheduleMinSigma,
                                 Double scheduleMaxSigma, Double scheduleRho, Double betaScheduleAlpha,
                                 Double betaScheduleBeta, Boolean discardPenultimateSigma, Integer deepCache, Double cfgCutoff) {}

    /**
     * Forge's own keys: the extra modules it loaded beside the checkpoint ("Module 1: sdxl_vae"; VAE or text
     * encoders), those of the hires pass, Flux's distilled CFG and the weight storage ("Diffusion in Low Bits").
     * Null when the text has none of them.
     */
    public record Forge(List<String> modules, List<String> hiresModules, Double distilledCfgScale,
                        Double hiresDistilledCfgScale, String diffusionInLowBits) {
        public Forge {
            modules = List.copyOf(modules);
            hiresModules = List.copyOf(hiresModules);
        }
    }

    public GenerationParameters {
        params = ordered(params);
        unknownKeys = List.copyOf(unknownKeys);
        invalidValues = List.copyOf(invalidValues);
        loraHashes = ordered(loraHashes);
        tiHashes = ordered(tiHashes);
        hashes = ordered(hashes);
    }

    /** An unmodifiable copy that keeps the source order. */
    private static Map<String, String> ordered(Map<String, String> m) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(m));
    }
}
