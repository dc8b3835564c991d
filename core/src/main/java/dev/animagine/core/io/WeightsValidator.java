package dev.animagine.core.io;

import dev.animagine.core.tensor.Weights;
import dev.animagine.core.AnimagineException;
import dev.animagine.core.tensor.StoredTensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks one component's tensors against what its detected architecture needs ({@link SdxlKeys}):
 * every weight present, with its shape, in a dtype the kernels read. Anything else is left out of
 * the {@link Weights} and reported as ignored.
 */
final class WeightsValidator {
    private WeightsValidator() {}

    static Weights validate(SdxlArchitecture arch, Component c, Map<String, StoredTensor> found, String origin, List<String> ignored) {
        Map<String, TensorSpec> expected = SdxlKeys.byName(arch, c);
        Map<String, StoredTensor> ok = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        for (TensorSpec s : expected.values()) {
            StoredTensor t = found.get(s.name());
            if (t == null) {
                missing.add(s.name());
                continue;
            }
            if (!Arrays.equals(t.shape(), s.shape()))
                throw new AnimagineException(origin + ": " + c.folder() + " weight " + t.describe() + " has shape "
                        + Arrays.toString(t.shape()) + ", the detected architecture needs " + Arrays.toString(s.shape()));
            if (!t.dtype().floating())
                throw new AnimagineException(origin + ": " + c.folder() + " weight " + t.describe() + " has dtype "
                        + t.dtype().fileName() + "; only F32, F16 and BF16 weights are supported");
            ok.put(s.name(), t);
        }
        if (!missing.isEmpty())
            throw new AnimagineException(origin + ": " + c.folder() + " is incomplete: " + missing.size() + " of " + expected.size()
                    + " weights are missing, e.g. '" + missing.getFirst() + "' (truncated or partial checkpoint?)");
        for (String k : found.keySet()) if (!expected.containsKey(k)) ignored.add(c.folder() + "/" + k);
        return new Weights(c.folder(), origin, ok);
    }
}
