package dev.animagine.core.sampling.a1111;

/**
 * k-diffusion's {@code BrownianTreeNoiseSampler} as A1111 creates it for the SDE samplers: one
 * {@link BrownianTree} per image seed on [min positive σ, max σ], and the noise for a step σ → σ'
 * is (W(σ') − W(σ)) / sqrt(|σ' − σ|): unit normal, correlated across steps as a Brownian path, and
 * independent of the batch size and of ENSD and subseeds.
 */
public final class BrownianTreeNoiseSampler implements NoiseSampler {
    private final BrownianTree[] trees;
    private final int perImage;

    /**
     * @param sigmas   the sampler's sigmas (their positive minimum and maximum bound the trees)
     * @param seeds    one image seed per batch row
     * @param perImage elements of one image's latent (C · H · W)
     * @param source   A1111's RNG source, which also seeds the trees' normals ({@code randn_local})
     */
    public BrownianTreeNoiseSampler(float[] sigmas, long[] seeds, int perImage, RngSource source) {
        float min = Float.POSITIVE_INFINITY, max = Float.NEGATIVE_INFINITY;
        for (float s : sigmas) {
            if (s > 0) min = Math.min(min, s);
            max = Math.max(max, s);
        }
        this.perImage = perImage;
        trees = new BrownianTree[seeds.length];
        for (int i = 0; i < seeds.length; i++) trees[i] = new BrownianTree(min, max, seeds[i], perImage, source);
    }

    @Override
    public float[] sample(float sigma, float sigmaNext) {
        float lo = Math.min(sigma, sigmaNext), hi = Math.max(sigma, sigmaNext);
        float sign = sigma < sigmaNext ? 1f : -1f;
        float scale = (float) Math.sqrt(Math.abs(sigmaNext - sigma));
        float[] out = new float[trees.length * perImage];
        for (int b = 0; b < trees.length; b++) {
            float[] w = trees[b].increment(lo, hi);
            for (int i = 0; i < perImage; i++) out[b * perImage + i] = w[i] * sign / scale;
        }
        return out;
    }
}
