/**
 * Reading the generation parameters people share: A1111/Forge/civitai infotext ({@link InfotextParser}),
 * the Animagine space's JSON ({@link SpaceMetadata}), a plain ComfyUI SDXL graph ({@link ComfyPrompt}),
 * the PNG chunks that carry them ({@link PngParameters}), and how they become a request
 * ({@link RequestMapping}). Depends on {@code pipeline} (request, PNG chunks); nothing depends on it.
 */
package dev.animagine.core.infotext;
