/**
 * madebyollin's Tiny AutoEncoder for SDXL (TAESD-XL; diffusers' {@code AutoencoderTiny}): the
 * decoder that draws live previews. Apart from {@code vae} because it reads its own weight files
 * ({@code io}), which the full VAE's configuration is read by.
 */
package dev.animagine.core.vae.tiny;
