package dev.animagine.core.pipeline;

import dev.animagine.core.image.PixelImage;
import dev.animagine.core.tensor.Tensor;

/**
 * The image-space half of A1111's {@code sample_hr_pass} (an {@code hr_upscaler} that is not a latent
 * mode): the first pass is decoded, turned into 8-bit pixels as A1111 does ({@code 255 * x} then
 * numpy's {@code astype(uint8)}, which truncates), resized with {@code images.resize_image(0, ...,
 * upscaler_name)} ({@link ImageUpscaler}) to the hires target and VAE-encoded again
 * ({@code images_tensor_to_samples}); the second pass then runs on those latents as on latent-upscaled ones.
 */
final class A1111ImageHires {
    private A1111ImageHires() {}

    /** The second pass's start latents [n, 4, target_h // 8, target_w // 8] from the first pass's latents. */
    static float[] upscale(StableDiffusionXLPipeline p, A1111HiresFix fix, ImageUpscaler upscaler, float[] latents, int[] shape) {
        PixelImage firstPass = truncatedPixels(p.decode(new Tensor(latents, shape)));
        PixelImage resized = upscaler.resize(firstPass, fix.targetWidth(), fix.targetHeight());
        return ImageToImage.a1111Encode(p.vae(), resized.toTensor());
    }

    /** A decoded image in [0, 1] as A1111 makes the PIL image of it: {@code (255. * x).astype(np.uint8)}. */
    static PixelImage truncatedPixels(Tensor image) {
        if (image.dim(0) != 1) throw new IllegalArgumentException("one image at a time (got a batch of " + image.dim(0) + ")");
        int c = image.dim(1), h = image.dim(2), w = image.dim(3);
        float[] d = image.data();
        int[] px = new int[c * w * h];
        for (int i = 0; i < px.length; i++) px[i] = (int) (255f * d[i]);
        return new PixelImage(w, h, c, px);
    }
}
