package dev.animagine.core.io;

import dev.animagine.core.text.ClipTextConfig;
import dev.animagine.core.unet.UNetConfig;
import dev.animagine.core.vae.VaeConfig;

/**
 * What an SDXL checkpoint is made of: the UNet, the VAE and the two CLIP text towers, as detected
 * from the weights (plus config.json where the weights cannot tell, e.g. attention heads).
 * {@link #SDXL} is Stable Diffusion XL base 1.0 (and Animagine XL, which shares its architecture).
 */
public record SdxlArchitecture(UNetConfig unet, VaeConfig vae, ClipTextConfig textEncoder, ClipTextConfig textEncoder2) {
    public static final SdxlArchitecture SDXL = new SdxlArchitecture(UNetConfig.SDXL, VaeConfig.SDXL,
            ClipTextConfig.CLIP_L, ClipTextConfig.CLIP_G);

    public SdxlArchitecture withVae(VaeConfig v) {
        return new SdxlArchitecture(unet, v, textEncoder, textEncoder2);
    }

    /** True when every dimension equals SDXL base's (a full-size model, not a miniature). */
    public boolean isFullSizeSdxl() {
        return equals(SDXL);
    }
}
