package dev.animagine.core.io;

/**
 * The four weight sets of an SDXL pipeline, named as diffusers names its folders, with the prefix
 * each has in an SGM/A1111 single-file checkpoint.
 */
public enum Component {
    UNET("unet", "model.diffusion_model."),
    VAE("vae", "first_stage_model."),
    TEXT_ENCODER("text_encoder", "conditioner.embedders.0.transformer."),
    TEXT_ENCODER_2("text_encoder_2", "conditioner.embedders.1.model.");

    private final String folder;
    private final String sgmPrefix;

    Component(String folder, String sgmPrefix) {
        this.folder = folder;
        this.sgmPrefix = sgmPrefix;
    }

    /** diffusers folder name, also used in messages and in {@code info}'s JSON. */
    public String folder() {
        return folder;
    }

    /** Key prefix in a single-file checkpoint. */
    public String sgmPrefix() {
        return sgmPrefix;
    }

    /** Base name of the weights file in a diffusers folder (before {@code [.variant].safetensors}). */
    public String weightsBaseName() {
        return this == UNET || this == VAE ? "diffusion_pytorch_model" : "model";
    }
}
