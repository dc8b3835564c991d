package dev.animagine.core.sampling.a1111;

/** A seeded stream of standard normal float32 tensors: each call is one {@code randn(shape)} of n elements. */
@FunctionalInterface
public interface NoiseGenerator {
    float[] randn(int n);
}
