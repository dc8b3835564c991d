package dev.animagine.core.unet;

import dev.animagine.core.tensor.Buffers;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The cross-attention keys and values of one text conditioning, per attention layer. The text
 * context is the same at every denoising step of an image, so each layer projects it once per run
 * instead of once per step. It belongs to the run's {@link UNet2DConditionModel.Conditioning}, never
 * to the (shared) model, and is released when the run is done with it.
 */
public final class TextKeyValues {
    private final Map<Object, float[][]> byLayer = new IdentityHashMap<>();

    /** The layer's [keys, values], computed by {@code project} on first use. */
    synchronized float[][] get(Object layer, Supplier<float[][]> project) {
        return byLayer.computeIfAbsent(layer, l -> project.get());
    }

    /** Hands the cached arrays back to the run's buffer pool. */
    public synchronized void release() {
        for (float[][] kv : byLayer.values()) Buffers.give(kv);
        byLayer.clear();
    }

    synchronized int layers() {
        return byLayer.size();
    }
}
