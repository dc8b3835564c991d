package dev.animagine.core.tensor;

import dev.animagine.core.AnimagineException;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One model component's weights (unet, vae, text_encoder, text_encoder_2) under the engine's
 * single naming, diffusers' (e.g. {@code down_blocks.1.attentions.0.proj_in.weight}), whatever the
 * layout of the file they came from. Values stay in their file dtype, mapped.
 *
 * <p>A weight may carry low-rank side paths ({@link LowRank}, e.g. LoRA adapters): layers built from
 * these weights add them to their output, so an adapted model shares every base tensor.
 */
public final class Weights {
    private final String component;
    private final String origin;
    private final Map<String, StoredTensor> tensors;
    private final Map<String, List<LowRank>> lowRank;

    /**
     * @param component name used in messages, e.g. "unet"
     * @param origin    where the weights live, e.g. the checkpoint path
     */
    public Weights(String component, String origin, Map<String, StoredTensor> tensors) {
        this(component, origin, tensors, Map.of());
    }

    /** @param lowRank side paths by weight name (e.g. {@code ...attn1.to_q.weight}), applied in list order */
    public Weights(String component, String origin, Map<String, StoredTensor> tensors, Map<String, List<LowRank>> lowRank) {
        this.component = component;
        this.origin = origin;
        this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        Map<String, List<LowRank>> lr = new LinkedHashMap<>();
        lowRank.forEach((k, v) -> lr.put(k, List.copyOf(v)));
        this.lowRank = Collections.unmodifiableMap(lr);
    }

    public String component() {
        return component;
    }

    public String origin() {
        return origin;
    }

    /** The named weight; a missing one is a clear error naming the component, weight and file. */
    public StoredTensor get(String name) {
        StoredTensor t = tensors.get(name);
        if (t == null)
            throw new AnimagineException(origin + ": " + component + " weight '" + name + "' is missing (incomplete or not an SDXL checkpoint?)");
        return t;
    }

    /** The named weight, checked to have the expected shape. */
    public StoredTensor get(String name, long... shape) {
        StoredTensor t = get(name);
        if (!java.util.Arrays.equals(t.shape(), shape))
            throw new AnimagineException(origin + ": " + component + " weight '" + name + "' has shape "
                    + java.util.Arrays.toString(t.shape()) + ", expected " + java.util.Arrays.toString(shape));
        return t;
    }

    public Optional<StoredTensor> find(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    public boolean has(String name) {
        return tensors.containsKey(name);
    }

    public Set<String> names() {
        return tensors.keySet();
    }

    public Map<String, StoredTensor> asMap() {
        return tensors;
    }

    /** The low-rank side paths of the named weight (empty for plain weights). */
    public List<LowRank> lowRank(String name) {
        return lowRank.getOrDefault(name, List.of());
    }

    /** Every weight name that has side paths. */
    public Map<String, List<LowRank>> lowRankPaths() {
        return lowRank;
    }

    public long parameterCount() {
        long n = 0;
        for (StoredTensor t : tensors.values()) n += t.numel();
        return n;
    }
}
