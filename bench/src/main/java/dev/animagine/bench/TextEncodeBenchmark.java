package dev.animagine.bench;

import dev.animagine.core.io.Checkpoint;
import dev.animagine.core.io.CheckpointOptions;
import dev.animagine.core.pipeline.GenerationRequest;
import dev.animagine.core.pipeline.StableDiffusionXLPipeline;
import dev.animagine.core.tensor.BufferPool;
import dev.animagine.core.tensor.Buffers;
import dev.animagine.core.text.PromptTokenizer;
import dev.animagine.core.text.SdxlTokenizers;
import dev.animagine.core.text.TextEncoderWarmUp;
import dev.animagine.core.text.TokenizedPrompt;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * Start-up cost of the text encoders ({@code bench --text-only}): the process's first encoding of
 * the prompts (JIT compilation of the kernels and page faults of the mapped weights included) and
 * a second one, wall and CPU time (all threads). Stops there, so a start-up option is measured in
 * seconds rather than minutes.
 */
public final class TextEncodeBenchmark {
    private TextEncodeBenchmark() {}

    /**
     * @param processSecondsAtStart JVM uptime when the model was opened (JVM start-up and class loading)
     * @param processSecondsAtFirstEncoding JVM uptime when the first encoding was done (what a user waits for)
     * @param processCpuSeconds     the JVM's CPU time (user + sys, all threads incl. the compiler) at the end
     */
    public record Report(Path model, double loadSeconds, double processSecondsAtStart, double processSecondsAtFirstEncoding,
                         double firstSeconds, double firstCpuSeconds, double secondSeconds, double secondCpuSeconds,
                         double processCpuSeconds) {
        public double ratio() {
            return firstSeconds / secondSeconds;
        }

        /** NaN when the second encoding took less CPU time than the clock resolves (a miniature model). */
        public double cpuRatio() {
            return secondCpuSeconds > 0 ? firstCpuSeconds / secondCpuSeconds : Double.NaN;
        }
    }

    public static Report run(Path model, CheckpointOptions options, SdxlTokenizers tokenizers, GenerationRequest request,
                             Consumer<String> progress) {
        double uptime = ManagementFactory.getRuntimeMXBean().getUptime() / 1e3;
        long t0 = System.nanoTime();
        try (Checkpoint checkpoint = Checkpoint.open(model, options)) {
            StableDiffusionXLPipeline pipeline = new StableDiffusionXLPipeline(checkpoint, tokenizers);
            pipeline.textEncoder();
            double load = (System.nanoTime() - t0) / 1e9;
            progress.accept(String.format("loaded in %.2f s", load));
            double[] first = encode(pipeline, request);
            double firstDone = ManagementFactory.getRuntimeMXBean().getUptime() / 1e3;
            progress.accept(String.format("first text encoding %.2f s (CPU %.2f s)", first[0], first[1]));
            double[] second = encode(pipeline, request);
            progress.accept(String.format("second text encoding %.2f s (CPU %.2f s)", second[0], second[1]));
            return new Report(model, load, uptime, firstDone, first[0], first[1], second[0], second[1], processCpuSeconds());
        }
    }

    /**
     * One encoding of prompt and negative with the pipeline's encoders, in its own activation pool and
     * never from a cache of recent encodings; waits for a running warm-up first, as the pipeline's
     * encoding does. Returns {wall, CPU} seconds, CPU being the whole process's (the JIT compiler
     * threads' work shows up there).
     */
    private static double[] encode(StableDiffusionXLPipeline pipeline, GenerationRequest request) {
        double c0 = processCpuSeconds();
        long t0 = System.nanoTime();
        TextEncoderWarmUp.awaitBackground();
        PromptTokenizer tok = new PromptTokenizer(pipeline.tokenizers(), request.promptMode(), request.a1111());
        TokenizedPrompt positive = tok.tokenize(request.prompt()), negative = tok.tokenize(request.negativePrompt());
        Buffers.withPool(new BufferPool(), () -> pipeline.textEncoder().encodeAll(List.of(positive, negative), request.clipSkip()));
        return new double[] {(System.nanoTime() - t0) / 1e9, processCpuSeconds() - c0};
    }

    /** The whole JVM's CPU time so far (JIT compiler threads included), or -1 where the platform does not tell. */
    static double processCpuSeconds() {
        long n = CpuTime.processNanos();
        return n < 0 ? -1 : n / 1e9;
    }
}
