package dev.animagine.core.io;

import dev.animagine.core.AnimagineException;

import java.util.Set;

/**
 * Tells what kind of file a single-file checkpoint is from its key names, so that anything other
 * than an SDXL model is refused with the reason: SD 1.x/2.x, SD3, Flux, the SDXL refiner, a
 * LoRA/LyCORIS adapter, a VAE or text encoder on its own, a diffusers component file, or a model
 * missing a component.
 */
final class ModelFamily {
    private ModelFamily() {}

    /**
     * Returns when {@code keys} look like an SDXL single-file checkpoint; otherwise fails with one line.
     *
     * @param haveExternalVae a VAE was given separately, so a checkpoint without one is fine
     */
    static void requireSdxlSingleFile(Set<String> keys, String where, boolean haveExternalVae) {
        if (keys.isEmpty()) throw new AnimagineException(where + ": contains no tensors");
        if (any(keys, k -> k.startsWith("lora_") || k.contains(".lora_down.") || k.contains(".lora_up.") || k.contains(".lora_A.")
                || k.contains(".lora_B.") || k.contains("lora_unet_") || k.contains(".hada_w1_") || k.contains(".lokr_w1")
                || k.contains(".oft_") || k.startsWith("oft_") || k.contains(".lora.down.")))
            throw new AnimagineException(where + ": is a LoRA/LyCORIS adapter, not a model; it cannot be used as MODEL "
                    + "(pass a full SDXL checkpoint)");
        if (any(keys, k -> k.contains("joint_blocks.")))
            throw new AnimagineException(where + ": is a Stable Diffusion 3 checkpoint (MMDiT joint_blocks); only SDXL is supported");
        if (any(keys, k -> k.contains("double_blocks.")) && any(keys, k -> k.contains("single_blocks.")))
            throw new AnimagineException(where + ": is a Flux checkpoint (double_blocks/single_blocks); only SDXL is supported");
        boolean unet = any(keys, k -> k.startsWith(Component.UNET.sgmPrefix()));
        boolean sgmVae = any(keys, k -> k.startsWith(Component.VAE.sgmPrefix()));
        boolean te1 = any(keys, k -> k.startsWith(Component.TEXT_ENCODER.sgmPrefix()));
        boolean te2 = any(keys, k -> k.startsWith(Component.TEXT_ENCODER_2.sgmPrefix()));
        if (unet) {
            if (any(keys, k -> k.startsWith("cond_stage_model.transformer.")))
                throw new AnimagineException(where + ": is a Stable Diffusion 1.x checkpoint (cond_stage_model.transformer: one CLIP-L "
                        + "text encoder); only SDXL is supported");
            if (any(keys, k -> k.startsWith("cond_stage_model.model.")))
                throw new AnimagineException(where + ": is a Stable Diffusion 2.x checkpoint (cond_stage_model.model: one OpenCLIP "
                        + "ViT-H text encoder); only SDXL is supported");
            if (!te1 && any(keys, k -> k.startsWith("conditioner.embedders.0.model.")))
                throw new AnimagineException(where + ": is an SDXL refiner checkpoint (one OpenCLIP text encoder); "
                        + "only SDXL base-architecture models are supported");
            if (!te1 && !te2)
                throw new AnimagineException(where + ": has a UNet but no text encoders (conditioner.embedders.0/1.*): "
                        + "incomplete checkpoint (UNet-only export?)");
            if (!te1)
                throw new AnimagineException(where + ": has no CLIP-L text encoder (conditioner.embedders.0.transformer.*): incomplete checkpoint");
            if (!te2)
                throw new AnimagineException(where + ": has no OpenCLIP bigG text encoder (conditioner.embedders.1.model.*): incomplete checkpoint");
            if (!sgmVae && !haveExternalVae)
                throw new AnimagineException(where + ": has no VAE (first_stage_model.*); pass one with --vae FILE");
            return;
        }
        boolean bareVae = any(keys, k -> k.startsWith("encoder.") || k.startsWith("decoder."))
                && all(keys, k -> k.startsWith("encoder.") || k.startsWith("decoder.") || k.startsWith("quant_conv.") || k.startsWith("post_quant_conv."));
        if (bareVae || (sgmVae && all(keys, k -> k.startsWith(Component.VAE.sgmPrefix()))))
            throw new AnimagineException(where + ": is a VAE on its own, not a model; pass it with --vae alongside an SDXL checkpoint");
        if (te1 || te2 || any(keys, k -> k.startsWith("text_model.")))
            throw new AnimagineException(where + ": holds text encoder weights only, not a model (no model.diffusion_model.* UNet)");
        if (any(keys, k -> k.startsWith("down_blocks.") || k.startsWith("time_embedding.")))
            throw new AnimagineException(where + ": is a diffusers UNet weights file, not a whole model; pass the diffusers folder "
                    + "(the one with model_index.json)");
        throw new AnimagineException(where + ": is not a Stable Diffusion checkpoint (no model.diffusion_model.* UNet weights)");
    }

    private static boolean any(Set<String> keys, java.util.function.Predicate<String> p) {
        for (String k : keys) if (p.test(k)) return true;
        return false;
    }

    private static boolean all(Set<String> keys, java.util.function.Predicate<String> p) {
        for (String k : keys) if (!p.test(k)) return false;
        return true;
    }
}
