package dev.animagine.core.io;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.animagine.core.text.ClipTextConfig;
import dev.animagine.core.unet.UNetConfig;
import dev.animagine.core.vae.VaeConfig;

/**
 * The {@code config.json} files diffusers and transformers would write for an architecture
 * (diffusers' names, e.g. {@code attention_head_dim} holding the number of heads per level), so a
 * written diffusers folder describes itself, heads included.
 */
public final class DiffusersConfigs {
    private DiffusersConfigs() {}

    private static ObjectNode obj() {
        return SafetensorsFile.JSON.createObjectNode();
    }

    private static ArrayNode ints(ObjectNode o, String key, Iterable<Integer> values) {
        ArrayNode a = o.putArray(key);
        values.forEach(a::add);
        return a;
    }

    static ObjectNode modelIndex() {
        ObjectNode o = obj();
        o.put("_class_name", "StableDiffusionXLPipeline");
        o.put("_diffusers_version", "0.27.2");
        o.put("force_zeros_for_empty_prompt", true);
        String[][] parts = {{"scheduler", "diffusers", "EulerDiscreteScheduler"}, {"text_encoder", "transformers", "CLIPTextModel"},
                {"text_encoder_2", "transformers", "CLIPTextModelWithProjection"}, {"tokenizer", "transformers", "CLIPTokenizer"},
                {"tokenizer_2", "transformers", "CLIPTokenizer"}, {"unet", "diffusers", "UNet2DConditionModel"}, {"vae", "diffusers", "AutoencoderKL"}};
        for (String[] p : parts) o.putArray(p[0]).add(p[1]).add(p[2]);
        return o;
    }

    /** SDXL base's scheduler (Euler, scaled-linear betas 0.00085..0.012, leading spacing, offset 1). */
    static ObjectNode scheduler() {
        ObjectNode o = obj();
        o.put("_class_name", "EulerDiscreteScheduler");
        o.put("beta_end", 0.012).put("beta_schedule", "scaled_linear").put("beta_start", 0.00085);
        o.put("clip_sample", false).put("interpolation_type", "linear").put("num_train_timesteps", 1000);
        o.put("prediction_type", "epsilon").put("sample_max_value", 1.0).put("set_alpha_to_one", false);
        o.put("skip_prk_steps", true).put("steps_offset", 1).put("timestep_spacing", "leading");
        o.putNull("trained_betas");
        o.put("use_karras_sigmas", false);
        return o;
    }

    static ObjectNode unet(UNetConfig u) {
        ObjectNode o = obj();
        o.put("_class_name", "UNet2DConditionModel");
        o.put("_diffusers_version", "0.27.2");
        o.put("act_fn", "silu");
        o.put("addition_embed_type", "text_time");
        o.put("addition_time_embed_dim", u.addTimeEmbedDim());
        ints(o, "attention_head_dim", u.attentionHeads());
        ints(o, "block_out_channels", u.blockOutChannels());
        o.put("cross_attention_dim", u.crossAttentionDim());
        ArrayNode down = o.putArray("down_block_types"), up = o.putArray("up_block_types");
        for (int i = 0; i < u.levels(); i++) down.add(u.crossAttention().get(i) ? "CrossAttnDownBlock2D" : "DownBlock2D");
        for (int i = u.levels() - 1; i >= 0; i--) up.add(u.crossAttention().get(i) ? "CrossAttnUpBlock2D" : "UpBlock2D");
        o.put("flip_sin_to_cos", true).put("freq_shift", 0);
        o.put("in_channels", u.inChannels()).put("out_channels", u.outChannels());
        o.put("layers_per_block", u.layersPerBlock());
        o.put("mid_block_type", "UNetMidBlock2DCrossAttn");
        o.put("norm_eps", 1e-5).put("norm_num_groups", u.normNumGroups());
        o.put("projection_class_embeddings_input_dim", u.projectionClassEmbeddingsInputDim());
        ints(o, "transformer_layers_per_block", u.transformerLayersPerBlock());
        o.put("use_linear_projection", u.useLinearProjection());
        o.put("sample_size", 128);
        return o;
    }

    static ObjectNode vae(VaeConfig v) {
        ObjectNode o = obj();
        o.put("_class_name", "AutoencoderKL");
        o.put("_diffusers_version", "0.27.2");
        o.put("act_fn", "silu");
        ints(o, "block_out_channels", v.blockOutChannels());
        ArrayNode down = o.putArray("down_block_types"), up = o.putArray("up_block_types");
        for (int i = 0; i < v.blockOutChannels().size(); i++) {
            down.add("DownEncoderBlock2D");
            up.add("UpDecoderBlock2D");
        }
        o.put("force_upcast", true);
        o.put("in_channels", v.inChannels()).put("out_channels", v.outChannels()).put("latent_channels", v.latentChannels());
        o.put("layers_per_block", v.layersPerBlock()).put("norm_num_groups", v.normNumGroups());
        o.put("sample_size", 1024).put("scaling_factor", v.scalingFactor());
        return o;
    }

    static ObjectNode clip(ClipTextConfig t, boolean withProjection, String torchDtype) {
        ObjectNode o = obj();
        o.putArray("architectures").add(withProjection ? "CLIPTextModelWithProjection" : "CLIPTextModel");
        o.put("attention_dropout", 0.0);
        // SDXL's configs keep these legacy ids (pooling then uses argmax(input_ids))
        o.put("bos_token_id", 0).put("eos_token_id", 2).put("pad_token_id", 1);
        o.put("dropout", 0.0).put("hidden_act", t.hiddenAct()).put("hidden_size", t.hiddenSize());
        o.put("initializer_factor", 1.0).put("initializer_range", 0.02).put("intermediate_size", t.intermediateSize());
        o.put("layer_norm_eps", t.layerNormEps()).put("max_position_embeddings", t.maxPositionEmbeddings());
        o.put("model_type", "clip_text_model").put("num_attention_heads", t.numAttentionHeads());
        o.put("num_hidden_layers", t.numHiddenLayers());
        o.put("projection_dim", t.projectionDim() > 0 ? t.projectionDim() : t.hiddenSize());
        o.put("torch_dtype", torchDtype).put("vocab_size", t.vocabSize());
        return o;
    }

    /** {@code model_index.json} of an SDXL diffusers folder, pretty-printed. */
    public static String modelIndexJson() {
        return pretty(modelIndex());
    }

    /** SDXL base's {@code scheduler_config.json}, pretty-printed. */
    public static String schedulerJson() {
        return pretty(scheduler());
    }

    /** A component's {@code config.json} for the given architecture, pretty-printed. */
    public static String configJson(SdxlArchitecture arch, Component c, String torchDtype) {
        return pretty(switch (c) {
            case UNET -> unet(arch.unet());
            case VAE -> vae(arch.vae());
            case TEXT_ENCODER -> clip(arch.textEncoder(), false, torchDtype);
            case TEXT_ENCODER_2 -> clip(arch.textEncoder2(), true, torchDtype);
        });
    }

    static String pretty(com.fasterxml.jackson.databind.JsonNode n) {
        try {
            return SafetensorsFile.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n) + "\n";
        } catch (java.io.IOException e) {
            throw new dev.animagine.core.AnimagineException("cannot format JSON: " + e.getMessage());
        }
    }
}
