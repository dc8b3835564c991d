package dev.animagine.core.io;

import dev.animagine.core.AnimagineException;
import java.util.List;

import dev.animagine.core.text.ClipTextConfig;
import dev.animagine.core.unet.UNetConfig;
import dev.animagine.core.vae.VaeConfig;

/**
 * What an SDXL checkpoint is made of: the UNet, the VAE and the two CLIP text towers, as detected
 * from the weights (plus config.json where the weights cannot tell, e.g. attention heads).
 * {@link #SDXL} is Stable Diffusion XL base 1.0 (and Animagine XL, which shares its architecture).
 */
public record SdxlArchitecture(UNetConfig unet, VaeConfig vae, ClipTextConfig textEncoder, ClipTextConfig textEncoder2,
                               List<String> unknown) {
    public static final SdxlArchitecture SDXL = new SdxlArchitecture(UNetConfig.SDXL, VaeConfig.SDXL,
            ClipTextConfig.CLIP_L, ClipTextConfig.CLIP_G);

    /**
     * @param unknown what the weights could not tell (attention heads of a miniature model without
     *                config.json), one sentence each; such a value is 0 in the configs. The model can
     *                be described but not run until a {@code --config} supplies it.
     */
    public SdxlArchitecture {
        unknown = List.copyOf(unknown);
    }

    public SdxlArchitecture(UNetConfig unet, VaeConfig vae, ClipTextConfig textEncoder, ClipTextConfig textEncoder2) {
        this(unet, vae, textEncoder, textEncoder2, List.of());
    }

    public SdxlArchitecture withVae(VaeConfig v) {
        return new SdxlArchitecture(unet, v, textEncoder, textEncoder2, unknown);
    }

    /** Throws the first unknown value's explanation when something needed to run the model is unknown. */
    public SdxlArchitecture requireRunnable() {
        if (!unknown.isEmpty()) throw new AnimagineException(unknown.getFirst());
        return this;
    }

    /** True when every dimension equals SDXL base's (a full-size model, not a miniature). */
    public boolean isFullSizeSdxl() {
        return equals(SDXL);
    }
}
