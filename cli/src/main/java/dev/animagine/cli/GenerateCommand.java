package dev.animagine.cli;

import dev.animagine.core.InvalidArgumentException;
import dev.animagine.core.InvalidRequestException;
import dev.animagine.core.animagine.ImageSize;
import dev.animagine.core.animagine.PromptWarning;
import dev.animagine.core.lora.LoraStack;
import dev.animagine.core.pipeline.ImageOutput;
import dev.animagine.core.sampling.Seeds;
import dev.animagine.core.service.Compat;
import dev.animagine.core.service.GeneratedImage;
import dev.animagine.core.service.GenerationResult;
import dev.animagine.core.service.GenerationService;
import dev.animagine.core.service.ImageRequest;
import dev.animagine.core.service.PreparedRequest;
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

    @Option(names = "--lora", paramLabel = "FILE[:WEIGHT]",
            description = "Apply a LoRA / LyCORIS adapter with a weight (default 1) on both text encoders and the UNet; repeatable. "
                    + "The prompt's <lora:NAME:WEIGHT> tags are applied too; adapters given here are recorded as such tags.")
    List<String> loras = new ArrayList<>();

    @Option(names = "--lora-dir", paramLabel = "DIR",
            description = "Where <lora:NAME> tags are looked up by file name or ss_output_name (default: a Lora folder next to the model, then models/Lora).")
    Path loraDir;

    @Option(names = {"-q", "--quiet"}, description = "No progress bar.")
    boolean quiet;

    @Spec
    CommandSpec spec;

    /** Request fields as this command's flags, for error messages. */
    private static final Map<String, String> FLAGS = Map.ofEntries(
            Map.entry("steps", "--steps"), Map.entry("cfgScale", "--cfg"), Map.entry("sampler", "--sampler"),
            Map.entry("schedule", "--schedule"), Map.entry("seed", "--seed"), Map.entry("batchCount", "--batch-count"),
            Map.entry("rng", "--rng"), Map.entry("compat", "--compat"), Map.entry("emphasis", "--emphasis"),
            Map.entry("clipSkip", "--clip-skip"), Map.entry("size", "--size"), Map.entry("originalSize", "--original-size"),
            Map.entry("targetSize", "--target-size"), Map.entry("crop", "--crop"),
            Map.entry("loras", "--lora"), Map.entry("loraDir", "--lora-dir"));

    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        // everything that needs no model is checked before the model is opened
        ImageRequest request = flagNamed(() -> toRequest().validate());
        Path model = animagine.model();
        if (model == null) throw new InvalidArgumentException("missing --model (a .safetensors checkpoint or a diffusers folder)");
        ImageOutput out = ImageOutput.of(output, batchCount);

        try (GenerationService service = GenerationService.open(model, modelOptions.toOptions(), tokenizer)) {
            PreparedRequest prepared = flagNamed(() -> service.prepare(request));
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
                    if (dump != null) out.dump(image.result(), dump, batchCount > 1 ? image.index() : -1);
                    spec.commandLine().getOut().println(written);
                }
            }
            if (result.cancelled()) {
                err.println("animagine: cancelled (" + result.images().size() + " of " + batchCount + " images written)");
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
        return ImageRequest.builder()
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
                .rng(rng)
                .compat(mode)
                .emphasis(emphasis)
                .clipSkip(clipSkip)
                .originalSize(orig[0], orig[1])
                .targetSize(target[0], target[1])
                .crop(cropTl[0], cropTl[1])
                .loras(loras.stream().map(GenerateCommand::parseLora).toList())
                .loraDir(loraDir)
                .build();
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
