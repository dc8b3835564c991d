package dev.animagine.cli;

import dev.animagine.core.tensor.DType;
import dev.animagine.core.text.TextEncoderWarmUp;
import dev.animagine.core.InvalidArgumentException;
import dev.animagine.core.InvalidRequestException;
import dev.animagine.core.animagine.ImageSize;
import dev.animagine.core.animagine.PromptWarning;
import dev.animagine.core.image.InitImage;
import dev.animagine.core.lora.LoraStack;
import dev.animagine.core.pipeline.ImageOutput;
import dev.animagine.core.sampling.Seeds;
import dev.animagine.core.service.Compat;
import dev.animagine.core.service.GeneratedImage;
import dev.animagine.core.service.GenerationResult;
import dev.animagine.core.service.GenerationService;
import dev.animagine.core.service.ImageRequest;
import dev.animagine.core.service.PreparedRequest;
import dev.animagine.core.service.ParametersRequest;
import dev.animagine.core.service.SamplingOptions;
import dev.animagine.core.infotext.GenerationParameters;
import dev.animagine.core.infotext.PngParameters;
import dev.animagine.core.io.ModelHashes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code animagine generate}: text to image with an Animagine XL (SDXL) checkpoint. */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        versionProvider = Main.Version.class,
        description = {
                "Generates images from Danbooru-style tags with an Animagine XL (SDXL) checkpoint, a single .safetensors "
                        + "file or a diffusers folder. The prompt is built with the Animagine version's conventions "
                        + "(see `animagine prompt`); the image is a PNG with A1111-style parameters.",
                "Defaults follow the Animagine cards: Euler a, 28 steps, CFG 5, 832x1216.",
                "Exit status: 0 ok, 1 failure, 2 bad option value."})
public final class GenerateCommand implements Callable<Integer> {
    @Mixin
    AnimagineOptions animagine;

    @Mixin
    ModelOptions modelOptions;

    @Parameters(paramLabel = "PROMPT", arity = "0..*", description = "The prompt (tags); several arguments are joined with commas.")
    List<String> positional = new ArrayList<>();

    @Option(names = {"-p", "--prompt"}, paramLabel = "TEXT", description = "The prompt (instead of the positional argument).")
    String prompt;

    @Option(names = "--prompt-file", paramLabel = "FILE", description = "Read the prompt from a UTF-8 text file.")
    Path promptFile;

    @Option(names = {"-W", "--width"}, paramLabel = "PX", description = "Image width, a multiple of 8 (instead of --size).")
    Integer width;

    @Option(names = {"-H", "--height"}, paramLabel = "PX", description = "Image height, a multiple of 8 (instead of --size).")
    Integer height;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "28", description = "Sampling steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--cfg", paramLabel = "SCALE", defaultValue = "5", description = "Classifier-free guidance scale; <= 1 disables the negative prompt (default: ${DEFAULT-VALUE}).")
    double cfg;

    @Option(names = "--sampler", paramLabel = "NAME", defaultValue = "euler_a",
            description = "A1111 mode: A1111's names (\"Euler a\", \"DPM++ 2M\", \"DPM++ 2M SDE\", LMS, Heun, DPM2, \"DPM2 a\", "
                    + "\"DPM++ 2S a\", \"DPM++ SDE\", \"DPM++ 2M SDE Heun\", \"DPM++ 3M SDE\", Restart, LCM, DDIM, UniPC), old combined "
                    + "names (\"DPM++ 2M Karras\") or k-diffusion ids (dpmpp_2m). Diffusers mode: euler, euler_a, dpmpp_2m, ddim or unipc "
                    + "(default: ${DEFAULT-VALUE}).")
    String sampler;

    @Option(names = "--schedule", paramLabel = "TYPE", defaultValue = "default",
            description = "Schedule type: default (A1111's Automatic: the sampler's own), Uniform, Karras, Exponential, Polyexponential, "
                    + "\"SGM Uniform\", \"KL Optimal\", \"Align Your Steps\", Simple, Normal, DDIM, Beta; diffusers mode: default or karras.")
    String schedule;

    @Option(names = "--batch-count", paramLabel = "N", defaultValue = "1",
            description = "Batches to make one after another (A1111's batch count), seeds continuing: seed, seed+1, ... (default: 1).")
    int batchCount;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "1",
            description = "Images per batch, denoised together (A1111's batch size; faster per image, more memory): image i of "
                    + "batch b has seed seed + b*N + i, the same image as made alone (default: 1).")
    int batchSize;

    @Option(names = "--rng", paramLabel = "SOURCE",
            description = "Noise source: gpu or nv = NVIDIA's torch.randn numbers (A1111's default, so a seed gives A1111's image; "
                    + "default in A1111 mode), cpu = PyTorch's CPU generator (diffusers' image; the diffusers mode's only source).")
    String rng;

    @Option(names = "--subseed", paramLabel = "N", defaultValue = "-1", description = "A1111's variation seed (-1: random; with --subseed-strength).")
    long subseed;

    @Option(names = "--subseed-strength", paramLabel = "S", defaultValue = "0", description = "Variation strength 0..1: slerp towards the variation seed's noise.")
    double subseedStrength;

    @Option(names = "--seed-resize-from", paramLabel = "WxH", description = "A1111's \"Resize seed from\": the noise of that size, centred.")
    String seedResizeFrom;

    @Option(names = "--ensd", paramLabel = "N", defaultValue = "0", description = "Eta noise seed delta (A1111's ENSD; 31337 in NovelAI-style setups).")
    long ensd;

    @Option(names = "--s-min-uncond", paramLabel = "SIGMA", defaultValue = "0",
            description = "A1111's Negative Guidance minimum sigma (NGMS): the negative prompt is skipped on every other step below it.")
    double sMinUncond;

    @Option(names = "--eta", paramLabel = "ETA", description = "Ancestral/SDE eta (default 1); DDIM's eta (default 0) for DDIM.")
    Double eta;

    @Option(names = "--s-noise", paramLabel = "S", defaultValue = "1", description = "Sampler noise multiplier (default: 1).")
    double sNoise;

    @Option(names = "--s-churn", paramLabel = "S", defaultValue = "0", description = "Euler/Heun/DPM2 churn (default: 0).")
    double sChurn;

    @Option(names = "--s-tmin", paramLabel = "SIGMA", defaultValue = "0", description = "Churn range minimum sigma (default: 0).")
    double sTmin;

    @Option(names = "--s-tmax", paramLabel = "SIGMA", defaultValue = "0", description = "Churn range maximum sigma (default: 0 = no limit).")
    double sTmax;

    @Option(names = "--s-min-uncond-all", description = "NGMS on every step, not every other (A1111's \"NGMS all steps\").")
    boolean sMinUncondAll;

    @Option(names = "--deepcache", paramLabel = "N",
            description = "DeepCache: the full UNet every N-th UNet call, only its shallow branch on the cached deep features between (N >= 1; off by default).")
    Integer deepCache;

    @Option(names = "--cfg-cutoff", paramLabel = "R",
            description = "Turn classifier-free guidance off after a fraction R (0..1) of the steps: after step int(steps x R) only the prompt's pass runs (off by default).")
    Double cfgCutoff;

    @Option(names = "--sigma-min", paramLabel = "SIGMA", defaultValue = "0", description = "Schedule's minimum sigma (default 0: the model's).")
    double sigmaMin;

    @Option(names = "--sigma-max", paramLabel = "SIGMA", defaultValue = "0", description = "Schedule's maximum sigma (default 0: the model's).")
    double sigmaMax;

    @Option(names = "--rho", paramLabel = "RHO", defaultValue = "0", description = "Karras/Polyexponential rho (default 0: the schedule's own, 7 / 1).")
    double rho;

    @Option(names = "--beta-alpha", paramLabel = "A", defaultValue = "0.6", description = "Beta schedule alpha (default: 0.6).")
    double betaAlpha;

    @Option(names = "--beta-beta", paramLabel = "B", defaultValue = "0.6", description = "Beta schedule beta (default: 0.6).")
    double betaBeta;

    @Option(names = "--discard-penultimate-sigma", description = "Always drop the next-to-last sigma (A1111's option of that name).")
    boolean discardPenultimateSigma;

    @Option(names = "--verbatim", description = "Prompt and negative exactly as given: no Animagine template, quality tags or default negative.")
    boolean verbatim;

    @Option(names = "--infotext", paramLabel = "TEXT",
            description = "Generation parameters to reproduce (A1111/Forge/civitai text, Animagine space JSON): sets every option they "
                    + "name, prompts verbatim; explicit flags win.")
    String infotext;

    @Option(names = "--from-png", paramLabel = "FILE", description = "As --infotext, with the parameters stored in a PNG.")
    Path fromPng;

    @Option(names = "--compat", paramLabel = "MODE", defaultValue = "a1111",
            description = "Prompt encoding: a1111 (emphasis (tag:1.2), prompts longer than 75 tokens in chunks; default) or "
                    + "diffusers (exactly diffusers' StableDiffusionXLPipeline: prompts as given, truncated at 77 tokens, "
                    + "a missing negative is all zeros).")
    String compat;

    @Option(names = "--emphasis", paramLabel = "MODE", defaultValue = "Original",
            description = "A1111 emphasis mode: Original, \"No norm\", Ignore or None (default: ${DEFAULT-VALUE}).")
    String emphasis;

    @Option(names = "--clip-skip", paramLabel = "N", defaultValue = "1", description = "Text-encoder layers to skip; 1 = SDXL's penultimate layer (default).")
    int clipSkip;

    @Option(names = "--original-size", paramLabel = "WxH", description = "SDXL size conditioning: original size (default: the image size).")
    String originalSize;

    @Option(names = "--target-size", paramLabel = "WxH", description = "SDXL size conditioning: target size (default: the image size).")
    String targetSize;

    @Option(names = "--crop", paramLabel = "TOP,LEFT", description = "SDXL crop conditioning (default: 0,0).")
    String crop;

    @Option(names = "--tokenizer", paramLabel = "DIR", description = "CLIP vocabulary (vocab.json + merges.txt, or bpe_simple_vocab_16e6.txt.gz); "
            + "needed for single files without one beside them, else $ANIMAGINE_TOKENIZER or the Hugging Face cache.")
    Path tokenizer;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE|DIR", defaultValue = "outputs",
            description = "A .png file, or a folder for numbered NNNNN-SEED.png files (default: ${DEFAULT-VALUE}). Never overwrites.")
    Path output;

    @Option(names = "--dump", paramLabel = "DIR", description = "Also write conditioning.safetensors and latents.safetensors (float32) to DIR.")
    Path dump;

    @Option(names = "--lora", paramLabel = "FILE[:WEIGHT]",
            description = "Apply a LoRA / LyCORIS adapter with a weight (default 1) on both text encoders and the UNet; repeatable. "
                    + "The prompt's <lora:NAME:WEIGHT> tags are applied too; adapters given here are recorded as such tags.")
    List<String> loras = new ArrayList<>();

    @Option(names = "--lora-dir", paramLabel = "DIR",
            description = "Where <lora:NAME> tags are looked up by file name or ss_output_name (default: a Lora folder next to the model, then models/Lora).")
    Path loraDir;

    @Option(names = {"-q", "--quiet"}, description = "No progress bar.")
    boolean quiet;

    @Option(names = "--init-image", paramLabel = "FILE", description = "img2img: start from this picture (PNG, JPEG, WebP; transparency "
            + "flattened on white). The size defaults to the picture's, rounded down to a multiple of 8.")
    Path initImage;

    @Option(names = "--strength", paramLabel = "S", description = "Denoising strength in (0, 1] (default: 0.75; with --compat diffusers "
            + "0.3, inpainting 0.9999).")
    Double strength;

    @Option(names = "--resize-mode", paramLabel = "MODE", defaultValue = "just-resize",
            description = "When --size differs from the init image: just-resize, crop-and-resize, resize-and-fill or latent-upscale "
                    + "(A1111's \"Just resize (latent upscale)\": encode at the image's size, resize the latents bilinearly; "
                    + "default: ${DEFAULT-VALUE}).")
    String resizeMode;

    @Option(names = "--mask", paramLabel = "FILE", description = "Inpainting mask, the init image's size: white = repaint, black = keep.")
    Path mask;

    @Option(names = "--mask-blur", paramLabel = "PX", description = "Mask blur in pixels (default: 4, A1111's; none with --compat diffusers).")
    Integer maskBlur;

    @Option(names = "--mask-invert", description = "Repaint the black part instead (A1111's \"inpaint not masked\").")
    boolean maskInvert;

    @Option(names = "--inpaint-fill", paramLabel = "MODE", defaultValue = "original",
            description = "Masked content: original, fill, latent-noise or latent-nothing (default: ${DEFAULT-VALUE}).")
    String inpaintFill;

    @Option(names = "--inpaint-area", paramLabel = "AREA", defaultValue = "whole",
            description = "whole (the whole picture) or masked (crop around the mask, work at --size, paste back) (default: ${DEFAULT-VALUE}).")
    String inpaintArea;

    @Option(names = "--inpaint-padding", paramLabel = "PX", defaultValue = "32", description = "Padding around the mask for --inpaint-area masked (default: ${DEFAULT-VALUE}).")
    int inpaintPadding;

    @Option(names = "--hires-scale", paramLabel = "F", description = "Hires fix: upscale the latents by F and run a second pass.")
    Double hiresScale;

    @Option(names = "--hires-size", paramLabel = "WxH", description = "Hires fix to this size (multiples of 8), instead of --hires-scale.")
    String hiresSize;

    @Option(names = "--hires-denoise", paramLabel = "S", description = "Denoising strength of the hires pass (default: 0.7; --compat diffusers 0.55).")
    Double hiresDenoise;

    @Option(names = "--hires-steps", paramLabel = "N", defaultValue = "0", description = "Steps of the hires pass; 0 = --steps (default).")
    int hiresSteps;

    @Option(names = "--hires-upscaler", paramLabel = "ID",
            description = "latent, latent-antialiased, latent-bicubic, latent-bicubic-antialiased, latent-nearest or latent-nearest-exact; "
                    + "or (A1111 mode) an image upscaler, which decodes, resizes the pixels and encodes again: lanczos, nearest or none "
                    + "(default: latent; --compat diffusers latent-nearest-exact).")
    String hiresUpscaler;

    @Option(names = "--hires-sampler", paramLabel = "ID", description = "Sampler of the hires pass (default: --sampler).")
    String hiresSampler;

    @Option(names = "--hires-prompt", paramLabel = "TEXT", description = "Prompt of the hires pass (default: the prompt).")
    String hiresPrompt;

    @Option(names = "--hires-negative", paramLabel = "TEXT", description = "Negative prompt of the hires pass (default: the negative prompt).")
    String hiresNegative;

    @Option(names = "--hires-reseed", description = "--compat diffusers: start the hires pass from a fresh generator with the seed "
            + "(the Animagine space continues the first pass's generator).")
    boolean hiresReseed;

    @Option(names = "--animagine-upscale", description = "The Animagine space's upscale: hires x1.5, latent-nearest-exact, strength 0.55 "
            + "(explicit --hires-* flags win).")
    boolean animagineUpscale;

    @Spec
    CommandSpec spec;

    /** Request fields as this command's flags, for error messages. */
    private static final Map<String, String> FLAGS = Map.ofEntries(
            Map.entry("steps", "--steps"), Map.entry("cfgScale", "--cfg"), Map.entry("sampler", "--sampler"),
            Map.entry("schedule", "--schedule"), Map.entry("seed", "--seed"), Map.entry("batchCount", "--batch-count"), Map.entry("batchSize", "--batch-size"),
            Map.entry("rng", "--rng"), Map.entry("compat", "--compat"), Map.entry("emphasis", "--emphasis"),
            Map.entry("clipSkip", "--clip-skip"), Map.entry("size", "--size"), Map.entry("originalSize", "--original-size"),
            Map.entry("targetSize", "--target-size"), Map.entry("crop", "--crop"), Map.entry("initImage", "--init-image"),
            Map.entry("strength", "--strength"), Map.entry("resizeMode", "--resize-mode"), Map.entry("mask", "--mask"),
            Map.entry("maskBlur", "--mask-blur"), Map.entry("inpaintFill", "--inpaint-fill"), Map.entry("inpaintArea", "--inpaint-area"),
            Map.entry("inpaintPadding", "--inpaint-padding"), Map.entry("hires", "--hires-scale/--hires-size"),
            Map.entry("hiresScale", "--hires-scale"), Map.entry("hiresSize", "--hires-size"), Map.entry("hiresDenoise", "--hires-denoise"),
            Map.entry("hiresSteps", "--hires-steps"), Map.entry("hiresUpscaler", "--hires-upscaler"), Map.entry("hiresSampler", "--hires-sampler"),
            Map.entry("subseed", "--subseed"), Map.entry("subseedStrength", "--subseed-strength"),
            Map.entry("seedResizeFrom", "--seed-resize-from"), Map.entry("ensd", "--ensd"), Map.entry("sMinUncond", "--s-min-uncond"),
            Map.entry("eta", "--eta"), Map.entry("sNoise", "--s-noise"), Map.entry("sChurn", "--s-churn"), Map.entry("sTmin", "--s-tmin"),
            Map.entry("sTmax", "--s-tmax"), Map.entry("sMinUncondAll", "--s-min-uncond-all"), Map.entry("sigmaMin", "--sigma-min"),
            Map.entry("sigmaMax", "--sigma-max"), Map.entry("rho", "--rho"), Map.entry("betaAlpha", "--beta-alpha"),
            Map.entry("betaBeta", "--beta-beta"), Map.entry("discardPenultimateSigma", "--discard-penultimate-sigma"), Map.entry("prompt", "--prompt"), Map.entry("negativePrompt", "--negative"),
            Map.entry("loras", "--lora"), Map.entry("loraDir", "--lora-dir"), Map.entry("deepCacheInterval", "--deepcache"),
            Map.entry("cfgCutoff", "--cfg-cutoff"));

    @Override
    public Integer call() throws IOException {
        TextEncoderWarmUp.startInBackground(DType.F16); // compiles the text kernels while the model is opened
        PrintWriter err = spec.commandLine().getErr();
        // everything that needs no model is checked before the model is opened
        GenerationParameters pasted = pastedParameters();
        ImageRequest request = flagNamed(() -> pasted == null ? toRequest().validate() : toRequest());
        Path model = animagine.model();
        if (model == null) throw new InvalidArgumentException("missing --model (a .safetensors checkpoint or a diffusers folder)");
        int images = batchCount * batchSize;
        ImageOutput out = ImageOutput.of(output, images);

        try (GenerationService service = GenerationService.open(model, modelOptions.toOptions(), tokenizer)) {
            if (pasted != null) request = withPasted(pasted, request, service, err);
            ImageRequest req = request;
            PreparedRequest prepared = flagNamed(() -> service.prepare(req));
            if (prepared.seedPicked() || animagine.seedWasRandom())
                err.println("animagine: note: seed " + Seeds.format(prepared.seed()) + " (picked at random; --seed "
                        + Seeds.format(prepared.seed()) + " repeats it)");
            for (PromptWarning warning : prepared.prompt().warnings())
                err.println("animagine: " + (warning.isNote() ? "note" : "warning") + ": " + warning.message());
            for (String warning : prepared.loraWarnings()) err.println("animagine: warning: " + warning);
            err.flush();
            GenerationResult result;
            try (Progress progress = Progress.start(!quiet, err);
                 Interrupts interrupts = Interrupts.cancelOnSignal(progress.control())) {
                result = service.generate(prepared, progress.control());
                for (GeneratedImage image : result.images()) {
                    Path written = out.write(image.result().image(), image.parameters(), image.seed(), image.index());
                    if (dump != null) out.dump(image.result(), dump, images > 1 ? image.index() : -1);
                    spec.commandLine().getOut().println(written);
                }
            }
            if (result.cancelled()) {
                err.println("animagine: cancelled (" + result.images().size() + " of " + images + " images written)");
                return 130;
            }
        }
        return 0;
    }

    /** The request these flags describe. */
    private ImageRequest toRequest() throws IOException {
        String tags = promptText();
        String sizeText = sizeOption();
        int[] orig = originalSize == null ? new int[] {0, 0} : parseSize("--original-size", originalSize);
        int[] target = targetSize == null ? new int[] {0, 0} : parseSize("--target-size", targetSize);
        int[] cropTl = crop == null ? new int[] {0, 0} : parseCrop(crop);
        Compat mode = flagNamed(() -> Compat.parse(compat));
        Long seed = animagine.seed();
        ImageRequest.Builder b = ImageRequest.builder();
        addImageInputs(b);
        return b
                .prompt(tags)
                .negativePrompt(animagine.negative())
                .animagine(animagine.toSettings())
                .size(sizeText == null ? null : ImageSize.parse(sizeText))
                .steps(steps)
                .cfgScale(cfg)
                .sampler(sampler)
                .schedule(schedule)
                .seed(seed == null ? -1 : seed)
                .batchCount(batchCount)
                .batchSize(batchSize)
                .rng(rng)
                .compat(mode)
                .emphasis(emphasis)
                .clipSkip(clipSkip)
                .originalSize(orig[0], orig[1])
                .targetSize(target[0], target[1])
                .crop(cropTl[0], cropTl[1])
                .verbatim(verbatim)
                .sampling(samplingOptions())
                .loras(loras.stream().map(GenerateCommand::parseLora).toList())
                .loraDir(loraDir)
                .deepCacheInterval(deepCacheFlag())
                .cfgCutoff(cfgCutoff == null ? 1 : cfgCutoff)
                .build();
    }

    /** --deepcache's interval, 0 when not given. */
    private int deepCacheFlag() {
        if (deepCache == null) return 0;
        if (deepCache < 1) throw new InvalidArgumentException("--deepcache must be at least 1 (got " + deepCache + ")");
        return deepCache;
    }

    /** The img2img, inpainting and hires flags; hires settings only when a hires flag is given. */
    private void addImageInputs(ImageRequest.Builder b) {
        if (mask != null && initImage == null) throw new InvalidArgumentException("--mask needs --init-image (the picture to inpaint)");
        if (initImage != null) b.initImage(InitImage.of(initImage));
        if (mask != null) b.mask(InitImage.of(mask));
        b.strength(strength).resizeMode(resizeMode).maskBlur(maskBlur).maskInvert(maskInvert).inpaintFill(inpaintFill)
                .inpaintArea(inpaintArea).inpaintPadding(inpaintPadding).animagineUpscale(animagineUpscale);
        if (hiresScale != null) b.hiresScale(hiresScale);
        if (hiresSize != null) {
            int[] wh = parseSize("--hires-size", hiresSize);
            b.hiresSize(wh[0], wh[1]);
        }
        if (hiresDenoise != null) b.hiresDenoise(hiresDenoise);
        if (hiresSteps != 0) b.hiresSteps(hiresSteps);
        if (hiresUpscaler != null) b.hiresUpscaler(hiresUpscaler);
        if (hiresSampler != null) b.hiresSampler(hiresSampler);
        if (hiresPrompt != null) b.hiresPrompt(hiresPrompt);
        if (hiresNegative != null) b.hiresNegativePrompt(hiresNegative);
        if (hiresReseed) b.hiresReseed(true);
    }

    /** A1111's seed and sampler settings from their flags. */
    private SamplingOptions samplingOptions() {
        int[] resize = seedResizeFrom == null ? new int[] {0, 0} : parseSize("--seed-resize-from", seedResizeFrom);
        return new SamplingOptions(subseed, subseedStrength, resize[0], resize[1], ensd, sMinUncond, eta, sNoise, sChurn, sTmin, sTmax,
                sMinUncondAll, sigmaMin, sigmaMax, rho, betaAlpha, betaBeta, discardPenultimateSigma);
    }

    /** The parameters of --infotext or --from-png, or null. */
    private GenerationParameters pastedParameters() {
        if (infotext != null && fromPng != null) throw new InvalidArgumentException("give --infotext or --from-png, not both");
        if (infotext != null) return PngParameters.fromText(infotext);
        if (fromPng == null) return null;
        if (!Files.isRegularFile(fromPng)) throw new InvalidArgumentException("--from-png " + fromPng + ": file not found");
        return PngParameters.read(fromPng);
    }

    /** The pasted parameters under the flags given explicitly; a warning for each thing not reproduced. */
    private ImageRequest withPasted(GenerationParameters p, ImageRequest flags, GenerationService service, PrintWriter err) throws IOException {
        var parsed = spec.commandLine().getParseResult();
        java.util.Set<String> explicit = new java.util.HashSet<>();
        FLAGS.forEach((field, flag) -> {
            if (parsed.hasMatchedOption(flag)) explicit.add(field);
        });
        if (!positional.isEmpty() || promptFile != null) explicit.add("prompt");
        if (parsed.hasMatchedOption("--width") || parsed.hasMatchedOption("--height")) explicit.add("size");
        String hash = ModelHashes.shortHash(service.checkpoint());
        // the LoRAs the pasted prompt names, as they resolve here, with their hashes (checked against "Lora hashes")
        ParametersRequest.Applied draft = ParametersRequest.apply(p, flags, explicit, hash, Map.of());
        Map<String, String> loaded = p.loraHashes().isEmpty() ? Map.of() : service.loraHashes(flagNamed(() -> service.prepare(draft.request())));
        ParametersRequest.Applied applied = ParametersRequest.apply(p, flags, explicit, hash, loaded);
        for (String w : applied.warnings()) err.println("animagine: warning: " + w);
        return flagNamed(() -> applied.request().validate());
    }

    /** Runs {@code body}, reporting a request field under its flag's name. */
    private static <T> T flagNamed(IoSupplier<T> body) throws IOException {
        try {
            return body.get();
        } catch (InvalidRequestException e) {
            throw e.renamed(FLAGS.getOrDefault(e.field(), e.field()));
        }
    }

    @FunctionalInterface
    private interface IoSupplier<T> {
        T get() throws IOException;
    }

    private String promptText() throws IOException {
        int given = (prompt != null ? 1 : 0) + (promptFile != null ? 1 : 0) + (positional.isEmpty() ? 0 : 1);
        if (given > 1) throw new InvalidArgumentException("give the prompt once: as an argument, with --prompt or with --prompt-file");
        if (promptFile != null) {
            try {
                return Files.readString(promptFile).strip();
            } catch (NoSuchFileException e) {
                throw new InvalidArgumentException("--prompt-file " + promptFile + ": file not found");
            }
        }
        if (prompt != null) return prompt;
        return String.join(", ", positional);
    }

    /** --width/--height and --size are alternatives. */
    private String sizeOption() {
        if (width == null && height == null) return animagine.size();
        if (animagine.size() != null) throw new InvalidArgumentException("give --size or --width/--height, not both");
        if (width == null || height == null) throw new InvalidArgumentException("--width and --height go together (or use --size WxH)");
        checkSize("--width/--height", width, height);
        return width + "x" + height;
    }

    private static void checkSize(String what, int w, int h) {
        if (w <= 0 || h <= 0 || w % 8 != 0 || h % 8 != 0)
            throw new InvalidArgumentException(what + " " + w + "x" + h + ": width and height must be positive multiples of 8");
    }

    static int[] parseSize(String flag, String text) {
        String[] p = text.strip().toLowerCase(Locale.ROOT).split("x");
        try {
            if (p.length == 2) {
                int w = Integer.parseInt(p[0].strip()), h = Integer.parseInt(p[1].strip());
                if (w > 0 && h > 0) return new int[] {w, h};
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new InvalidArgumentException(flag + " " + text + ": expected WIDTHxHEIGHT, e.g. 1024x1024");
    }

    /** {@code FILE[:WEIGHT]}: the text after the last ':' is the weight when it is a number. */
    static LoraStack.Request parseLora(String text) {
        int colon = text.lastIndexOf(':');
        if (colon > 0) {
            String tail = text.substring(colon + 1).strip();
            try {
                float w = Float.parseFloat(tail);
                if (!Float.isFinite(w)) throw new InvalidArgumentException("--lora " + text + ": weight must be a finite number");
                return new LoraStack.Request(Path.of(text.substring(0, colon)), w, w);
            } catch (NumberFormatException notAWeight) {
                // a ':' inside the file name
            }
        }
        return new LoraStack.Request(Path.of(text), 1f, 1f);
    }

    static int[] parseCrop(String text) {
        String[] p = text.strip().split(",");
        try {
            if (p.length == 2) {
                int top = Integer.parseInt(p[0].strip()), left = Integer.parseInt(p[1].strip());
                if (top >= 0 && left >= 0) return new int[] {top, left};
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new InvalidArgumentException("--crop " + text + ": expected TOP,LEFT in pixels, e.g. 0,0");
    }
}
