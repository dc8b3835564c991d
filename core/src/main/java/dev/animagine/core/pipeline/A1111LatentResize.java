package dev.animagine.core.pipeline;

import dev.animagine.core.image.A1111Resize;
import dev.animagine.core.tensor.Tensor;

/**
 * A1111's img2img resize mode 3, "Just resize (latent upscale)" ({@code StableDiffusionProcessingImg2Img.init}):
 * the init picture is encoded at its own size and the latents are then resized with
 * {@code torch.nn.functional.interpolate(init_latent, size=(height // 8, width // 8), mode="bilinear")}
 * (align_corners=False, no antialiasing: {@link LatentUpscaler#LATENT}).
 */
final class A1111LatentResize {
    private A1111LatentResize() {}

    /**
     * The init latents at the run's latent size.
     *
     * @param encoded     the init picture's latents, from a picture of {@code pixelWidth x pixelHeight}
     * @param downscale   the VAE's pixel-to-latent factor (8)
     * @param shape       the run's latent shape [n, c, h, w]
     */
    static float[] toRunSize(A1111Resize mode, float[] encoded, int pixelWidth, int pixelHeight, int downscale, int[] shape) {
        if (mode != A1111Resize.LATENT_UPSCALE) return encoded;
        // each of the encoder's stride-2 convolutions (padded right/bottom by one) gives floor(side / 2)
        int h = pixelHeight / downscale, w = pixelWidth / downscale;
        Tensor latents = new Tensor(encoded, shape[0], shape[1], h, w);
        return LatentUpscaler.LATENT.upscale(latents, shape[2], shape[3]).data();
    }
}
