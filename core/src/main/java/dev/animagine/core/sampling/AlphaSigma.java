package dev.animagine.core.sampling;

/**
 * The variance-preserving view of a noise level σ used by DPM-Solver and UniPC: α = 1/sqrt(σ² + 1),
 * σ_t = σ·α and the half-log-SNR λ = log α − log σ_t (float32, diffusers' operation order).
 */
record AlphaSigma(float alpha, float sigma, float lambda) {
    static AlphaSigma of(float s) {
        float alpha = 1f / (float) Math.sqrt(s * s + 1f);
        float sigma = s * alpha;
        float lambda = (float) Math.log(alpha) - (float) Math.log(sigma); // +inf at σ = 0
        return new AlphaSigma(alpha, sigma, lambda);
    }

    /** The data prediction x0 = (x − σ_t·ε)/α (or from v or x0 directly), diffusers' {@code convert_model_output}. */
    float[] dataPrediction(float[] modelOutput, float[] sample, String predictionType) {
        float[] x0 = new float[sample.length];
        switch (predictionType) {
            case "epsilon" -> {
                for (int i = 0; i < x0.length; i++) x0[i] = (sample[i] - sigma * modelOutput[i]) / alpha;
            }
            case "v_prediction" -> {
                for (int i = 0; i < x0.length; i++) x0[i] = alpha * sample[i] - sigma * modelOutput[i];
            }
            default -> System.arraycopy(modelOutput, 0, x0, 0, x0.length); // "sample"
        }
        return x0;
    }

    /** DPM-Solver's and UniPC's {@code add_noise}: α·x + σ_t·noise. */
    float[] addNoise(float[] original, float[] noise) {
        if (original.length != noise.length)
            throw new IllegalArgumentException("noise has " + noise.length + " values, sample " + original.length);
        float[] out = new float[original.length];
        for (int i = 0; i < out.length; i++) out[i] = alpha * original[i] + sigma * noise[i];
        return out;
    }
}
