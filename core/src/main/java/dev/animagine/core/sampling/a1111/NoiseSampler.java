package dev.animagine.core.sampling.a1111;

/** The noise a stochastic sampler adds on a step from σ to σ' (k-diffusion's {@code noise_sampler}): unit normal, x's size. */
@FunctionalInterface
public interface NoiseSampler {
    float[] sample(float sigma, float sigmaNext);

    /** Fresh draws from the image RNG ({@code torch.randn_like}, which A1111 routes to {@code p.rng.next()}). */
    static NoiseSampler of(ImageRng rng) {
        return (s, n) -> rng.next();
    }
}
