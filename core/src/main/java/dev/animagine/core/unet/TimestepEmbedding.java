package dev.animagine.core.unet;

/**
 * Sinusoidal embeddings of timesteps and of SDXL's size/crop ids, as diffusers'
 * {@code get_timestep_embedding} with {@code flip_sin_to_cos=True, downscale_freq_shift=0}:
 * [cos(t f_i), sin(t f_i)] with f_i = exp(-ln(10000) i / half), in float32 like torch.
 */
final class TimestepEmbedding {
    private TimestepEmbedding() {}

    static float[] sinusoidal(float[] timesteps, int dim) {
        int half = dim / 2;
        float[] freqs = new float[half];
        float logMax = (float) -Math.log(10000.0);
        for (int i = 0; i < half; i++) {
            float exponent = logMax * i / half;
            freqs[i] = (float) Math.exp(exponent);
        }
        float[] out = new float[timesteps.length * dim];
        for (int b = 0; b < timesteps.length; b++)
            for (int i = 0; i < half; i++) {
                float arg = timesteps[b] * freqs[i];
                out[b * dim + i] = (float) Math.cos(arg);
                out[b * dim + half + i] = (float) Math.sin(arg);
            }
        return out;
    }
}
