package dev.animagine.core.sampling;

/** The pieces the two Euler schedulers share, in diffusers' float32 operation order. */
final class EulerMath {
    private EulerMath() {}

    static float initNoiseSigma(float[] sigmas, SchedulerConfig config) {
        float max = Float.NEGATIVE_INFINITY;
        for (float s : sigmas) max = Math.max(max, s);
        String spacing = config.timestepSpacing();
        if (spacing.equals("linspace") || spacing.equals("trailing")) return max;
        return (float) Math.sqrt(max * max + 1f);
    }

    static float[] scaleModelInput(float[] sample, float sigma) {
        float c = (float) Math.sqrt(sigma * sigma + 1f);
        float[] out = new float[sample.length];
        for (int i = 0; i < out.length; i++) out[i] = sample[i] / c;
        return out;
    }

    /** The denoised estimate x0 from the model output at noise level σ. */
    static float[] predictOriginal(float[] modelOutput, float[] sample, float sigma, SchedulerConfig config) {
        float[] x0 = new float[sample.length];
        switch (config.predictionType()) {
            case "epsilon" -> {
                for (int i = 0; i < x0.length; i++) x0[i] = sample[i] - sigma * modelOutput[i];
            }
            case "v_prediction" -> {
                float s2 = sigma * sigma + 1f;
                float cOut = -sigma / (float) Math.sqrt(s2);
                for (int i = 0; i < x0.length; i++) x0[i] = modelOutput[i] * cOut + sample[i] / s2;
            }
            default -> System.arraycopy(modelOutput, 0, x0, 0, x0.length); // "sample"
        }
        return x0;
    }

    /** diffusers' Euler {@code add_noise}: original + noise·σ. */
    static float[] addNoise(float[] original, float[] noise, float sigma) {
        if (original.length != noise.length)
            throw new IllegalArgumentException("noise has " + noise.length + " values, sample " + original.length);
        float[] out = new float[original.length];
        for (int i = 0; i < out.length; i++) out[i] = original[i] + noise[i] * sigma;
        return out;
    }
}
