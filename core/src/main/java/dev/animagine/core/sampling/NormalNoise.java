package dev.animagine.core.sampling;

/**
 * Where a sampler's standard normal draws come from: one {@link TorchGenerator} for one image, or
 * {@link BatchGenerators} for a batch, one generator per image as diffusers' list of generators.
 */
@FunctionalInterface
public interface NormalNoise {
    /** Fills {@code out} (the whole latent batch) with unit normal values. */
    void fillNormal(float[] out);
}
