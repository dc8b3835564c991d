package dev.animagine.core.sampling.a1111;

import dev.animagine.core.InvalidArgumentException;
import dev.animagine.core.sampling.TorchGenerator;

import java.util.Locale;

/**
 * A1111's "Random number generator source" ({@code opts.randn_source}): where seeded noise comes from.
 */
public enum RngSource {
    /** {@code torch.Generator('cpu').manual_seed(seed)}: the same numbers on every machine (A1111 "CPU"). */
    CPU("cpu", "CPU"),
    /** A1111 "GPU" on an NVIDIA card: CUDA's Philox numbers, which {@link #NV} reproduces. */
    GPU("gpu", "GPU"),
    /** A1111 "NV": {@link PhiloxGenerator}, NVIDIA's numbers computed on the CPU. */
    NV("nv", "NV");

    private final String id, a1111Name;

    RngSource(String id, String a1111Name) {
        this.id = id;
        this.a1111Name = a1111Name;
    }

    public String id() {
        return id;
    }

    /** The value A1111 writes as {@code RNG:} in the infotext (omitted there for GPU, its default). */
    public String a1111Name() {
        return a1111Name;
    }

    /** A fresh generator seeded with {@code seed} ({@code rng.create_generator}). */
    public NoiseGenerator create(long seed) {
        if (this == CPU) {
            TorchGenerator g = new TorchGenerator(seed);
            return n -> g.randn(n);
        }
        return new PhiloxGenerator(seed);
    }

    /** By id or A1111 name, case-insensitively. */
    public static RngSource byId(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        for (RngSource s : values()) if (s.id.equals(n)) return s;
        throw new InvalidArgumentException("unknown rng source '" + name + "' (valid: cpu, gpu, nv)");
    }
}
