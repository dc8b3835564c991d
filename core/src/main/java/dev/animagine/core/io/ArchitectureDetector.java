package dev.animagine.core.io;

import com.fasterxml.jackson.databind.JsonNode;
import dev.animagine.core.AnimagineException;
import dev.animagine.core.tensor.StoredTensor;
import dev.animagine.core.text.ClipTextConfig;
import dev.animagine.core.unet.UNetConfig;
import dev.animagine.core.vae.VaeConfig;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads an SDXL architecture off the weights (diffusers names), as ComfyUI does: levels and their
 * channels, resnets per level, transformer depth per level, which levels attend, context width,
 * add-time width, VAE levels and latent channels, text-tower widths, depths, MLP widths, vocabulary,
 * positions and projection. What weights cannot show comes from {@code config.json} when there is
 * one (attention heads, activation, norm groups, eps, VAE scaling factor) and otherwise from SDXL's
 * conventions: head size 64 in the UNet and both CLIP towers, quick_gelu for CLIP-L, gelu for bigG.
 * A config that contradicts the weights is an error (it belongs to another model).
 */
public final class ArchitectureDetector {
    /** SDXL's attention head size, in the UNet and both text towers. */
    public static final int SDXL_HEAD_DIM = 64;

    private final Map<Component, Map<String, StoredTensor>> weights;
    private final ComponentConfigs configs;
    private final String origin;
    /** What the weights cannot tell, one sentence each (the value is 0 in the config). */
    private final List<String> unknown = new ArrayList<>();

    private ArchitectureDetector(Map<Component, Map<String, StoredTensor>> weights, ComponentConfigs configs, String origin) {
        this.weights = weights;
        this.configs = configs;
        this.origin = origin;
    }

    /**
     * @param weights per component, tensors by diffusers name (all four components present)
     * @param configs config.json per component where available
     * @param origin  the checkpoint, for messages
     */
    public static SdxlArchitecture detect(Map<Component, Map<String, StoredTensor>> weights, ComponentConfigs configs, String origin) {
        ArchitectureDetector d = new ArchitectureDetector(weights, configs, origin);
        ClipTextConfig te1 = d.clip(Component.TEXT_ENCODER, "quick_gelu");
        ClipTextConfig te2 = d.clip(Component.TEXT_ENCODER_2, "gelu");
        if (te2.projectionDim() == 0)
            throw new AnimagineException(origin + ": text_encoder_2 has no text projection (text_projection.weight); "
                    + "SDXL's second text encoder needs one for the pooled embedding");
        UNetConfig unet = d.unet(te2.projectionDim());
        VaeConfig vae = d.vae();
        SdxlArchitecture arch = new SdxlArchitecture(unet, vae, te1, te2, d.unknown);
        checkConsistent(arch, origin);
        return arch;
    }

    /** Only the VAE (for an external {@code --vae} file). */
    public static VaeConfig detectVae(Map<String, StoredTensor> vae, ComponentConfigs configs, String origin) {
        return new ArchitectureDetector(Map.of(Component.VAE, vae), configs, origin).vae();
    }

    /** The parts must fit together: text widths feed the UNet's cross-attention, latents its input. */
    static void checkConsistent(SdxlArchitecture a, String origin) {
        int ctx = a.textEncoder().hiddenSize() + a.textEncoder2().hiddenSize();
        if (ctx != a.unet().crossAttentionDim())
            throw new AnimagineException(origin + ": the text encoders' widths (" + a.textEncoder().hiddenSize() + " + "
                    + a.textEncoder2().hiddenSize() + ") do not add up to the UNet's cross-attention width "
                    + a.unet().crossAttentionDim() + " (parts of different models?)");
        if (a.vae().latentChannels() != a.unet().inChannels())
            throw new AnimagineException(origin + ": the VAE has " + a.vae().latentChannels() + " latent channels but the UNet takes "
                    + a.unet().inChannels() + " (VAE of a different model?)");
    }

    // ---- UNet ----------------------------------------------------------------------------------

    private UNetConfig unet(int pooledDim) {
        Component c = Component.UNET;
        Map<String, StoredTensor> w = weights.get(c);
        Optional<JsonNode> cfg = configs.get(c);
        if (!w.containsKey("add_embedding.linear_1.weight"))
            throw new AnimagineException(origin + ": the UNet has no add_embedding (SDXL's text_time conditioning): "
                    + "not an SDXL UNet (Stable Diffusion 1.x/2.x?)");
        long[] convIn = shape(c, "conv_in.weight");
        int inChannels = dim(convIn, 1), c0 = dim(convIn, 0);
        int outChannels = dim(shape(c, "conv_out.weight"), 0);
        int levels = countIndices(w, "down_blocks.");
        if (levels < 1) throw missing(c, "down_blocks.0.*");
        int lpb = countIndices(w, "down_blocks.0.resnets.");
        List<Integer> channels = new ArrayList<>(), depth = new ArrayList<>();
        List<Boolean> cross = new ArrayList<>();
        int context = -1;
        Boolean linear = null;
        for (int i = 0; i < levels; i++) {
            String p = "down_blocks." + i + ".";
            if (countIndices(w, p + "resnets.") != lpb)
                throw new AnimagineException(origin + ": UNet level " + i + " has " + countIndices(w, p + "resnets.")
                        + " resnets but level 0 has " + lpb + " (unsupported UNet layout)");
            channels.add(dim(shape(c, p + "resnets.0.conv2.weight"), 0));
            boolean attn = w.containsKey(p + "attentions.0.proj_in.weight");
            cross.add(attn);
            if (!attn) {
                depth.add(1); // diffusers' placeholder for levels without attention
                continue;
            }
            int d = countIndices(w, p + "attentions.0.transformer_blocks.");
            depth.add(d);
            for (String blk : new String[] {p + "attentions.", "up_blocks." + (levels - 1 - i) + ".attentions."}) {
                int n = countIndices(w, blk);
                for (int j = 0; j < n; j++) {
                    int dj = countIndices(w, blk + j + ".transformer_blocks.");
                    if (dj != d)
                        throw new AnimagineException(origin + ": UNet " + blk + j + " has " + dj + " transformer blocks, "
                                + p + "attentions.0 has " + d + " (unsupported: one depth per level)");
                }
            }
            int ctx = dim(shape(c, p + "attentions.0.transformer_blocks.0.attn2.to_k.weight"), 1);
            if (context >= 0 && ctx != context)
                throw new AnimagineException(origin + ": UNet cross-attention widths differ between levels (" + context + " vs " + ctx + ")");
            context = ctx;
            linear = shape(c, p + "attentions.0.proj_in.weight").length == 2;
        }
        if (context < 0) throw missing(c, "down_blocks.*.attentions.0.transformer_blocks.0.attn2.to_k.weight (no cross-attention)");
        int midDepth = countIndices(w, "mid_block.attentions.0.transformer_blocks.");
        if (midDepth != depth.getLast())
            throw new AnimagineException(origin + ": the UNet mid block has " + midDepth + " transformer blocks but the last level has "
                    + depth.getLast() + " (unsupported UNet layout)");
        int adm = dim(shape(c, "add_embedding.linear_1.weight"), 1);
        int addTime;
        if (cfg.isPresent() && cfg.get().path("addition_time_embed_dim").isInt()) {
            addTime = cfg.get().get("addition_time_embed_dim").asInt();
            if (pooledDim + 6 * addTime != adm)
                throw new AnimagineException(origin + ": add_embedding takes " + adm + " inputs but the pooled text width " + pooledDim
                        + " + 6 x addition_time_embed_dim " + addTime + " (" + configs.source(c) + ") is " + (pooledDim + 6 * addTime));
        } else {
            if (adm <= pooledDim || (adm - pooledDim) % 6 != 0)
                throw new AnimagineException(origin + ": add_embedding takes " + adm + " inputs, which is not the pooled text width "
                        + pooledDim + " plus six size/crop embeddings (text encoder 2 of a different model?)");
            addTime = (adm - pooledDim) / 6;
        }
        int groups = cfg.map(j -> j.path("norm_num_groups").asInt(32)).orElse(32);
        List<Integer> heads = unetHeads(channels, cross, cfg);
        if (cfg.isPresent()) {
            JsonNode j = cfg.get();
            agree(c, "block_out_channels", j.get("block_out_channels"), channels);
            agree(c, "layers_per_block", j.get("layers_per_block"), lpb);
            agree(c, "cross_attention_dim", j.get("cross_attention_dim"), context);
            agree(c, "in_channels", j.get("in_channels"), inChannels);
            agree(c, "out_channels", j.get("out_channels"), outChannels);
            JsonNode tl = j.get("transformer_layers_per_block");
            if (tl != null && tl.isArray() && tl.size() == levels)
                for (int i = 0; i < levels; i++)
                    if (cross.get(i)) agree(c, "transformer_layers_per_block[" + i + "]", tl.get(i), depth.get(i));
        }
        if (c0 != channels.getFirst())
            throw new AnimagineException(origin + ": UNet conv_in has " + c0 + " channels but level 0 has " + channels.getFirst());
        return new UNetConfig(inChannels, outChannels, List.copyOf(channels), lpb, List.copyOf(depth), heads, List.copyOf(cross),
                context, addTime, adm, groups, linear);
    }

    /** Heads per level: config (diffusers' {@code attention_head_dim} holds heads for SDXL), else width / 64. */
    private List<Integer> unetHeads(List<Integer> channels, List<Boolean> cross, Optional<JsonNode> cfg) {
        int n = channels.size();
        if (cfg.isPresent()) {
            JsonNode j = cfg.get();
            JsonNode h = j.hasNonNull("num_attention_heads") ? j.get("num_attention_heads") : j.get("attention_head_dim");
            if (h != null && (h.isInt() || (h.isArray() && h.size() == n))) {
                List<Integer> heads = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    int v = h.isInt() ? h.asInt() : h.get(i).asInt();
                    if (cross.get(i) && (v <= 0 || channels.get(i) % v != 0))
                        throw new AnimagineException(configs.source(Component.UNET) + ": " + v + " attention heads do not divide level "
                                + i + "'s " + channels.get(i) + " channels");
                    heads.add(v);
                }
                return List.copyOf(heads);
            }
        }
        List<Integer> heads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int ch = channels.get(i);
            if (ch % SDXL_HEAD_DIM != 0 && cross.get(i)) {
                unknown.add(needConfig(Component.UNET, "level " + i + " width " + ch));
                heads.add(0);
                continue;
            }
            heads.add(Math.max(1, ch / SDXL_HEAD_DIM));
        }
        return List.copyOf(heads);
    }

    // ---- VAE -----------------------------------------------------------------------------------

    private VaeConfig vae() {
        Component c = Component.VAE;
        Map<String, StoredTensor> w = weights.get(c);
        Optional<JsonNode> cfg = configs.get(c);
        int levels = countIndices(w, "encoder.down_blocks.");
        if (levels < 1) throw missing(c, "encoder.down_blocks.0.*");
        int lpb = countIndices(w, "encoder.down_blocks.0.resnets.");
        List<Integer> channels = new ArrayList<>();
        for (int i = 0; i < levels; i++) channels.add(dim(shape(c, "encoder.down_blocks." + i + ".resnets.0.conv2.weight"), 0));
        int in = dim(shape(c, "encoder.conv_in.weight"), 1);
        int out = dim(shape(c, "decoder.conv_out.weight"), 0);
        int latent = dim(shape(c, "post_quant_conv.weight"), 0);
        int groups = cfg.map(j -> j.path("norm_num_groups").asInt(32)).orElse(32);
        double scaling = cfg.map(j -> j.path("scaling_factor").asDouble(VaeConfig.SDXL_SCALING_FACTOR)).orElse(VaeConfig.SDXL_SCALING_FACTOR);
        if (cfg.isPresent()) {
            agree(c, "block_out_channels", cfg.get().get("block_out_channels"), channels);
            agree(c, "latent_channels", cfg.get().get("latent_channels"), latent);
            agree(c, "layers_per_block", cfg.get().get("layers_per_block"), lpb);
        }
        return new VaeConfig(in, out, latent, List.copyOf(channels), lpb, groups, scaling);
    }

    // ---- text encoders -------------------------------------------------------------------------

    private ClipTextConfig clip(Component c, String defaultAct) {
        Map<String, StoredTensor> w = weights.get(c);
        Optional<JsonNode> cfg = configs.get(c);
        long[] tok = shape(c, "text_model.embeddings.token_embedding.weight");
        int vocab = dim(tok, 0), width = dim(tok, 1);
        int positions = dim(shape(c, "text_model.embeddings.position_embedding.weight"), 0);
        int layers = countIndices(w, "text_model.encoder.layers.");
        if (layers < 1) throw missing(c, "text_model.encoder.layers.0.*");
        int mlp = dim(shape(c, "text_model.encoder.layers.0.mlp.fc1.weight"), 0);
        int proj = w.containsKey("text_projection.weight") ? dim(shape(c, "text_projection.weight"), 0) : 0;
        int heads;
        String act = defaultAct;
        double eps = 1e-5;
        if (cfg.isPresent()) {
            JsonNode j = cfg.get();
            agree(c, "hidden_size", j.get("hidden_size"), width);
            agree(c, "num_hidden_layers", j.get("num_hidden_layers"), layers);
            agree(c, "intermediate_size", j.get("intermediate_size"), mlp);
            agree(c, "vocab_size", j.get("vocab_size"), vocab);
            agree(c, "max_position_embeddings", j.get("max_position_embeddings"), positions);
            heads = j.path("num_attention_heads").asInt(0);
            act = j.path("hidden_act").asText(defaultAct);
            eps = j.path("layer_norm_eps").asDouble(1e-5);
            if (heads <= 0 || width % heads != 0)
                throw new AnimagineException(configs.source(c) + ": num_attention_heads " + j.path("num_attention_heads")
                        + " does not divide the width " + width);
        } else {
            boolean known = width % SDXL_HEAD_DIM == 0;
            if (!known) unknown.add(needConfig(c, "width " + width));
            heads = known ? width / SDXL_HEAD_DIM : 0;
        }
        return new ClipTextConfig(vocab, width, mlp, layers, heads, positions, act, eps, proj);
    }

    // ---- helpers -------------------------------------------------------------------------------

    private long[] shape(Component c, String name) {
        StoredTensor t = weights.get(c).get(name);
        if (t == null) throw missing(c, name);
        return t.shape();
    }

    private int dim(long[] shape, int i) {
        if (i >= shape.length || shape[i] <= 0 || shape[i] > Integer.MAX_VALUE)
            throw new AnimagineException(origin + ": unexpected weight shape " + Arrays.toString(shape));
        return (int) shape[i];
    }

    private AnimagineException missing(Component c, String name) {
        return new AnimagineException(origin + ": " + c.folder() + " weight '" + name + "' is missing (incomplete or not an SDXL checkpoint?)");
    }

    private String needConfig(Component c, String what) {
        return (origin + ": cannot tell the " + c.folder() + "'s attention heads (" + what
                + " is not a multiple of SDXL's head size 64) and there is no config.json; pass --config DIR, "
                + "a diffusers folder of the same architecture whose config.json files give the heads");
    }

    private void agree(Component c, String key, JsonNode configured, Object detected) {
        if (configured == null || configured.isNull()) return;
        String cv = configured.isArray() || configured.isNumber() ? configured.toString().replace(" ", "") : configured.asText();
        String dv = detected.toString().replace(" ", "");
        if (!cv.equals(dv))
            throw new AnimagineException(configs.source(c) + ": " + key + " is " + cv + " but the weights of " + origin
                    + " have " + dv + " (config of a different architecture?)");
    }

    /**
     * Number of blocks N such that names {@code prefix + "0."} .. {@code prefix + (N-1) + "."} exist; a gap
     * is an error (so a stray high index cannot make the architecture, and its key list, huge).
     */
    private int countIndices(Map<String, StoredTensor> w, String prefix) {
        java.util.BitSet seen = new java.util.BitSet();
        for (String k : w.keySet()) {
            if (!k.startsWith(prefix)) continue;
            int dot = k.indexOf('.', prefix.length());
            int v = dot < 0 ? -1 : SgmToDiffusers.parse(k.substring(prefix.length(), dot));
            if (v >= 0) seen.set(v);
        }
        int n = seen.cardinality();
        if (n > 0 && seen.length() != n)
            throw new AnimagineException(origin + ": weights '" + prefix + seen.nextClearBit(0) + ".*' are missing (but '" + prefix
                    + (seen.length() - 1) + ".*' exist): incomplete or corrupt checkpoint");
        return n;
    }
}
