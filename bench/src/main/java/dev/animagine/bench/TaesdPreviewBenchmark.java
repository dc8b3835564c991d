package dev.animagine.bench;

import dev.animagine.core.pipeline.LatentPreview;
import dev.animagine.core.pipeline.PngFiles;
import dev.animagine.core.vae.tiny.RandomTinyAutoencoder;
import dev.animagine.core.vae.tiny.TinyAutoencoderDecoder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * One live preview of an image's latents, as the server draws one between steps: the TAESD-XL
 * decoder (a random-weight file in madebyollin's layout: the cost does not depend on the values)
 * to the full-size image, the same plus the PNG the SSE event and /sdapi/v1/progress carry, and the
 * linear "Approx cheap" fit for comparison. {@code size}: the image's {@code WIDTHxHEIGHT}.
 */
@State(Scope.Benchmark)
public class TaesdPreviewBenchmark {
    @Param({"832x1216"})
    public String size;

    private Path dir;
    private TinyAutoencoderDecoder decoder;
    private float[] latents;
    private int h, w;
    private long cpu0, ops;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        w = Integer.parseInt(size.substring(0, size.indexOf('x'))) / 8;
        h = Integer.parseInt(size.substring(size.indexOf('x') + 1)) / 8;
        dir = Files.createTempDirectory("taesd-bench");
        decoder = TinyAutoencoderDecoder.load(RandomTinyAutoencoder.write(dir.resolve("taesdxl_decoder.safetensors"),
                TinyAutoencoderDecoder.Layout.TAESD, 1));
        latents = RandomTensors.activations(4, 4 * h * w);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        decoder.close();
        Files.deleteIfExists(dir.resolve("taesdxl_decoder.safetensors"));
        Files.deleteIfExists(dir);
    }

    @Setup(Level.Iteration)
    public void startIteration() {
        ops = 0;
        cpu0 = CpuTime.processNanos();
    }

    /** Process CPU seconds per preview (all threads): on a shared machine the wall time also counts others' turns. */
    @TearDown(Level.Iteration)
    public void endIteration() {
        System.out.printf(Locale.ROOT, "%n[cpu] %s %.2f s CPU/op (%d ops)%n", size, (CpuTime.processNanos() - cpu0) / 1e9 / Math.max(1, ops), ops);
    }

    @Benchmark
    public BufferedImage taesd() {
        ops++;
        return decoder.toImage(latents, h, w);
    }

    @Benchmark
    public byte[] taesdPng() throws IOException {
        ops++;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PngFiles.write(decoder.toImage(latents, h, w), Map.of(), out);
        return out.toByteArray();
    }

    @Benchmark
    public BufferedImage approxCheap() {
        ops++;
        return LatentPreview.toImage(latents, 4, h, w);
    }

    /** Multiply-adds x 2 of TAESD-XL's convolutions for an image of {@code WIDTHxHEIGHT}. */
    static double flops(String size) {
        double p = (double) Integer.parseInt(size.substring(0, size.indexOf('x'))) / 8 * (Integer.parseInt(size.substring(size.indexOf('x') + 1)) / 8);
        double conv64 = 2.0 * 64 * 64 * 9;
        double f = 2.0 * 64 * 4 * 9 * p;
        for (int stage = 0; stage < 4; stage++) {
            double pixels = p * Math.pow(4, stage);
            f += (stage < 3 ? 9 : 3) * conv64 * pixels;                  // blocks: 3 convs each
            if (stage > 0) f += conv64 * pixels;                          // the conv after the upsample
        }
        return f + 2.0 * 3 * 64 * 9 * p * 64;
    }
}
