package dev.animagine.bench;

/**
 * The time of one image projected from pieces measured in the same process: one text encoding,
 * one denoising step (for a CFG image, the 2-row batched UNet evaluation) times the step count,
 * one VAE decode. A saving changes the pieces as measured on a smaller image: the denoising by
 * the ratio of its denoising time to the full computation's, the text encoding by the number of
 * images that share it (a batch of one prompt encodes it once).
 *
 * @param textSeconds   one encoding of prompt and negative
 * @param stepSeconds   one denoising step at the image size
 * @param decodeSeconds one VAE decode at the image size
 */
public record ImageProjection(double textSeconds, double stepSeconds, double decodeSeconds, int steps) {
    public ImageProjection {
        if (steps < 1) throw new IllegalArgumentException("steps must be at least 1 (got " + steps + ")");
        if (!(textSeconds >= 0 && stepSeconds >= 0 && decodeSeconds >= 0))
            throw new IllegalArgumentException("measured times must be non-negative");
    }

    public double denoiseSeconds() {
        return steps * stepSeconds;
    }

    /** text + steps x step + decode. */
    public double imageSeconds() {
        return textSeconds + denoiseSeconds() + decodeSeconds;
    }

    /**
     * Per image with a saving.
     *
     * @param denoiseRatio    the saving's denoising time per image over the full computation's (1 = no change)
     * @param imagesPerEncoding images that share one text encoding (the batch size; 1 otherwise)
     */
    public double imageSeconds(double denoiseRatio, int imagesPerEncoding) {
        if (!(denoiseRatio > 0)) throw new IllegalArgumentException("denoising ratio must be positive (got " + denoiseRatio + ")");
        if (imagesPerEncoding < 1) throw new IllegalArgumentException("images per encoding must be at least 1 (got " + imagesPerEncoding + ")");
        return textSeconds / imagesPerEncoding + denoiseRatio * denoiseSeconds() + decodeSeconds;
    }

    /** How many times faster than {@link #imageSeconds()}. */
    public double speedup(double denoiseRatio, int imagesPerEncoding) {
        return imageSeconds() / imageSeconds(denoiseRatio, imagesPerEncoding);
    }
}
