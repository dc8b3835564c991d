package dev.animagine.bench;

import dev.animagine.bench.PipelineBenchmark.Report;
import dev.animagine.core.InvalidArgumentException;
import dev.animagine.core.io.Checkpoint;
import dev.animagine.core.io.CheckpointOptions;
import dev.animagine.core.pipeline.GenerationRequest;
import dev.animagine.core.pipeline.ImageResult;
import dev.animagine.core.pipeline.StableDiffusionXLPipeline;
import dev.animagine.core.pipeline.StepSavings;
import dev.animagine.core.sampling.Sampler;
import dev.animagine.core.sampling.ScheduleType;
import dev.animagine.core.tensor.Parallel;
import dev.animagine.core.text.PromptMode;
import dev.animagine.core.text.SdxlTokenizers;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * {@code bench --preset animagine}: what Animagine XL's default image (832x1216, 28 steps, Euler a,
 * CFG 5) costs on this machine, projected from pieces measured in one process (one text encoding,
 * one CFG step and the VAE decode at the full size; see {@link ImageProjection}), and what each
 * saving changes: its denoising time per image and, on the same seed, the largest difference of
 * its final latents from the full computation. A full-size 28-step image takes about 25 minutes on
 * 2 cores, so the runs with and without each saving are made at a smaller size of about the same
 * aspect ratio (28 steps at 256x384 by default: 2:3 against 13:19, an eleventh of the pixels) on
 * the same checkpoint. All images go through
 * {@link PipelineBenchmark}'s one measuring routine.
 */
public final class AnimaginePreset {
    public static final String NAME = "animagine";
    public static final int WIDTH = 832, HEIGHT = 1216, STEPS = 28;
    public static final double CFG_SCALE = 5;
    public static final Sampler SAMPLER = Sampler.EULER_A;
    public static final int FIDELITY_WIDTH = 256, FIDELITY_HEIGHT = 384;
    /** The DeepCache targets on a 28-step image: UNet FLOPs and denoising time, full over DeepCache. */
    public static final double DEEPCACHE_FLOP_TARGET = 2.2, DEEPCACHE_TIME_TARGET = 2.0;

    private AnimaginePreset() {}

    /**
     * One saving, pluggable: how it changes a request and how many images share one text encoding.
     * {@code apply} null would list a saving the engine does not have yet without measuring it.
     */
    public record Saving(String key, String label, int batchSize, UnaryOperator<GenerationRequest> apply) {
        public boolean wired() {
            return apply != null;
        }
    }

    /** The savings the preset knows, in output order. */
    public static List<Saving> savings() {
        return List.of(
                new Saving("deepcache", "DeepCache N=3", 1, r -> r.withSavings(new StepSavings(3, 1))),
                new Saving("cfg-cutoff", "CFG cutoff R=0.5", 1, r -> r.withSavings(new StepSavings(0, 0.5))),
                // a batch of 4 (seeds seed .. seed + 3), figures per image; its first image has the full run's seed
                new Saving("batch4", "batch size 4 (per image)", 4, UnaryOperator.identity()));
    }

    /** The savings named in {@code keys} (all when empty), in {@link #savings()} order; an unknown key is a user error. */
    public static List<Saving> select(List<String> keys) {
        List<Saving> all = savings();
        if (keys.isEmpty()) return all;
        List<String> known = all.stream().map(Saving::key).toList();
        for (String k : keys)
            if (!known.contains(k))
                throw new InvalidArgumentException("unknown saving '" + k + "' in --savings (known: " + String.join(", ", known) + ")");
        return all.stream().filter(s -> keys.contains(s.key())).toList();
    }

    /**
     * What to run: the projected image ({@code width x height}, {@code steps}; the preset's by default)
     * and the fidelity runs ({@code fidelitySteps} at {@code fidelityWidth x fidelityHeight}).
     */
    public record Options(int width, int height, int steps, int fidelityWidth, int fidelityHeight, int fidelitySteps,
                          long seed, String prompt, String negativePrompt, List<Saving> savings) {
        public static Options defaults(String prompt, String negativePrompt, long seed) {
            return new Options(WIDTH, HEIGHT, STEPS, FIDELITY_WIDTH, FIDELITY_HEIGHT, STEPS, seed, prompt, negativePrompt, AnimaginePreset.savings());
        }

        /** The request of the projected image, one step (the pieces are measured on it). */
        GenerationRequest pieceRequest() {
            return request(width, height, 1);
        }

        GenerationRequest fidelityRequest() {
            return request(fidelityWidth, fidelityHeight, fidelitySteps);
        }

        private GenerationRequest request(int w, int h, int n) {
            return GenerationRequest.of(prompt, negativePrompt, w, h, n, CFG_SCALE, SAMPLER, ScheduleType.DEFAULT, seed, PromptMode.A1111);
        }
    }

    /**
     * One fidelity run: the denoising of one image (per image for a batch) and its final latents'
     * largest absolute difference from the full computation's (0 for the full run itself).
     */
    public record Run(String key, String label, double denoiseSeconds, double denoiseCpuSeconds, long denoiseFlops, double maxAbsDiff) {
        /** Full over this: how many times faster / fewer. */
        public double speedupOver(Run full) {
            return full.denoiseSeconds / denoiseSeconds;
        }

        public double cpuSpeedupOver(Run full) {
            return full.denoiseCpuSeconds / denoiseCpuSeconds;
        }

        public double flopReductionOver(Run full) {
            return full.denoiseFlops / (double) denoiseFlops;
        }
    }

    /**
     * @param pieces   the full-size one-step image the projection's pieces come from
     * @param full     the fidelity run without savings
     * @param runs     one per wired saving, in {@link #savings()} order
     * @param unwired  savings the engine does not have yet
     */
    public record PresetReport(Options options, Report pieces, ImageProjection projection, Run full, List<Run> runs,
                               List<Saving> wiredSavings, List<Saving> unwired) {
        /** The saving's projected time per full-size image, from its measured denoising ratio. */
        public double projectedSeconds(Run run) {
            return projection.imageSeconds(1 / run.speedupOver(full), batchSize(run));
        }

        public double projectedSpeedup(Run run) {
            return projection.speedup(1 / run.speedupOver(full), batchSize(run));
        }

        private int batchSize(Run run) {
            return wiredSavings.stream().filter(s -> s.key().equals(run.key())).mapToInt(Saving::batchSize).findFirst().orElse(1);
        }

        /** The DeepCache run, if measured (the lead's target check). */
        public java.util.Optional<Run> deepCache() {
            return runs.stream().filter(r -> r.key().equals("deepcache")).findFirst();
        }
    }

    /** The projection of {@code pieces}, a one-step CFG image of the projected size, to {@code steps} steps. */
    public static ImageProjection project(Report pieces, int steps) {
        double step = pieces.unetSecondsPerEvalMean() * pieces.unetEvals() / pieces.steps();
        return new ImageProjection(pieces.textEncodeSeconds(), step, pieces.vaeDecodeSeconds(), steps);
    }

    public static PresetReport run(Path model, CheckpointOptions checkpointOptions, SdxlTokenizers tokenizers, Options options,
                                   Consumer<String> progress) {
        progress.accept("measuring the fp32 FMA peak on " + Parallel.threads() + " threads...");
        double peak = PeakFlops.measure();
        progress.accept(String.format(Locale.ROOT, "peak %.1f GFLOP/s; opening %s", peak, model));
        List<Saving> wired = options.savings().stream().filter(Saving::wired).toList();
        List<Saving> unwired = options.savings().stream().filter(s -> !s.wired()).toList();
        try (Checkpoint checkpoint = Checkpoint.open(model, checkpointOptions)) {
            StableDiffusionXLPipeline pipeline = new StableDiffusionXLPipeline(checkpoint, tokenizers);
            GenerationRequest fidelity = options.fidelityRequest();
            // untimed: the JIT compiles the UNet's and VAE's kernels before the timed denoising runs
            progress.accept("warm-up: 2 steps at " + fidelity.width() + "x" + fidelity.height());
            measureOne(model, pipeline, request(fidelity, 2), peak, progress, new long[1]);
            progress.accept("fidelity: full computation, " + fidelity.steps() + " steps at " + fidelity.width() + "x" + fidelity.height());
            long[] cpu = new long[1];
            ImageResult[] result = new ImageResult[1];
            Report fullReport = PipelineBenchmark.measure(model, pipeline, fidelity, progress, peak, System.nanoTime(), cpu, false, null, 1, result);
            float[] reference = result[0].latents().data();
            Run full = run("full", "full computation", fullReport, cpu[0], 1, 0);
            List<Run> runs = new ArrayList<>();
            for (Saving s : wired) {
                progress.accept("fidelity: " + s.label());
                GenerationRequest req = s.apply().apply(fidelity);
                Report r = PipelineBenchmark.measure(model, pipeline, req, progress, peak, System.nanoTime(), cpu, false, null, s.batchSize(), result);
                runs.add(run(s.key(), s.label(), r, cpu[0], s.batchSize(), maxAbsDiff(reference, result[0].latents().data())));
            }
            GenerationRequest piece = options.pieceRequest();
            progress.accept("pieces: one CFG step and the VAE decode at " + piece.width() + "x" + piece.height());
            Report pieces = measureOne(model, pipeline, piece, peak, progress, new long[1]);
            return new PresetReport(options, pieces, project(pieces, options.steps()), full, runs, wired, unwired);
        }
    }

    private static Report measureOne(Path model, StableDiffusionXLPipeline pipeline, GenerationRequest req, double peak,
                                     Consumer<String> progress, long[] cpu) {
        return PipelineBenchmark.measure(model, pipeline, req, progress, peak, System.nanoTime(), cpu, false, null, 1, null);
    }

    private static GenerationRequest request(GenerationRequest r, int steps) {
        return GenerationRequest.of(r.prompt(), r.negativePrompt(), r.width(), r.height(), steps, r.cfgScale(), r.sampler(), r.schedule(),
                r.seed(), r.promptMode());
    }

    /** A fidelity run's figures per image ({@code images} share the denoising of a batch). */
    static Run run(String key, String label, Report r, long cpuNanos, int images, double maxAbsDiff) {
        double denoise = r.unetSecondsPerEvalMean() * r.unetEvals() / images;
        long flops = r.unetFlopsPerEval() * r.unetEvals() / images;
        return new Run(key, label, denoise, cpuNanos / 1e9 / images, flops, maxAbsDiff);
    }

    static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) throw new IllegalArgumentException("latents differ in size: " + a.length + " vs " + b.length);
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs((double) a[i] - b[i]));
        return m;
    }
}
