package dev.animagine.core.unet;

import dev.animagine.core.InvalidArgumentException;
import dev.animagine.core.tensor.Buffers;
import dev.animagine.core.tensor.Tensor;

/**
 * One run's DeepCache state (Ma et al., "DeepCache: Accelerating Diffusion Models for Free"): every
 * {@code interval}-th UNet call (counted from 0, so the first call is always full) runs the whole
 * UNet and keeps the deep feature entering the last up block at the skip point; the calls between
 * run only the shallow branch ({@code conv_in}, the first {@code depth} layers of down block 0, the
 * last up block from the skip point on, {@code conv_norm_out}, {@code conv_out}) on that feature.
 * Uniform skip mode, cache branch 0 of the DeepCache SDXL pipeline (depth 1: the skip branch of down
 * block 0's first resnet/attention); depth 0 is the shallower branch of the pip extension's
 * {@code DeepCacheSDHelper} with {@code cache_branch_id=0} (conv_in's skip only).
 * <p>
 * The state belongs to one denoising pass and never to the model (models are immutable and shared):
 * create one per pass and {@link #release} it at the end, which hands the cached feature back to the
 * run's {@link Buffers} pool. Interval 1 makes every call full (the plain UNet, bit for bit).
 * <p>
 * Batches: the cache holds the rows of the last full call. A shallow call with the same rows reuses
 * it; an N-row call after a 2N-row full call reuses the last N rows (the prompts': every batch this
 * engine builds is [negatives; prompts], N images), which covers A1111's NGMS and the CFG cutoff's
 * prompt-only calls, for one image or a batch; any other mismatch runs the full UNet and refreshes the cache.
 */
public final class DeepCache {
    private final int interval, depth;
    private int calls, fullCalls, shallowCalls;
    private Tensor cached;

    /**
     * @param interval N >= 1: the full UNet every N-th call
     * @param depth    layers of down block 0 the shallow branch runs (0..layers per block); 1 is DeepCache's branch 0
     */
    public DeepCache(int interval, int depth) {
        if (interval < 1) throw new InvalidArgumentException("DeepCache interval must be at least 1 (got " + interval + ")");
        if (depth < 0) throw new InvalidArgumentException("DeepCache depth must be at least 0 (got " + depth + ")");
        this.interval = interval;
        this.depth = depth;
    }

    /** DeepCache's default branch (depth 1). */
    public DeepCache(int interval) {
        this(interval, 1);
    }

    public int interval() {
        return interval;
    }

    public int depth() {
        return depth;
    }

    /** UNet calls so far. */
    public int calls() {
        return calls;
    }

    /** Calls that ran the whole UNet. */
    public int fullCalls() {
        return fullCalls;
    }

    /** Calls that ran only the shallow branch. */
    public int shallowCalls() {
        return shallowCalls;
    }

    /** Whether a feature is held (false after {@link #release}). */
    public boolean holdsFeature() {
        return cached != null;
    }

    /**
     * Counts a call of {@code batch} rows at the latent size and returns the cached feature it may start from, or null
     * when it must run the full UNet (its slot is a full one, or no cache fits its rows).
     * The returned tensor is a fresh copy from the run's pool: the caller owns it.
     */
    Tensor beginCall(int batch, int height, int width) {
        boolean fullSlot = calls % interval == 0;
        calls++;
        Tensor feature = fullSlot ? null : feature(batch, height, width);
        if (feature == null) fullCalls++;
        else shallowCalls++;
        return feature;
    }

    private Tensor feature(int batch, int height, int width) {
        if (cached == null || cached.dim(2) != height || cached.dim(3) != width) return null;
        int rows = cached.dim(0);
        if (rows != batch && rows != 2 * batch) return null;
        int rowLength = cached.numel() / rows;
        float[] copy = Buffers.take(batch * rowLength);
        // N rows from a 2N-row cache: the last N (the prompts' of [negatives; prompts])
        System.arraycopy(cached.data(), (rows - batch) * rowLength, copy, 0, batch * rowLength);
        return new Tensor(copy, batch, cached.dim(1), height, width);
    }

    /** Keeps a copy of the deep feature of a full call, handing the previous one back to the pool. */
    void store(Tensor feature) {
        float[] copy = Buffers.take(feature.numel());
        System.arraycopy(feature.data(), 0, copy, 0, copy.length);
        Buffers.give(cached);
        cached = new Tensor(copy, feature.shape());
    }

    /** The cached feature (for tests), or null. */
    Tensor cached() {
        return cached;
    }

    /** Hands the cached feature back to the run's pool; call once the pass is over. */
    public void release() {
        Buffers.give(cached);
        cached = null;
    }
}
