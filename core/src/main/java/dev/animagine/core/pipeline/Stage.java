package dev.animagine.core.pipeline;

/** The stages of one image, in the order they run. */
public enum Stage { TEXT_ENCODING, DENOISING, VAE_DECODING }
