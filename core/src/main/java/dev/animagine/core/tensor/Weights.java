package dev.animagine.core.tensor;

import dev.animagine.core.AnimagineException;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One model component's weights (unet, vae, text_encoder, text_encoder_2) under the engine's
 * single naming, diffusers' (e.g. {@code down_blocks.1.attentions.0.proj_in.weight}), whatever the
 * layout of the file they came from. Values stay in their file dtype, mapped.
 */
public final class Weights {
    private final String component;
    private final String origin;
    private final Map<String, StoredTensor> tensors;

    /**
     * @param component name used in messages, e.g. "unet"
     * @param origin    where the weights live, e.g. the checkpoint path
     */
    public Weights(String component, String origin, Map<String, StoredTensor> tensors) {
        this.component = component;
        this.origin = origin;
        this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
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

    public long parameterCount() {
        long n = 0;
        for (StoredTensor t : tensors.values()) n += t.numel();
        return n;
    }
}
