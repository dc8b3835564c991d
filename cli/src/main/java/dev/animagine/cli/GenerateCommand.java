package dev.animagine.cli;

import dev.animagine.core.InvalidArgumentException;
import dev.animagine.core.animagine.ImageSize;
import dev.animagine.core.animagine.PromptBuilder;
import dev.animagine.core.animagine.PromptResult;
import dev.animagine.core.animagine.PromptWarning;
import dev.animagine.core.io.Checkpoint;
import dev.animagine.core.pipeline.GenerationRequest;
import dev.animagine.core.pipeline.ImageOutput;
import dev.animagine.core.pipeline.StableDiffusionXLPipeline;
import dev.animagine.core.sampling.Sampler;
import dev.animagine.core.sampling.ScheduleType;
import dev.animagine.core.sampling.Seeds;
import dev.animagine.core.text.A1111Settings;
import dev.animagine.core.text.EmphasisMode;
import dev.animagine.core.text.PromptMode;
import dev.animagine.core.text.SdxlTokenizers;
import dev.animagine.core.text.TokenizerLocator;
import picocli.CommandLine.ArgGroup;
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

    @Option(names = "--sampler", paramLabel = "ID", defaultValue = "euler_a",
            description = "euler, euler_a, dpmpp_2m, ddim or unipc (default: ${DEFAULT-VALUE}).")
    String sampler;

    @Option(names = "--schedule", paramLabel = "TYPE", defaultValue = "default",
            description = "Noise schedule: default or karras (DPM++ 2M Karras = --sampler dpmpp_2m --schedule karras).")
    String schedule;

    @Option(names = "--batch-count", paramLabel = "N", defaultValue = "1", description = "Images to make, with seeds seed, seed+1, ... (default: 1).")
    int batchCount;

    @Option(names = "--rng", paramLabel = "SOURCE", defaultValue = "cpu",
            description = "Noise source: cpu = PyTorch's CPU generator, so a seed gives diffusers' image (default: cpu).")
    String rng;

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

    @Option(names = {"-q", "--quiet"}, description = "No progress bar.")
    boolean quiet;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        // validate everything cheap before touching the model
        Sampler sampler = Sampler.byId(this.sampler);
        ScheduleType schedule = ScheduleType.byId(this.schedule);
        if (!rng.strip().equalsIgnoreCase("cpu"))
            throw new InvalidArgumentException("--rng " + rng + ": unknown noise source (valid: cpu)");
        boolean diffusers = switch (compat.strip().toLowerCase(Locale.ROOT)) {
            case "a1111" -> false;
            case "diffusers" -> true;
            default -> throw new InvalidArgumentException("--compat " + compat + ": expected a1111 or diffusers");
        };
        if (steps < 1) throw new InvalidArgumentException("--steps " + steps + ": must be at least 1");
        if (batchCount < 1) throw new InvalidArgumentException("--batch-count " + batchCount + ": must be at least 1");
        if (clipSkip < 1) throw new InvalidArgumentException("--clip-skip " + clipSkip + ": must be at least 1");
        if (!Double.isFinite(cfg) || cfg < 0) throw new InvalidArgumentException("--cfg " + cfg + ": must be a non-negative number");
        if (!sampler.supports(schedule))
            throw new InvalidArgumentException("--schedule " + schedule.id() + " is not available for --sampler " + sampler.id());
        A1111Settings settings = new A1111Settings(EmphasisMode.fromA1111Name(emphasis), A1111Settings.DEFAULTS.commaPaddingBacktrack());
        Path model = animagine.model();
        if (model == null) throw new InvalidArgumentException("missing --model (a .safetensors checkpoint or a diffusers folder)");
        String tags = promptText();
        String sizeText = sizeOption();

        long seed = animagine.seed() != null ? animagine.seed() : Seeds.resolve("-1");
        ImageSize size = sizeText == null ? null : ImageSize.parse(sizeText);
        int[] orig = originalSize == null ? null : parseSize("--original-size", originalSize);
        int[] target = targetSize == null ? null : parseSize("--target-size", targetSize);
        int[] cropTl = crop == null ? new int[] {0, 0} : parseCrop(crop);
        ImageOutput out = ImageOutput.of(output, batchCount);

        try (Checkpoint ckpt = Checkpoint.open(model, modelOptions.toOptions())) {
            // the vocabulary: beside the model, --tokenizer, the --config folder, $ANIMAGINE_TOKENIZER, the HF cache
            Path tokenizerDir = tokenizer == null && TokenizerLocator.hasTokenizer(modelOptions.config) ? modelOptions.config : tokenizer;
            SdxlTokenizers tok = TokenizerLocator.find(ckpt.path(), tokenizerDir);
            PromptResult built = new PromptBuilder(TokenCounters.of(tok)).build(animagine.toRequest(tags, diffusers, seed, size));
            if (animagine.seed() == null || animagine.seedWasRandom())
                err.println("animagine: note: seed " + Seeds.format(seed) + " (picked at random; --seed " + Seeds.format(seed) + " repeats it)");
            for (PromptWarning warning : built.warnings())
                err.println("animagine: " + (warning.isNote() ? "note" : "warning") + ": " + warning.message());
            int w = built.width(), h = built.height();
            checkSize("image size", w, h);
            if (orig == null) orig = new int[] {w, h};
            if (target == null) target = new int[] {w, h};
            String negative = built.negativePrompt().isEmpty() && animagine.negative() == null ? null : built.negativePrompt();
            StableDiffusionXLPipeline pipeline = new StableDiffusionXLPipeline(ckpt, tok);
            for (int i = 0; i < batchCount; i++) {
                GenerationRequest req = new GenerationRequest(built.prompt(), negative, w, h, steps, cfg, sampler, schedule, seed + i,
                        diffusers ? PromptMode.DIFFUSERS : PromptMode.A1111, settings, clipSkip, orig[0], orig[1],
                        cropTl[0], cropTl[1], target[0], target[1]);
                StableDiffusionXLPipeline.Result r;
                try (Progress progress = Progress.start(!quiet, err, batchCount > 1 ? "Image " + (i + 1) + "/" + batchCount : "Sampling")) {
                    r = pipeline.generate(req, progress);
                }
                Path written = out.write(r, ckpt, i);
                if (dump != null) out.dump(r, dump, batchCount > 1 ? i : -1);
                spec.commandLine().getOut().println(written);
            }
        }
        return 0;
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
