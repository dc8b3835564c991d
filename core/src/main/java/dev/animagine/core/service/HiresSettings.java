package dev.animagine.core.service;

/**
 * The hires fix of a txt2img request (a second, img2img pass on the upscaled latents); null fields
 * are "not given" and take the mode's default (A1111: denoise 0.7, upscaler Latent; diffusers /
 * Animagine space: denoise 0.55, nearest-exact).
 *
 * @param scale          upscale factor (A1111's "Upscale by"), or null
 * @param width          target width in pixels (with height, instead of scale; A1111's "Resize width to"), 0 = not given
 * @param height         target height in pixels, 0 = not given
 * @param denoise        denoising strength of the second pass, (0, 1]
 * @param steps          second-pass steps; 0 = the first pass's
 * @param upscaler       upscaler id or A1111 name: a latent mode ({@code latent}, {@code latent-nearest-exact}, ...) or,
 *                       in A1111 mode, an image upscaler ({@code lanczos}, {@code nearest}, {@code none})
 * @param sampler        second-pass sampler id, or null for the first pass's
 * @param prompt         second-pass prompt, or null for the first pass's
 * @param negativePrompt second-pass negative prompt, or null for the first pass's
 * @param reseed         diffusers mode: start the second pass from a fresh generator with the seed
 *                       instead of continuing the first pass's (the Animagine space continues it)
 */
public record HiresSettings(Double scale, int width, int height, Double denoise, int steps, String upscaler, String sampler,
                            String prompt, String negativePrompt, boolean reseed) {
    /** The Animagine space's preset: x1.5, nearest-exact, strength 0.55. */
    public static final double ANIMAGINE_SCALE = 1.5;
    public static final double ANIMAGINE_DENOISE = 0.55;
    public static final String ANIMAGINE_UPSCALER = "latent-nearest-exact";

    /** The denoising strength for a mode when none was given. */
    public double denoiseOrDefault(Compat compat) {
        return denoise != null ? denoise : compat == Compat.DIFFUSERS ? ANIMAGINE_DENOISE : 0.7;
    }

    /** The upscaler id for a mode when none was given. */
    public String upscalerOrDefault(Compat compat) {
        return upscaler != null ? upscaler : compat == Compat.DIFFUSERS ? ANIMAGINE_UPSCALER : "latent";
    }

    public boolean sizeGiven() {
        return width != 0 || height != 0;
    }
}
