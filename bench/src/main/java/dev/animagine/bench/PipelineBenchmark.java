package dev.animagine.bench;

import dev.animagine.core.io.Checkpoint;
import dev.animagine.core.io.CheckpointOptions;
import dev.animagine.core.lora.LoraStack;
import dev.animagine.core.pipeline.GenerationRequest;
import dev.animagine.core.pipeline.ImageResult;
import dev.animagine.core.pipeline.ImageToImage;
import dev.animagine.core.pipeline.ImageToImageRequest;
import dev.animagine.core.pipeline.RunHooks;
import dev.animagine.core.pipeline.Stage;
import dev.animagine.core.pipeline.StableDiffusionXLPipeline;
import dev.animagine.core.pipeline.StepSavings;
import dev.animagine.core.tensor.FlopCounter;
import dev.animagine.core.tensor.KernelProfile;
import dev.animagine.core.tensor.Parallel;
import dev.animagine.core.tensor.Winograd;
import dev.animagine.core.text.SdxlTokenizers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Runs one real txt2img image (classifier-free guidance on) and measures each phase: loading,
 * text encoding, every UNet evaluation, the VAE decode. FLOPs come from {@link FlopCounter}, i.e.
 * from what the kernels executed; the peak they are compared with is measured on this machine by
 * {@link PeakFlops} before the model is opened and again after the image (the higher counts).
 */
public final class PipelineBenchmark {
    private PipelineBenchmark() {}

    /**
     * What {@link #run} measured. One UNet evaluation is the UNet applied to one latent (a CFG step is
     * two). {@code textEncodeFirstSeconds} is the process's first encoding of the prompts, right after
     * loading (page faults and JIT compilation included); {@code textEncodeSeconds} the image's own.
     */
    public record Report(Path model, int width, int height, int steps, int threads, int vectorBits,
                         double peakGflops, double loadSeconds,
                         double textEncodeSeconds, double textEncodeFirstSeconds, long textEncodeFlops,
                         int unetEvals, double unetSecondsPerEvalMean, double unetSecondsPerEvalMin, long unetFlopsPerEval,
                         double vaeDecodeSeconds, long vaeDecodeFlops,
                         double imageSeconds, long rssPeakBytes,
                         int winogradTile, long unetExecutedFlopsPerEval, long vaeDecodeExecutedFlops, List<StageProfile> profile,
                         boolean img2img, double vaeEncodeSeconds, long vaeEncodeFlops) {
        public double unetGflops() {
            return unetFlopsPerEval / 1e9 / unetSecondsPerEvalMean;
        }

        /** At the fastest evaluation (after the JIT has compiled the kernels). */
        public double unetGflopsBest() {
            return unetFlopsPerEval / 1e9 / unetSecondsPerEvalMin;
        }

        /** The denoising loop's wall time (all evaluations). */
        public double denoiseSeconds() {
            return unetSecondsPerEvalMean * unetEvals;
        }

        public double vaeGflops() {
            return vaeDecodeFlops / 1e9 / vaeDecodeSeconds;
        }

        public double textEncodeGflops() {
            return textEncodeFlops / 1e9 / textEncodeSeconds;
        }

        public double percentOfPeak(double gflops) {
            return 100 * gflops / peakGflops;
        }
    }

    /**
     * Where a stage's wall time went ({@code --profile}): seconds per kernel family (outermost kernel
     * calls, see {@link KernelProfile}) and the rest ({@code other}: Java glue, schedulers, pool hand-offs).
     */
    public record StageProfile(String stage, double seconds, Map<String, Double> familySeconds) {
        public double otherSeconds() {
            return seconds - familySeconds.values().stream().mapToDouble(Double::doubleValue).sum();
        }
    }

    /**
     * @param request  must have CFG on (scale above 1) to measure what an image costs
     * @param progress receives one line per phase and step (may be a no-op)
     */
    public static Report run(Path model, CheckpointOptions options, SdxlTokenizers tokenizers, GenerationRequest request,
                             Consumer<String> progress) {
        return run(model, options, tokenizers, request, false, null, progress);
    }

    /** The FMA peak every figure of a run divides by, measured before the model is opened (and announced). */
    private static double measurePeak(Path model, Consumer<String> progress) {
        progress.accept("measuring the fp32 FMA peak on " + Parallel.threads() + " threads...");
        double peak = PeakFlops.measure();
        progress.accept(String.format("peak %.1f GFLOP/s; opening %s", peak, model));
        return peak;
    }

    /**
     * @param profile also time each kernel family per stage ({@link Report#profile()}; empty when false)
     * @param img2img an img2img run (its VAE encode timed too), or null for txt2img
     */
    public static Report run(Path model, CheckpointOptions options, SdxlTokenizers tokenizers, GenerationRequest request,
                             boolean profile, ImageToImageRequest img2img, Consumer<String> progress) {
        double peak = measurePeak(model, progress);

        long t0 = System.nanoTime();
        try (Checkpoint checkpoint = Checkpoint.open(model, options)) {
            StableDiffusionXLPipeline pipeline = new StableDiffusionXLPipeline(checkpoint, tokenizers);
            return measure(model, pipeline, request, progress, peak, t0, new long[1], profile, img2img);
        }
    }

    /**
     * What an adapter costs: one image without it, one with it (built by
     * {@link StableDiffusionXLPipeline#withAdapters} over the same mapped model in the same process,
     * weight 1), then, the adapter closed, one without it again (so JIT warm-up does not favour the
     * adapter). The base's per-evaluation times are the better of its two images. Peak RSS is taken
     * per image (the kernel's peak reset before each), and the adapter's cost is its image's peak
     * minus the last image's, which runs with the same Java heap and without the adapter's pages.
     */
    public static LoraReport runWithLora(Path model, CheckpointOptions options, SdxlTokenizers tokenizers, GenerationRequest request,
                                         Path lora, Consumer<String> progress) {
        double peak = measurePeak(model, progress);
        long t0 = System.nanoTime();
        try (Checkpoint checkpoint = Checkpoint.open(model, options)) {
            // opened first, so a file for another model fails before anything is timed
            LoraStack stack = LoraStack.open(checkpoint.architecture(), List.of(new LoraStack.Request(lora, 1f, 1f)));
            StableDiffusionXLPipeline pipeline = new StableDiffusionXLPipeline(checkpoint, tokenizers);
            long[] cpuBase = new long[1], cpuAgain = new long[1], cpuLora = new long[1];
            Report first, adapted;
            boolean reset;
            long rssWith;
            try {
                stack.warnings().forEach(progress);
                first = measure(model, pipeline, request, progress, peak, t0, cpuBase);
                progress.accept("with " + lora.getFileName());
                reset = ProcessMemory.resetPeak();
                long a0 = System.nanoTime();
                adapted = measure(model, pipeline.withAdapters(stack), request, progress, peak, a0, cpuLora);
                rssWith = ProcessMemory.peakRssBytes();
            } finally {
                stack.close();
            }
            progress.accept("without it again");
            reset &= ProcessMemory.resetPeak();
            Report again = measure(model, pipeline, request, progress, peak, System.nanoTime(), cpuAgain);
            long rssWithout = ProcessMemory.peakRssBytes();
            int evals = Math.max(1, first.unetEvals());
            return new LoraReport(first, adapted, lora, fileSize(lora), adapted.loadSeconds(),
                    Math.min(first.unetSecondsPerEvalMin(), again.unetSecondsPerEvalMin()),
                    Math.min(cpuBase[0], cpuAgain[0]) / 1e9 / evals, cpuLora[0] / 1e9 / Math.max(1, adapted.unetEvals()),
                    reset, rssWithout, rssWith);
        }
    }

    /**
     * {@link #runWithLora}'s figures. Times per UNet evaluation: wall clock (fastest step) and CPU time
     * of all threads (mean over the denoising phase; less disturbed by other processes on the machine).
     *
     * @param base                  the first image without the adapter (loading included)
     * @param adaptSeconds          building the adapted models over the open adapter
     * @param baseSecondsPerEvalMin fastest step per evaluation over both images without the adapter
     * @param peakPerImage          whether the peaks below are per image (else the process's peak so far)
     * @param rssPeakWithoutBytes   peak RSS of the last image, without the adapter
     * @param rssPeakWithBytes      peak RSS of the image with the adapter
     */
    public record LoraReport(Report base, Report adapted, Path lora, long loraFileBytes, double adaptSeconds,
                             double baseSecondsPerEvalMin, double baseCpuSecondsPerEval, double adaptedCpuSecondsPerEval,
                             boolean peakPerImage, long rssPeakWithoutBytes, long rssPeakWithBytes) {
        public double slowdownPercent() {
            return 100 * (adapted.unetSecondsPerEvalMin() / baseSecondsPerEvalMin - 1);
        }

        public double cpuSlowdownPercent() {
            return 100 * (adaptedCpuSecondsPerEval / baseCpuSecondsPerEval - 1);
        }

        public long rssGrowthBytes() {
            return rssPeakWithBytes - rssPeakWithoutBytes;
        }
    }

    /**
     * What step savings ({@link StepSavings}: DeepCache, CFG cutoff) save: the image without them,
     * with them and without them again in one process over the same loaded model (so JIT warm-up does
     * not favour either). The base's figures are the better of its two images.
     */
    public static SavingsReport runWithSavings(Path model, CheckpointOptions options, SdxlTokenizers tokenizers, GenerationRequest request,
                                               StepSavings savings, Consumer<String> progress) {
        double peak = measurePeak(model, progress);
        long t0 = System.nanoTime();
        try (Checkpoint checkpoint = Checkpoint.open(model, options)) {
            StableDiffusionXLPipeline pipeline = new StableDiffusionXLPipeline(checkpoint, tokenizers);
            GenerationRequest plain = request.withSavings(StepSavings.NONE);
            long[] base = new long[3], with = new long[3], again = new long[3];
            Report first = measure(model, pipeline, plain, progress, peak, t0, base);
            progress.accept("with " + describe(savings));
            Report saving = measure(model, pipeline, request.withSavings(savings), progress, peak, System.nanoTime(), with);
            progress.accept("without them again");
            measure(model, pipeline, plain, progress, peak, System.nanoTime(), again);
            return new SavingsReport(first, saving, savings, base[1], with[1], Math.min(base[2], again[2]) / 1e9, with[2] / 1e9,
                    Math.min(base[0], again[0]) / 1e9, with[0] / 1e9);
        }
    }

    /** "DeepCache 3, CFG cutoff 0.5". */
    public static String describe(StepSavings s) {
        List<String> parts = new ArrayList<>();
        if (s.deepCache()) parts.add("DeepCache " + s.deepCacheInterval());
        if (s.cutsCfg()) parts.add("CFG cutoff " + s.cfgCutoff());
        return parts.isEmpty() ? "no step savings" : String.join(", ", parts);
    }

    /**
     * {@link #runWithSavings}'s figures for the denoising phase of one image (all UNet calls): FLOPs
     * counted by the kernels, wall time and CPU time of all threads.
     */
    public record SavingsReport(Report base, Report saving, StepSavings savings, long baseDenoiseFlops, long savingDenoiseFlops,
                                double baseDenoiseSeconds, double savingDenoiseSeconds, double baseDenoiseCpuSeconds,
                                double savingDenoiseCpuSeconds) {
        /** FLOPs saved, in percent of the base image's denoising. */
        public double flopReductionPercent() {
            return 100 * (1 - savingDenoiseFlops / (double) baseDenoiseFlops);
        }

        public double speedup() {
            return baseDenoiseSeconds / savingDenoiseSeconds;
        }

        public double cpuSpeedup() {
            return baseDenoiseCpuSeconds / savingDenoiseCpuSeconds;
        }
    }

    private static long fileSize(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * What a batch saves (A1111's batch size): in one process, a batch of 1, a batch of N (seeds seed ..
     * seed + N - 1), then a batch of 1 again (so JIT warm-up does not favour the batch); per image, the
     * denoising loop's wall time and the CPU time of all threads. Batch 1's figures are the better of its two runs.
     */
    public record BatchReport(Report single, Report batch, int batchSize, double singleDenoiseSecondsPerImage,
                              double batchDenoiseSecondsPerImage, double singleCpuSecondsPerImage, double batchCpuSecondsPerImage) {
        /** How much less denoising time an image of the batch takes, in percent of batch 1's. */
        public double savingPercent() {
            return 100 * (1 - batchDenoiseSecondsPerImage / singleDenoiseSecondsPerImage);
        }

        public double cpuSavingPercent() {
            return 100 * (1 - batchCpuSecondsPerImage / singleCpuSecondsPerImage);
        }
    }

    /** {@link BatchReport}: batch 1, batch {@code batchSize}, batch 1 again over one loaded model (CFG on, the request's sampler). */
    public static BatchReport runBatch(Path model, CheckpointOptions options, SdxlTokenizers tokenizers, GenerationRequest request,
                                       int batchSize, Consumer<String> progress) {
        if (batchSize < 1) throw new dev.animagine.core.InvalidArgumentException("--batch-size must be at least 1 (got " + batchSize + ")");
        double peak = measurePeak(model, progress);
        long t0 = System.nanoTime();
        try (Checkpoint checkpoint = Checkpoint.open(model, options)) {
            StableDiffusionXLPipeline pipeline = new StableDiffusionXLPipeline(checkpoint, tokenizers);
            long[] cpuFirst = new long[1], cpuBatch = new long[1], cpuAgain = new long[1];
            Report first = measure(model, pipeline, request, progress, peak, t0, cpuFirst, false, null, 1);
            progress.accept("batch of " + batchSize);
            Report batch = measure(model, pipeline, request, progress, peak, System.nanoTime(), cpuBatch, false, null, batchSize);
            progress.accept("batch of 1 again");
            Report again = measure(model, pipeline, request, progress, peak, System.nanoTime(), cpuAgain, false, null, 1);
            Report single = again.denoiseSeconds() < first.denoiseSeconds() ? again : first;
            return new BatchReport(single, batch, batchSize, single.denoiseSeconds(), batch.denoiseSeconds() / batchSize,
                    Math.min(cpuFirst[0], cpuAgain[0]) / 1e9, cpuBatch[0] / 1e9 / batchSize);
        }
    }

    /**
     * Builds the pipeline's models (counted from {@code t0} as loading), then one image; {@code cpuDenoise[0]} gets the denoising
     * CPU time, and when it has three slots, [1] the denoising FLOPs and [2] its wall nanoseconds.
     */
    private static Report measure(Path model, StableDiffusionXLPipeline pipeline, GenerationRequest request, Consumer<String> progress,
                                  double peak, long t0, long[] cpuDenoise) {
        return measure(model, pipeline, request, progress, peak, t0, cpuDenoise, false, null, 1);
    }

    private static Report measure(Path model, StableDiffusionXLPipeline pipeline, GenerationRequest request, Consumer<String> progress,
                                  double peak, long t0, long[] cpuDenoise, boolean profile, ImageToImageRequest img2img) {
        return measure(model, pipeline, request, progress, peak, t0, cpuDenoise, profile, img2img, 1);
    }

    /**
     * As above, optionally timing each kernel family ({@code profile}), running img2img ({@code img2img}
     * non-null) or a txt2img batch of {@code batchSize} images (one evaluation then covers the batch).
     */
    private static Report measure(Path model, StableDiffusionXLPipeline pipeline, GenerationRequest request, Consumer<String> progress,
                                  double peak, long t0, long[] cpuDenoise, boolean profile, ImageToImageRequest img2img, int batchSize) {
        return measure(model, pipeline, request, progress, peak, t0, cpuDenoise, profile, img2img, batchSize, null);
    }

    /** As above; {@code resultOut[0]}, when given, receives the (first) image: its final latents, for fidelity comparisons. */
    static Report measure(Path model, StableDiffusionXLPipeline pipeline, GenerationRequest request, Consumer<String> progress,
                          double peak, long t0, long[] cpuDenoise, boolean profile, ImageToImageRequest img2img, int batchSize,
                          ImageResult[] resultOut) {
        pipeline.textEncoder();
        pipeline.unet();
        pipeline.vae();
        double load = seconds(System.nanoTime() - t0);
        progress.accept(String.format("loaded in %.2f s", load));

        long e0 = System.nanoTime();
        pipeline.encodePrompts(request);
        double firstEncode = seconds(System.nanoTime() - e0);
        pipeline.clearTextEncodings(); // the image's own encoding is timed too
        progress.accept(String.format("first text encoding %.2f s", firstEncode));

        Recorder rec = new Recorder(progress);
        KernelProfile.setEnabled(profile);
        long start = System.nanoTime();
        ImageResult result;
        try {
            List<GenerationRequest> batch = new ArrayList<>();
            for (int i = 0; i < batchSize; i++) batch.add(request.withSeed(request.seed() + i));
            result = img2img != null ? new ImageToImage(pipeline).generate(request, img2img, pipeline::diffusersSampler, rec)
                    : pipeline.generateBatch(batch, pipeline::diffusersSampler, rec).getFirst();
        } finally {
            KernelProfile.setEnabled(false);
        }
        rec.end(System.nanoTime());
        cpuDenoise[0] = rec.denoiseCpuNanos();
        if (cpuDenoise.length > 2) {
            cpuDenoise[1] = rec.flops("denoise");
            cpuDenoise[2] = rec.phaseNanos("denoise");
        }
        double image = seconds(System.nanoTime() - start);
        if (resultOut != null) resultOut[0] = result;

        // measured again afterwards: the better of the two, in case something else ran during the first
        double peakAfter = PeakFlops.measure();
        progress.accept(String.format("peak before %.1f, after %.1f GFLOP/s", peak, peakAfter));
        var timings = result.timings();
        int evals = timings.unetEvaluations();
        int perStep = Math.max(1, evals / Math.max(1, rec.stepNanos.size()));
        double mean = seconds(rec.phaseNanos("denoise")) / evals;
        double min = rec.stepNanos.stream().mapToLong(Long::longValue).min().orElse(0) / 1e9 / perStep;
        return new Report(model, request.width(), request.height(), request.steps(), Parallel.threads(),
                jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize(), Math.max(peak, peakAfter), load,
                timings.textEncode(), firstEncode, rec.flops("text"),
                evals, mean, min, rec.flops("denoise") / evals,
                timings.vaeDecode(), rec.flops("vae"),
                image, ProcessMemory.peakRssBytes(),
                Winograd.tile(), rec.executed("denoise") / evals, rec.executed("vae"),
                profile ? rec.profile() : List.of(),
                img2img != null, seconds(rec.phaseNanos("vae-encode")), rec.flops("vae-encode"));
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    /** Time and FLOP counter at each phase change and step. */
    private static final class Recorder implements RunHooks {
        private final Consumer<String> progress;
        private final List<String> phases = new ArrayList<>();
        private final List<Long> phaseFlops = new ArrayList<>(), phaseStart = new ArrayList<>(), phaseExecuted = new ArrayList<>();
        private final List<Long> phaseCpu = new ArrayList<>();
        private final List<long[]> phaseKernelNanos = new ArrayList<>();
        final List<Long> stepNanos = new ArrayList<>();
        private long lastStep, lastStepCpu, lastStepProcessCpu;

        Recorder(Consumer<String> progress) {
            this.progress = progress;
        }

        @Override
        public void stageStarted(Stage stage) {
            String phase = switch (stage) {
                case TEXT_ENCODING -> "text";
                case VAE_ENCODING -> "vae-encode";
                case DENOISING -> "denoise";
                case HIRES -> "hires";
                case VAE_DECODING -> "vae";
            };
            long now = System.nanoTime();
            phases.add(phase);
            phaseFlops.add(FlopCounter.total());
            phaseExecuted.add(FlopCounter.executed());
            phaseKernelNanos.add(KernelProfile.nanos());
            phaseStart.add(now);
            phaseCpu.add(CpuTime.javaThreadsNanos());
            if (phase.equals("denoise")) {
                lastStep = now;
                lastStepCpu = phaseCpu.getLast();
                lastStepProcessCpu = CpuTime.processNanos();
            }
            progress.accept(phase + "...");
        }

        @Override
        public void afterStep(int step, int total, float sigma, float timestep, float[] latents, int[] shape) {
            long now = System.nanoTime();
            stepNanos.add(now - lastStep);
            long cpu = CpuTime.javaThreadsNanos(), processCpu = CpuTime.processNanos();
            // CPU time beside wall time: on a shared machine only the former is this process's own;
            // the process's also counts the JIT compiler and GC threads (the first step compiles the UNet's kernels)
            progress.accept(String.format("step %d/%d: %.2f s (CPU: %.2f s in Java threads, %.2f s in the process)", step, total,
                    (now - lastStep) / 1e9, (cpu - lastStepCpu) / 1e9, (processCpu - lastStepProcessCpu) / 1e9));
            lastStep = now;
            lastStepCpu = cpu;
            lastStepProcessCpu = processCpu;
        }

        void end(long now) {
            phases.add("end");
            phaseFlops.add(FlopCounter.total());
            phaseExecuted.add(FlopCounter.executed());
            phaseKernelNanos.add(KernelProfile.nanos());
            phaseStart.add(now);
            phaseCpu.add(CpuTime.javaThreadsNanos());
        }

        long denoiseCpuNanos() {
            int i = phases.indexOf("denoise");
            return i < 0 ? 0 : phaseCpu.get(i + 1) - phaseCpu.get(i);
        }

        long executed(String phase) {
            int i = phases.indexOf(phase);
            return i < 0 ? 0 : phaseExecuted.get(i + 1) - phaseExecuted.get(i);
        }

        /** Per phase (text, unet for denoise, vae): its wall time and each kernel family's share. */
        List<StageProfile> profile() {
            List<StageProfile> stages = new ArrayList<>();
            for (int i = 0; i + 1 < phases.size(); i++) {
                Map<String, Double> families = new LinkedHashMap<>();
                long[] a = phaseKernelNanos.get(i), b = phaseKernelNanos.get(i + 1);
                for (KernelProfile.Family f : KernelProfile.Family.values())
                    families.put(f.key(), seconds(b[f.ordinal()] - a[f.ordinal()]));
                String stage = phases.get(i).equals("denoise") ? "unet" : phases.get(i);
                stages.add(new StageProfile(stage, seconds(phaseStart.get(i + 1) - phaseStart.get(i)), families));
            }
            return stages;
        }

        long flops(String phase) {
            int i = phases.indexOf(phase);
            return i < 0 ? 0 : phaseFlops.get(i + 1) - phaseFlops.get(i);
        }

        long phaseNanos(String phase) {
            int i = phases.indexOf(phase);
            return i < 0 ? 0 : phaseStart.get(i + 1) - phaseStart.get(i);
        }
    }
}
