package dev.animagine.core.vae;

import java.util.List;

/**
 * The SDXL VAE ({@code AutoencoderKL}): channels per level, resnets per level, latent channels and
 * the scaling factor that maps VAE latents to the UNet's (0.13025 for SDXL).
 */
public record VaeConfig(
        int inChannels,
        int outChannels,
        int latentChannels,
        List<Integer> blockOutChannels,
        int layersPerBlock,
        int normNumGroups,
        double scalingFactor) {

    public static final double SDXL_SCALING_FACTOR = 0.13025;

    public static final VaeConfig SDXL = new VaeConfig(3, 3, 4, List.of(128, 256, 512, 512), 2, 32, SDXL_SCALING_FACTOR);

    /** Pixels per latent along each side (8 for SDXL: one downsample per level but the last). */
    public int downscale() {
        return 1 << (blockOutChannels.size() - 1);
    }
}
