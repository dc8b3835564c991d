package dev.animagine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.animagine.core.InvalidArgumentException;
import dev.animagine.bench.AnimaginePreset;
import dev.animagine.bench.JvmOptions;
import dev.animagine.bench.PipelineBenchmark;
import dev.animagine.bench.PipelineBenchmark.BatchReport;
import dev.animagine.bench.PipelineBenchmark.LoraReport;
import dev.animagine.bench.PipelineBenchmark.Report;
import dev.animagine.bench.PipelineBenchmark.SavingsReport;
import dev.animagine.bench.TextEncodeBenchmark;
import dev.animagine.core.image.A1111InpaintInputs;
import dev.animagine.core.image.A1111Resize;
import dev.animagine.core.image.ImageFiles;
import dev.animagine.core.image.PixelImage;
import dev.animagine.core.pipeline.A1111Img2Img;
import dev.animagine.core.pipeline.GenerationRequest;
import dev.animagine.core.pipeline.ImageToImageRequest;
import dev.animagine.core.pipeline.StepSavings;
import dev.animagine.core.sampling.Sampler;
import dev.animagine.core.sampling.ScheduleType;
import dev.animagine.core.text.PromptMode;
import dev.animagine.core.tensor.DType;
import dev.animagine.core.text.SdxlTokenizers;
import dev.animagine.core.text.TextEncoderWarmUp;
import dev.animagine.core.text.TokenizerLocator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code animagine bench}: one real image with classifier-free guidance, timed phase by phase, with
 * the FLOPs the kernels executed and the machine's measured fp32 FMA peak.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Time one txt2img image (CFG on): loading, text encoding, each UNet evaluation (one latent; "
                + "a CFG step is two), the VAE decode; FLOPs counted by the kernels, achieved GFLOP/s against the "
                + "fp32 FMA peak measured on all worker threads, and peak RSS.",
                "With --lora: the image without the adapter, with it and without it again in one process, and what the adapter "
                        + "costs per UNet evaluation and in peak RSS.",
                "Threads: -Danimagine.threads=N in ANIMAGINE_JAVA_OPTS (default: all cores)."})
final class BenchCommand implements Callable<Integer> {
    static final String PROMPT = "1girl, solo, long hair, looking at viewer, smile, outdoors, cherry blossoms, "
            + "masterpiece, high score, great score, absurdres";
    static final String NEGATIVE = "lowres, bad anatomy, bad hands, text, error, missing finger, extra digits, fewer digits, "
            + "cropped, worst quality, low quality, low score, bad score, average score, signature, watermark, username, blurry";

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "The checkpoint (single file or diffusers folder).")
    Path model;

    @Option(names = "--size", defaultValue = "1024x1024", paramLabel = "WxH", description = "Image size (default: ${DEFAULT-VALUE}).")
    String size;

    @Option(names = "--steps", defaultValue = "4", paramLabel = "N", description = "Denoising steps, two UNet evaluations each (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--json", description = "Print the figures as JSON.")
    boolean json;

    @Option(names = "--profile", description = "Also time each kernel family (gemm, convolution, attention, normalisation, "
            + "elementwise, data_movement) per stage (text, unet, vae).")
    boolean profile;

    @Option(names = "--tokenizer", paramLabel = "DIR", description = "CLIP vocabulary folder (default: beside the model, $ANIMAGINE_TOKENIZER, the Hugging Face cache).")
    Path tokenizer;

    @Option(names = "--prompt", paramLabel = "TEXT", description = "Prompt (default: a typical Animagine prompt).")
    String prompt = PROMPT;

    @Option(names = "--negative-prompt", paramLabel = "TEXT", description = "Negative prompt (default: Animagine's recommended one).")
    String negative = NEGATIVE;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "N", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--img2img", description = "Time an img2img image instead (A1111 mode): the VAE encode of the init picture too.")
    boolean img2img;

    @Option(names = "--init-image", paramLabel = "FILE", description = "--img2img: the init picture (default: a synthetic gradient of --size).")
    Path initImage;

    @Option(names = "--strength", defaultValue = "0.75", paramLabel = "S", description = "--img2img: denoising strength (default: ${DEFAULT-VALUE}; "
            + "int(S * steps) + 1 steps run).")
    double strength;

    @Option(names = "--text-only", description = "Only open the model and encode the prompts twice: the process's first "
            + "encoding (JIT warm-up, page faults) against the second, wall and CPU time (start-up measurements).")
    boolean textOnly;

    @Option(names = "--preset", paramLabel = "NAME", description = "animagine: project Animagine XL's default image (832x1216, 28 steps, "
            + "Euler a, CFG 5) from measured pieces (text encoding, one CFG step, the VAE decode), with each saving (DeepCache N=3, "
            + "CFG cutoff 0.5, batch size 4) and its largest latent difference from the full computation on the same seed. "
            + "--size and --steps, when given, change the projected image.")
    String preset;

    @Option(names = "--fidelity-size", defaultValue = "256x384", paramLabel = "WxH", description = "--preset: size of the runs with and "
            + "without each saving (default: ${DEFAULT-VALUE}, the preset's aspect ratio).")
    String fidelitySize;

    @Option(names = "--fidelity-steps", paramLabel = "N", description = "--preset: steps of those runs (default: the preset's 28).")
    Integer fidelitySteps;

    @Option(names = "--savings", split = ",", paramLabel = "KEY", description = "--preset: only these savings (deepcache, cfg-cutoff, batch4; default: all).")
    java.util.List<String> savingKeys = new java.util.ArrayList<>();

    @Option(names = "--deepcache", paramLabel = "N",
            description = "Also time the image with DeepCache (the full UNet every N-th call) over the same loaded model: FLOPs and time saved.")
    Integer deepCache;

    @Option(names = "--cfg-cutoff", paramLabel = "R",
            description = "Also time the image with guidance off after a fraction R of the steps (with --deepcache: both at once).")
    Double cfgCutoff;

    @Option(names = "--lora", paramLabel = "FILE", description = "Also time the image with this LoRA / LyCORIS adapter (weight 1) over the same loaded model.")
    Path lora;

    @Option(names = "--batch-size", defaultValue = "1", paramLabel = "N",
            description = "Compare denoising time per image of a batch of N (A1111's batch size) with a batch of 1, in one process.")
    int batchSize;

    @Mixin
    ModelOptions modelOptions;

    @Spec
    CommandSpec spec;

    private static final Pattern SIZE = Pattern.compile("(\\d+)[xX](\\d+)");

    @Override
    public Integer call() throws Exception {
        TextEncoderWarmUp.startInBackground(DType.F16); // as generate does, so the first encoding measured is the user's
        Matcher m = SIZE.matcher(size.trim());
        if (!m.matches()) throw new InvalidArgumentException("invalid --size '" + size + "' (expected WxH, e.g. 1024x1024)");
        int width = Integer.parseInt(m.group(1)), height = Integer.parseInt(m.group(2));
        if (steps < 1) throw new InvalidArgumentException("--steps must be at least 1 (got " + steps + ")");
        GenerationRequest request = GenerationRequest.of(prompt, negative, width, height, steps, 7.0, Sampler.EULER_A,
                ScheduleType.DEFAULT, seed, PromptMode.A1111);
        AnimaginePreset.Options presetOptions = preset == null ? null : presetOptions();
        SdxlTokenizers tokenizers = TokenizerLocator.find(model, tokenizer);
        PrintWriter err = spec.commandLine().getErr(), out = spec.commandLine().getOut();
        Consumer<String> progress = line -> {
            err.println("bench: " + line);
            err.flush();
        };
        if (presetOptions != null) {
            AnimaginePreset.PresetReport p = AnimaginePreset.run(model, modelOptions.toOptions(), tokenizers, presetOptions, progress);
            if (json) out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(BenchPresetOutput.toJson(p)));
            else BenchPresetOutput.printText(out, p);
            out.flush();
            return Main.EXIT_OK;
        }
        if (textOnly) {
            TextEncodeBenchmark.Report t = TextEncodeBenchmark.run(model, modelOptions.toOptions(), tokenizers, request, progress);
            if (json) out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(toJson(t)));
            else printText(out, t);
            out.flush();
            return Main.EXIT_OK;
        }
        if (batchSize < 1) throw new InvalidArgumentException("--batch-size must be at least 1 (got " + batchSize + ")");
        if (batchSize > 1) {
            if (lora != null || img2img || initImage != null || deepCache != null || cfgCutoff != null)
                throw new InvalidArgumentException("--batch-size compares txt2img batches: not with --lora, --img2img, --deepcache or --cfg-cutoff");
            BatchReport b = PipelineBenchmark.runBatch(model, modelOptions.toOptions(), tokenizers, request, batchSize, progress);
            if (json) out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(toJson(b)));
            else printText(out, b);
            out.flush();
            return Main.EXIT_OK;
        }
        if (deepCache != null || cfgCutoff != null) {
            if (lora != null) throw new InvalidArgumentException("--lora and --deepcache/--cfg-cutoff are separate benchmarks: give one");
            if (deepCache != null && deepCache < 1) throw new InvalidArgumentException("--deepcache must be at least 1 (got " + deepCache + ")");
            if (cfgCutoff != null && !(cfgCutoff >= 0 && cfgCutoff <= 1))
                throw new InvalidArgumentException("--cfg-cutoff must be between 0 and 1 (got " + cfgCutoff + ")");
            StepSavings savings = new StepSavings(deepCache == null ? 0 : deepCache, cfgCutoff == null ? 1 : cfgCutoff);
            SavingsReport s = PipelineBenchmark.runWithSavings(model, modelOptions.toOptions(), tokenizers, request, savings, progress);
            if (json) out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(toJson(s)));
            else printText(out, s);
            out.flush();
            return Main.EXIT_OK;
        }
        if (lora != null) {
            LoraReport l = PipelineBenchmark.runWithLora(model, modelOptions.toOptions(), tokenizers, request, lora, progress);
            if (json) out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(toJson(l)));
            else printText(out, l);
            out.flush();
            return Main.EXIT_OK;
        }
        ImageToImageRequest inputs = img2img || initImage != null ? img2imgInputs(width, height) : null;
        Report r = PipelineBenchmark.run(model, modelOptions.toOptions(), tokenizers, request, profile, inputs, progress);
        if (json) out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(toJson(r)));
        else printText(out, r);
        out.flush();
        return Main.EXIT_OK;
    }

    /** --preset's runs: the preset's image unless --size / --steps were given, the fidelity size and steps, the savings. */
    private AnimaginePreset.Options presetOptions() {
        if (!preset.equalsIgnoreCase(AnimaginePreset.NAME))
            throw new InvalidArgumentException("unknown --preset '" + preset + "' (known: " + AnimaginePreset.NAME + ")");
        for (String[] other : new String[][] {{"--lora", String.valueOf(lora != null)}, {"--img2img", String.valueOf(img2img || initImage != null)},
                {"--text-only", String.valueOf(textOnly)}, {"--profile", String.valueOf(profile)},
                {"--deepcache/--cfg-cutoff/--batch-size (the preset measures each saving itself)",
                        String.valueOf(deepCache != null || cfgCutoff != null || batchSize != 1)}})
            if (Boolean.parseBoolean(other[1])) throw new InvalidArgumentException("--preset cannot be combined with " + other[0]);
        var parsed = spec.commandLine().getParseResult();
        AnimaginePreset.Options d = AnimaginePreset.Options.defaults(prompt, negative, seed);
        int width = d.width(), height = d.height(), n = d.steps();
        if (parsed.hasMatchedOption("--size")) {
            int[] wh = parseSize("--size", size);
            width = wh[0];
            height = wh[1];
        }
        if (parsed.hasMatchedOption("--steps")) n = steps;
        int[] fwh = parseSize("--fidelity-size", fidelitySize);
        int fn = fidelitySteps == null ? d.fidelitySteps() : fidelitySteps;
        if (fn < 1) throw new InvalidArgumentException("--fidelity-steps must be at least 1 (got " + fn + ")");
        for (int v : new int[] {width, height, fwh[0], fwh[1]})
            if (v % 8 != 0) throw new InvalidArgumentException("--preset sizes must be multiples of 8 (got " + v + ")");
        return new AnimaginePreset.Options(width, height, n, fwh[0], fwh[1], fn, seed, prompt, negative, AnimaginePreset.select(savingKeys));
    }

    private static int[] parseSize(String option, String value) {
        Matcher m = SIZE.matcher(value.trim());
        if (!m.matches()) throw new InvalidArgumentException("invalid " + option + " '" + value + "' (expected WxH, e.g. 832x1216)");
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
    }

    private ImageToImageRequest img2imgInputs(int width, int height) {
        if (!(strength > 0 && strength <= 1)) throw new InvalidArgumentException("--strength must be in (0, 1] (got " + strength + ")");
        PixelImage init = initImage != null ? ImageFiles.read(initImage) : gradient(width, height);
        return new ImageToImageRequest(false, init, null, strength, A1111Resize.JUST_RESIZE, A1111InpaintInputs.Options.DEFAULTS,
                A1111Img2Img.MaskedContent.ORIGINAL, null);
    }

    /** A smooth RGB picture of the bench size (its content does not change the cost). */
    static PixelImage gradient(int width, int height) {
        int n = width * height;
        int[] d = new int[3 * n];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++) {
                int i = y * width + x;
                d[i] = 255 * x / width;
                d[n + i] = 255 * y / height;
                d[2 * n + i] = 255 * (x + y) / (width + height);
            }
        return new PixelImage(width, height, 3, d);
    }

    static ObjectNode toJson(Report r) {
        ObjectNode root = new ObjectMapper().createObjectNode();
        root.put("model", r.model().toString());
        root.put("width", r.width());
        root.put("height", r.height());
        root.put("steps", r.steps());
        root.put("threads", r.threads());
        root.put("vector_bits", r.vectorBits());
        root.put("jvm_loop_strip_mining_iter", JvmOptions.loopStripMiningIter());
        root.put("peak_gflops", r.peakGflops());
        root.put("load_seconds", r.loadSeconds());
        root.put("text_encode_seconds", r.textEncodeSeconds());
        root.put("text_encode_first_seconds", r.textEncodeFirstSeconds());
        root.put("text_encode_gflop", r.textEncodeFlops() / 1e9);
        ObjectNode unet = root.putObject("unet");
        unet.put("evals", r.unetEvals());
        unet.put("seconds_per_eval", r.unetSecondsPerEvalMean());
        unet.put("seconds_per_eval_min", r.unetSecondsPerEvalMin());
        unet.put("gflop_per_eval", r.unetFlopsPerEval() / 1e9);
        unet.put("gflops", r.unetGflops());
        unet.put("gflops_best", r.unetGflopsBest());
        unet.put("percent_of_peak", r.percentOfPeak(r.unetGflops()));
        unet.put("executed_gflop_per_eval", r.unetExecutedFlopsPerEval() / 1e9);
        root.put("img2img", r.img2img());
        if (r.img2img()) {
            root.put("vae_encode_seconds", r.vaeEncodeSeconds());
            root.put("vae_encode_gflop", r.vaeEncodeFlops() / 1e9);
        }
        root.put("vae_decode_seconds", r.vaeDecodeSeconds());
        ObjectNode vae = root.putObject("vae");
        vae.put("gflop", r.vaeDecodeFlops() / 1e9);
        vae.put("gflops", r.vaeGflops());
        vae.put("percent_of_peak", r.percentOfPeak(r.vaeGflops()));
        vae.put("executed_gflop", r.vaeDecodeExecutedFlops() / 1e9);
        root.put("winograd_tile", r.winogradTile());
        if (!r.profile().isEmpty()) {
            ObjectNode profile = root.putObject("profile");
            for (PipelineBenchmark.StageProfile stage : r.profile()) {
                ObjectNode s = profile.putObject(stage.stage());
                s.put("seconds", stage.seconds());
                stage.familySeconds().forEach(s::put);
                s.put("other", stage.otherSeconds());
            }
        }
        root.put("image_seconds", r.imageSeconds());
        root.put("rss_peak_bytes", r.rssPeakBytes());
        return root;
    }

    static ObjectNode toJson(TextEncodeBenchmark.Report t) {
        ObjectNode root = new ObjectMapper().createObjectNode();
        root.put("model", t.model().toString());
        root.put("jvm_uptime_at_open_seconds", t.processSecondsAtStart());
        root.put("load_seconds", t.loadSeconds());
        root.put("jvm_uptime_at_first_encoding_seconds", t.processSecondsAtFirstEncoding());
        root.put("text_encode_first_seconds", t.firstSeconds());
        root.put("text_encode_first_cpu_seconds", t.firstCpuSeconds());
        root.put("text_encode_seconds", t.secondSeconds());
        root.put("text_encode_cpu_seconds", t.secondCpuSeconds());
        root.put("first_to_second", t.ratio());
        root.put("first_to_second_cpu", t.cpuRatio());
        root.put("process_cpu_seconds", t.processCpuSeconds());
        return root;
    }

    private static void printText(PrintWriter out, TextEncodeBenchmark.Report t) {
        out.printf(Locale.ROOT, "model          %s; opened %.2f s after JVM start, text encoders built in %.2f s%n",
                t.model(), t.processSecondsAtStart(), t.loadSeconds());
        out.printf(Locale.ROOT, "text encode    first %.2f s (CPU %.2f s), second %.2f s (CPU %.2f s): first/second %.2fx (CPU %.2fx)%n",
                t.firstSeconds(), t.firstCpuSeconds(), t.secondSeconds(), t.secondCpuSeconds(), t.ratio(), t.cpuRatio());
        out.printf(Locale.ROOT, "first encoded  %.2f s after JVM start%n", t.processSecondsAtFirstEncoding());
        out.printf(Locale.ROOT, "process CPU    %.2f s (user + sys, all threads incl. the JIT compiler)%n", t.processCpuSeconds());
    }

    /** The base image's figures as {@link #toJson(Report)}, plus a {@code lora} object. */
    static ObjectNode toJson(LoraReport l) {
        ObjectNode root = toJson(l.base());
        ObjectNode o = root.putObject("lora");
        o.put("file", l.lora().toString());
        o.put("file_bytes", l.loraFileBytes());
        o.put("adapt_seconds", l.adaptSeconds());
        o.put("seconds_per_eval", l.adapted().unetSecondsPerEvalMean());
        o.put("seconds_per_eval_min", l.adapted().unetSecondsPerEvalMin());
        o.put("gflop_per_eval", l.adapted().unetFlopsPerEval() / 1e9);
        o.put("base_seconds_per_eval_min", l.baseSecondsPerEvalMin());
        o.put("cpu_seconds_per_eval", l.adaptedCpuSecondsPerEval());
        o.put("base_cpu_seconds_per_eval", l.baseCpuSecondsPerEval());
        o.put("slowdown_percent", l.slowdownPercent());
        o.put("cpu_slowdown_percent", l.cpuSlowdownPercent());
        o.put("text_encode_seconds", l.adapted().textEncodeSeconds());
        o.put("rss_peak_per_image", l.peakPerImage());
        o.put("rss_peak_without_bytes", l.rssPeakWithoutBytes());
        o.put("rss_peak_with_bytes", l.rssPeakWithBytes());
        o.put("rss_growth_bytes", l.rssGrowthBytes());
        return root;
    }

    /** The base image's figures as {@link #toJson(Report)}, plus a {@code savings} object. */
    static ObjectNode toJson(SavingsReport s) {
        ObjectNode root = toJson(s.base());
        ObjectNode o = root.putObject("savings");
        o.put("deepcache_interval", s.savings().deepCacheInterval());
        o.put("cfg_cutoff", s.savings().cfgCutoff());
        o.put("base_denoise_gflop", s.baseDenoiseFlops() / 1e9);
        o.put("denoise_gflop", s.savingDenoiseFlops() / 1e9);
        o.put("flop_reduction_percent", s.flopReductionPercent());
        o.put("base_denoise_seconds", s.baseDenoiseSeconds());
        o.put("denoise_seconds", s.savingDenoiseSeconds());
        o.put("speedup", s.speedup());
        o.put("base_denoise_cpu_seconds", s.baseDenoiseCpuSeconds());
        o.put("denoise_cpu_seconds", s.savingDenoiseCpuSeconds());
        o.put("cpu_speedup", s.cpuSpeedup());
        return root;
    }

    private static void printText(PrintWriter out, SavingsReport s) {
        printText(out, s.base());
        out.printf(Locale.ROOT, "savings        %s: denoising %.1f GFLOP vs %.1f without (-%.1f%%)%n", PipelineBenchmark.describe(s.savings()),
                s.savingDenoiseFlops() / 1e9, s.baseDenoiseFlops() / 1e9, s.flopReductionPercent());
        out.printf(Locale.ROOT, "denoise time   %.2f s vs %.2f s without (x%.2f wall); CPU time %.2f vs %.2f s (x%.2f)%n",
                s.savingDenoiseSeconds(), s.baseDenoiseSeconds(), s.speedup(), s.savingDenoiseCpuSeconds(), s.baseDenoiseCpuSeconds(),
                s.cpuSpeedup());
    }

    private static void printText(PrintWriter out, LoraReport l) {
        printText(out, l.base());
        out.printf(Locale.ROOT, "lora           %s, %.1f MB; adapted models built in %.2f s%n", l.lora(), l.loraFileBytes() / 1e6, l.adaptSeconds());
        out.printf(Locale.ROOT, "unet eval      without %.2f s, with %.2f s (min, wall): %+.1f%%; CPU time %.2f vs %.2f s: %+.1f%%%n",
                l.baseSecondsPerEvalMin(), l.adapted().unetSecondsPerEvalMin(), l.slowdownPercent(),
                l.baseCpuSecondsPerEval(), l.adaptedCpuSecondsPerEval(), l.cpuSlowdownPercent());
        out.printf(Locale.ROOT, "peak RSS       %.2f GiB with, %.2f GiB without (%s): %+.1f MB (LoRA file %.1f MB)%n",
                l.rssPeakWithBytes() / (double) (1L << 30), l.rssPeakWithoutBytes() / (double) (1L << 30),
                l.peakPerImage() ? "each image's peak" : "process peaks; the kernel cannot reset them", l.rssGrowthBytes() / 1e6,
                l.loraFileBytes() / 1e6);
    }

    static ObjectNode toJson(BatchReport b) {
        ObjectNode root = new ObjectMapper().createObjectNode();
        root.put("batch_size", b.batchSize());
        root.put("denoise_seconds_per_image_batch_1", b.singleDenoiseSecondsPerImage());
        root.put("denoise_seconds_per_image_batch_n", b.batchDenoiseSecondsPerImage());
        root.put("saving_percent", b.savingPercent());
        root.put("denoise_cpu_seconds_per_image_batch_1", b.singleCpuSecondsPerImage());
        root.put("denoise_cpu_seconds_per_image_batch_n", b.batchCpuSecondsPerImage());
        root.put("cpu_saving_percent", b.cpuSavingPercent());
        root.set("batch_1", toJson(b.single()));
        root.set("batch_n", toJson(b.batch()));
        return root;
    }

    private static void printText(PrintWriter out, BatchReport b) {
        printText(out, b.single());
        out.printf(Locale.ROOT, "batch of %d: unet eval %.2f s mean, %.2f s min over %d evals (each for the whole batch); rss peak %.2f GB%n",
                b.batchSize(), b.batch().unetSecondsPerEvalMean(), b.batch().unetSecondsPerEvalMin(), b.batch().unetEvals(),
                b.batch().rssPeakBytes() / 1e9);
        out.printf(Locale.ROOT, "denoise/image  batch 1: %.2f s wall, %.2f s CPU; batch %d: %.2f s wall, %.2f s CPU; saving %.1f%% wall, %.1f%% CPU%n",
                b.singleDenoiseSecondsPerImage(), b.singleCpuSecondsPerImage(), b.batchSize(), b.batchDenoiseSecondsPerImage(),
                b.batchCpuSecondsPerImage(), b.savingPercent(), b.cpuSavingPercent());
    }

    private static void printText(PrintWriter out, Report r) {
        out.printf(Locale.ROOT, "model          %s, %dx%d, %d steps with CFG, %d threads, %d-bit vectors%n",
                r.model(), r.width(), r.height(), r.steps(), r.threads(), r.vectorBits());
        out.printf(Locale.ROOT, "peak           %.1f GFLOP/s (fp32 FMA, measured)%n", r.peakGflops());
        out.printf(Locale.ROOT, "load           %.2f s%n", r.loadSeconds());
        out.printf(Locale.ROOT, "text encode    %.2f s (prompt + negative, %.1f GFLOP); the process's first: %.2f s%n",
                r.textEncodeSeconds(), r.textEncodeFlops() / 1e9, r.textEncodeFirstSeconds());
        out.printf(Locale.ROOT, "unet eval      %.2f s mean, %.2f s min over %d evals; %.1f GFLOP each; %.1f GFLOP/s = %.1f%% of peak (best %.1f%%)%n",
                r.unetSecondsPerEvalMean(), r.unetSecondsPerEvalMin(), r.unetEvals(), r.unetFlopsPerEval() / 1e9,
                r.unetGflops(), r.percentOfPeak(r.unetGflops()), r.percentOfPeak(r.unetGflopsBest()));
        if (r.img2img())
            out.printf(Locale.ROOT, "vae encode     %.2f s; %.1f GFLOP (img2img init picture, tiled as the decode)%n",
                    r.vaeEncodeSeconds(), r.vaeEncodeFlops() / 1e9);
        out.printf(Locale.ROOT, "vae decode     %.2f s; %.1f GFLOP; %.1f GFLOP/s = %.1f%% of peak%n",
                r.vaeDecodeSeconds(), r.vaeDecodeFlops() / 1e9, r.vaeGflops(), r.percentOfPeak(r.vaeGflops()));
        out.printf(Locale.ROOT, "image          %.2f s%n", r.imageSeconds());
        out.printf(Locale.ROOT, "flops          GFLOP/s count direct convolutions; executed (Winograd %s): unet %.1f GFLOP per eval, vae %.1f GFLOP%n",
                r.winogradTile() == 0 ? "off" : "F(" + r.winogradTile() + "x" + r.winogradTile() + ",3x3)",
                r.unetExecutedFlopsPerEval() / 1e9, r.vaeDecodeExecutedFlops() / 1e9);
        for (PipelineBenchmark.StageProfile stage : r.profile()) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "profile %-6s %.2f s:", stage.stage(), stage.seconds()));
            stage.familySeconds().forEach((family, sec) ->
                    line.append(String.format(Locale.ROOT, " %s %.1f%%", family, 100 * sec / stage.seconds())));
            line.append(String.format(Locale.ROOT, " other %.1f%%", 100 * stage.otherSeconds() / stage.seconds()));
            out.println(line);
        }
        out.printf(Locale.ROOT, "peak RSS       %.2f GiB%n", r.rssPeakBytes() / (double) (1L << 30));
        if (JvmOptions.loopStripMiningIter() == 0)
            out.println("warning: this JVM runs without loop strip mining (-XX:LoopStripMiningIter=0, ParallelGC's default): "
                    + "the GEMM kernel is about 2x slower; the animagine launcher sets -XX:+UseCountedLoopSafepoints -XX:LoopStripMiningIter=1000");
    }
}
