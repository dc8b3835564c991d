package dev.animagine.core.pipeline;

/**
 * The stages of one image, in the order they run: img2img encodes its picture after the prompts,
 * a hires fix runs its second denoising loop after the first.
 */
public enum Stage { TEXT_ENCODING, VAE_ENCODING, DENOISING, HIRES, VAE_DECODING }
