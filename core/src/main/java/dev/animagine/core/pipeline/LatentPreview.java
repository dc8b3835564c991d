package dev.animagine.core.pipeline;

import java.awt.image.BufferedImage;

/**
 * A live preview of SDXL latents without the VAE: each latent pixel's 4 channels mapped to RGB by
 * a fixed linear fit (the SDXL latent-to-RGB factors published with ComfyUI's latent formats), at
 * 1/8 of the image's size. Costs a few multiply-adds per latent pixel, so it can run every step.
 */
public final class LatentPreview {
    /** Rows: latent channels 0..3; columns: R, G, B. */
    private static final float[][] FACTORS = {
            {0.3651f, 0.4232f, 0.4341f},
            {-0.2533f, -0.0042f, 0.1068f},
            {0.1076f, 0.1111f, -0.0362f},
            {-0.3165f, -0.2492f, -0.2188f},
    };
    private static final float[] BIAS = {0.1084f, -0.0175f, -0.0011f};

    private LatentPreview() {}

    /**
     * The preview of one image's latents, laid out [channels, height, width] (the first image of a
     * batch when there are more).
     */
    public static BufferedImage toImage(float[] latents, int channels, int height, int width) {
        if (channels != FACTORS.length)
            throw new IllegalArgumentException("latent preview needs " + FACTORS.length + " channels (got " + channels + ")");
        int plane = height * width;
        if (latents.length < channels * plane)
            throw new IllegalArgumentException("latents hold " + latents.length + " values, fewer than " + channels + "x" + height + "x" + width);
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] rgb = new int[plane];
        for (int i = 0; i < plane; i++) {
            int packed = 0;
            for (int c = 0; c < 3; c++) {
                float v = BIAS[c];
                for (int k = 0; k < channels; k++) v += latents[k * plane + i] * FACTORS[k][c];
                // the fit maps to [-1, 1]
                float unit = Math.clamp((v + 1f) * 0.5f, 0f, 1f);
                packed = (packed << 8) | Math.round(unit * 255f);
            }
            rgb[i] = packed;
        }
        out.setRGB(0, 0, width, height, rgb, 0, width);
        return out;
    }
}
