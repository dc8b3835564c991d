package dev.animagine.core.text;

import dev.animagine.core.tensor.BufferPool;
import dev.animagine.core.tensor.Buffers;
import dev.animagine.core.tensor.DType;
import dev.animagine.core.tensor.StoredTensor;
import dev.animagine.core.tensor.Weights;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Compiles the text encoders' kernels before the first real encoding: a miniature pair of CLIP
 * towers (random weights, same layer types, activations and dtype as SDXL's, a [2 x 77]-token batch
 * as a prompt and its negative) runs a few times, so the JIT's C2 compiler has compiled the GEMM,
 * weight widening, causal attention, LayerNorm and GELU kernels by the time the real 1.6 GB towers
 * run. Without it the process's first encoding runs those kernels interpreted or at C1 on full-size
 * matrices until C2 catches up (about 2x the second encoding's time).
 * <p>
 * The weights live in a memory-mapped temporary file, like a checkpoint's, so the compiled code is
 * specialised for mapped segments and does not deoptimise on the real weights; where no temporary
 * file can be written they live in native memory instead.
 */
public final class TextEncoderWarmUp {
    /** Passes over the miniature towers: enough for C2 to compile the kernels' loops (see docs/performance.md). */
    static final int PASSES = Integer.getInteger("animagine.warmup.passes", 12);
    private static final int TOKENS = ClipTokenizer.MAX_LENGTH;

    private TextEncoderWarmUp() {}

    private static final java.util.concurrent.atomic.AtomicReference<Thread> BACKGROUND = new java.util.concurrent.atomic.AtomicReference<>();

    /**
     * Starts the warm-up on a daemon thread (once per process) while the caller parses options, opens
     * and maps the checkpoint: that work leaves a core idle, and the kernels are compiled by the time
     * the first encoding {@linkplain #awaitBackground waits} for it. {@code dtype} is the weights'
     * expected storage type (SDXL checkpoints are usually F16; another one only widens differently).
     */
    public static void startInBackground(DType dtype) {
        if (PASSES <= 0) return;
        Thread t = Thread.ofPlatform().name("animagine-warm-up").daemon().unstarted(() -> {
            try {
                run(dtype);
            } catch (RuntimeException | OutOfMemoryError e) {
                // a warm-up that fails only leaves the first encoding slower; the user's command goes on
            }
        });
        if (BACKGROUND.compareAndSet(null, t)) t.start();
    }

    /** Waits for a warm-up {@link #startInBackground started} in this process; returns at once if none was (or it is done). */
    public static void awaitBackground() {
        Thread t = BACKGROUND.get();
        if (t == null || !t.isAlive()) return;
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs the miniature towers {@link #PASSES} times on the calling thread (the kernels use the shared pool). */
    public static void run(DType dtype) {
        run(dtype, PASSES);
    }

    static void run(DType dtype, int passes) {
        if (passes <= 0) return;
        ClipTextConfig l = new ClipTextConfig(1000, 128, 512, 2, 2, TOKENS, "quick_gelu", 1e-5, 0);
        ClipTextConfig g = new ClipTextConfig(1000, 256, 1024, 2, 4, TOKENS, "gelu", 1e-5, 256);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment store = storage(arena, (bytes(l) + bytes(g)) * dtype.byteSize());
            long[] at = {0};
            SdxlTextEncoder enc = new SdxlTextEncoder(new ClipTextModel(l, weights(l, dtype, store, at, 1)),
                    new ClipTextModel(g, weights(g, dtype, store, at, 2)));
            int[][] ids = new int[2][TOKENS];
            for (int r = 0; r < 2; r++)
                for (int i = 0; i < TOKENS; i++) ids[r][i] = i == 9 * (r + 1) ? 999 : (i * 31 + r) % 900;
            for (int p = 0; p < passes; p++)
                Buffers.withPool(new BufferPool(), () -> {
                    enc.encodeAll(List.of(prompt(ids[0], 1.1), prompt(ids[1], 1)), 1);
                    return null;
                });
        }
    }

    /** A mapped temporary file (as a checkpoint's weights are), or native memory if none can be made. */
    private static MemorySegment storage(Arena arena, long bytes) {
        try {
            Path tmp = Files.createTempFile("animagine-warmup", ".bin");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                ch.truncate(0);
                ch.position(bytes - 1).write(java.nio.ByteBuffer.wrap(new byte[1]));
                return ch.map(FileChannel.MapMode.READ_WRITE, 0, bytes, arena);
            } finally {
                Files.deleteIfExists(tmp); // the mapping stays valid on POSIX; elsewhere the file is left in the temp folder
            }
        } catch (IOException | UnsupportedOperationException e) {
            return arena.allocate(bytes, 64);
        }
    }

    private static long bytes(ClipTextConfig c) {
        long d = c.hiddenSize(), f = c.intermediateSize();
        long perLayer = 4 * (d * d + d) + 2 * (d * f) + f + d + 4 * d;
        return c.vocabSize() * d + c.maxPositionEmbeddings() * d + c.numHiddenLayers() * perLayer + 2 * d
                + (long) c.projectionDim() * d;
    }

    private static Weights weights(ClipTextConfig c, DType dtype, MemorySegment store, long[] at, long seed) {
        Map<String, StoredTensor> m = new LinkedHashMap<>();
        SplittableRandom rnd = new SplittableRandom(seed);
        int d = c.hiddenSize(), f = c.intermediateSize();
        put(m, "text_model.embeddings.token_embedding.weight", dtype, store, at, rnd, 0, 0.02, c.vocabSize(), d);
        put(m, "text_model.embeddings.position_embedding.weight", dtype, store, at, rnd, 0, 0.02, c.maxPositionEmbeddings(), d);
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            String p = "text_model.encoder.layers." + i + ".";
            norm(m, p + "layer_norm1", dtype, store, at, rnd, d);
            for (String proj : new String[] {"q_proj", "k_proj", "v_proj", "out_proj"}) linear(m, p + "self_attn." + proj, dtype, store, at, rnd, d, d);
            norm(m, p + "layer_norm2", dtype, store, at, rnd, d);
            linear(m, p + "mlp.fc1", dtype, store, at, rnd, f, d);
            linear(m, p + "mlp.fc2", dtype, store, at, rnd, d, f);
        }
        norm(m, "text_model.final_layer_norm", dtype, store, at, rnd, d);
        if (c.projectionDim() > 0) put(m, "text_projection.weight", dtype, store, at, rnd, 0, 1 / Math.sqrt(d), c.projectionDim(), d);
        return new Weights("warm-up text encoder", "warm-up", m);
    }

    private static void linear(Map<String, StoredTensor> m, String prefix, DType dtype, MemorySegment store, long[] at, SplittableRandom rnd,
                               int out, int in) {
        put(m, prefix + ".weight", dtype, store, at, rnd, 0, 1 / Math.sqrt(in), out, in);
        put(m, prefix + ".bias", dtype, store, at, rnd, 0, 0.01, out);
    }

    private static void norm(Map<String, StoredTensor> m, String prefix, DType dtype, MemorySegment store, long[] at, SplittableRandom rnd, int d) {
        put(m, prefix + ".weight", dtype, store, at, rnd, 1, 0.01, d);
        put(m, prefix + ".bias", dtype, store, at, rnd, 0, 0.01, d);
    }

    /** A tensor of uniform values with the given mean and standard deviation, stored in {@code dtype} at the next free offset. */
    private static void put(Map<String, StoredTensor> m, String name, DType dtype, MemorySegment store, long[] at, SplittableRandom rnd,
                            double mean, double std, long... shape) {
        long n = 1;
        for (long s : shape) n *= s;
        MemorySegment seg = store.asSlice(at[0], n * dtype.byteSize());
        at[0] += n * dtype.byteSize();
        double half = std * Math.sqrt(3);
        for (long i = 0; i < n; i++) {
            float v = (float) (mean + half * (2 * rnd.nextDouble() - 1));
            switch (dtype) {
                case F16 -> seg.set(LE_SHORT, 2 * i, Float.floatToFloat16(v));
                case BF16 -> seg.set(LE_SHORT, 2 * i, (short) (Float.floatToRawIntBits(v) >>> 16));
                default -> seg.set(LE_FLOAT, 4 * i, v);
            }
        }
        m.put(name, new StoredTensor(name, dtype, shape, seg, "warm-up"));
    }

    /** One chunk; a weight other than 1 on a token so that A1111's emphasis runs too. */
    private static TokenizedPrompt prompt(int[] ids, double weight) {
        double[] multipliers = new double[TOKENS];
        java.util.Arrays.fill(multipliers, 1);
        multipliers[2] = weight;
        var chunk = new TokenizedPrompt.Chunk(ids, ids, multipliers, 8);
        return new TokenizedPrompt(PromptMode.A1111, EmphasisMode.ORIGINAL, List.of(chunk), 8, 0);
    }

    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
}
