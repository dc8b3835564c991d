package dev.animagine.core.pipeline;

import dev.animagine.core.image.A1111InpaintInputs;
import dev.animagine.core.image.A1111Resize;
import dev.animagine.core.image.PixelImage;
import dev.animagine.core.sampling.Sampler;

/**
 * What an image run adds to a {@link GenerationRequest}: an init picture (img2img), a mask
 * (inpainting) or a hires pass, and whose conventions to follow.
 *
 * @param diffusers   diffusers' pipelines (and the Animagine space's hires) instead of A1111
 * @param init        the decoded init picture, or null (txt2img with a hires pass)
 * @param mask        the decoded mask (white = repaint), the init picture's size, or null
 * @param strength    denoising strength in (0, 1]
 * @param resize      A1111's resize mode to the request's size
 * @param maskOptions A1111's mask blur, invert, "only masked" and padding (diffusers uses invert only)
 * @param fill        A1111's masked content
 * @param hires       the second pass of a txt2img, or null
 */
public record ImageToImageRequest(boolean diffusers, PixelImage init, PixelImage mask, double strength, A1111Resize resize,
                                  A1111InpaintInputs.Options maskOptions, A1111Img2Img.MaskedContent fill, Hires hires) {

    /**
     * A hires pass.
     *
     * @param scale          upscale factor (used when width and height are 0)
     * @param width          target width in pixels, or 0 for {@code scale}
     * @param height         target height in pixels, or 0
     * @param denoise        strength of the second pass
     * @param steps          second-pass steps, 0 = the first pass's
     * @param upscaler       a latent mode, or an image upscaler (decode, resize, encode) in A1111 mode
     * @param sampler        second-pass sampler, or null for the first pass's
     * @param prompt         second-pass prompt, or null for the first pass's
     * @param negativePrompt second-pass negative prompt, or null for the first pass's
     * @param reseed         diffusers: a fresh generator with the seed for the second pass
     */
    public record Hires(double scale, int width, int height, double denoise, int steps, HiresUpscaler upscaler, Sampler sampler,
                        String prompt, String negativePrompt, boolean reseed) {}
}
