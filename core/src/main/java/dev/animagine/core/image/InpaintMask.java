package dev.animagine.core.image;

import dev.animagine.core.tensor.Interpolate;
import dev.animagine.core.tensor.Tensor;

/**
 * Inpainting masks as diffusers v0.27.2 prepares them ({@code mask_processor} of
 * {@code StableDiffusionXLInpaintPipeline}); white (1) = repaint. A1111's processing of masks
 * (alpha masks, invert, blur, latent mask) is in {@link A1111Mask}.
 */
public final class InpaintMask {
    private InpaintMask() {}

    /**
     * {@code VaeImageProcessor(do_normalize=False, do_binarize=True, do_convert_grayscale=True)}:
     * the mask as grey "L" ({@code convert('L')}), float32 {@code v / 255}, then {@code < 0.5 -> 0},
     * {@code >= 0.5 -> 1} (so 127 -> 0, 128 -> 1). Returns [1, 1, H, W].
     */
    public static Tensor diffusersBinarize(PixelImage mask) {
        PixelImage grey = ImageFiles.toGrey(mask);
        float[] out = new float[grey.plane()];
        for (int i = 0; i < out.length; i++) out[i] = (float) grey.data()[i] / 255f >= 0.5f ? 1f : 0f;
        return new Tensor(out, 1, 1, grey.height(), grey.width());
    }

    /**
     * {@code prepare_mask_latents}: the binarised mask resized to the latent size with
     * {@code interpolate(mode='nearest')} (pixel (8i, 8j) for an 8x VAE). Returns [1, 1, h, w].
     */
    public static Tensor diffusersLatentMask(Tensor binarized, int latentHeight, int latentWidth) {
        return Interpolate.resize(binarized, latentHeight, latentWidth, Interpolate.Mode.NEAREST, false);
    }

    /** {@code masked_image = image * (mask < 0.5)}: the init image [1, 3, H, W] with the repainted area zeroed. */
    public static Tensor diffusersMaskedImage(Tensor image, Tensor binarized) {
        int plane = binarized.numel();
        float[] out = image.data().clone();
        for (int i = 0; i < out.length; i++) if (!(binarized.data()[i % plane] < 0.5f)) out[i] = 0f;
        return new Tensor(out, image.shape());
    }
}
