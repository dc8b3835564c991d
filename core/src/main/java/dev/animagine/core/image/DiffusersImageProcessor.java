package dev.animagine.core.image;

import dev.animagine.core.tensor.Tensor;

/**
 * diffusers v0.27.2's {@code VaeImageProcessor.preprocess} for a PIL init image: the size defaults to
 * the image's, rounded down to a multiple of the VAE scale factor; an image of another size is
 * resized (stretched, no crop) with Pillow's LANCZOS; then {@code 2 * (u8 / 255) - 1}.
 * (diffusers keeps RGBA's 4 channels and then mistakes them for latents; callers flatten first.)
 */
public final class DiffusersImageProcessor {
    private DiffusersImageProcessor() {}

    /**
     * @param width  the requested width, or null for the image's (rounded down to a multiple of 8)
     * @param height likewise
     */
    public static Tensor preprocess(PixelImage rgb, Integer width, Integer height) {
        int[] size = ImageFiles.defaultSize(rgb.width(), rgb.height());
        int w = width != null ? width - width % 8 : size[0], h = height != null ? height - height % 8 : size[1];
        PixelImage p = w == rgb.width() && h == rgb.height() ? rgb : PilResample.resize(rgb, w, h, PilResample.Filter.LANCZOS);
        return p.toTensor();
    }

    /** The mask processor's resize before binarising: grey, LANCZOS to the image's processing size when different. */
    public static Tensor binarizedMask(PixelImage mask, int width, int height) {
        PixelImage grey = ImageFiles.toGrey(mask);
        PixelImage p = grey.width() == width && grey.height() == height ? grey : PilResample.resize(grey, width, height, PilResample.Filter.LANCZOS);
        return InpaintMask.diffusersBinarize(p);
    }
}
