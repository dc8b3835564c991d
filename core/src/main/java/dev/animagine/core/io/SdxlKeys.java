package dev.animagine.core.io;

import dev.animagine.core.io.TensorSpec.SgmForm;
import dev.animagine.core.text.ClipTextConfig;
import dev.animagine.core.unet.UNetConfig;
import dev.animagine.core.vae.VaeConfig;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every weight of an SDXL architecture, by diffusers/transformers name and shape, with its key in
 * an SGM/A1111 single file. Generated from the architecture (levels, resnets per level, transformer
 * depths, widths), following the module structure of diffusers' {@code UNet2DConditionModel} and
 * {@code AutoencoderKL}, transformers' {@code CLIPTextModel(WithProjection)}, and the renames of
 * diffusers' {@code convert_diffusers_to_original_sdxl.py} for the single-file side.
 *
 * <p>Used to validate a loaded checkpoint (every weight present with its shape), to count
 * parameters, and to write random checkpoints in either layout.
 */
public final class SdxlKeys {
    private final List<TensorSpec> specs = new ArrayList<>();
    private Component component;

    private SdxlKeys() {}

    /** All weights of {@code arch}, component by component (unet, vae, text_encoder, text_encoder_2). */
    public static List<TensorSpec> of(SdxlArchitecture arch) {
        List<TensorSpec> all = new ArrayList<>();
        for (Component c : Component.values()) all.addAll(of(arch, c));
        return all;
    }

    public static List<TensorSpec> of(SdxlArchitecture arch, Component c) {
        SdxlKeys k = new SdxlKeys();
        k.component = c;
        switch (c) {
            case UNET -> k.unet(arch.unet());
            case VAE -> k.vae(arch.vae());
            case TEXT_ENCODER -> k.clipHf(arch.textEncoder());
            case TEXT_ENCODER_2 -> k.clipOpenClip(arch.textEncoder2());
        }
        return List.copyOf(k.specs);
    }

    /** The specs of one component by diffusers name. */
    public static Map<String, TensorSpec> byName(SdxlArchitecture arch, Component c) {
        Map<String, TensorSpec> m = new LinkedHashMap<>();
        for (TensorSpec s : of(arch, c)) m.put(s.name(), s);
        return m;
    }

    public static long parameterCount(SdxlArchitecture arch, Component c) {
        long n = 0;
        for (TensorSpec s : of(arch, c)) n += s.numel();
        return n;
    }

    // ---- helpers -------------------------------------------------------------------------

    private void add(String name, String sgm, SgmForm form, int part, long... shape) {
        specs.add(new TensorSpec(component, name, shape, component.sgmPrefix() + sgm, form, part));
    }

    private void add(String name, String sgm, long... shape) {
        add(name, sgm, SgmForm.SAME, 0, shape);
    }

    /** weight + bias of a layer whose weight has {@code shape} (bias: shape[0]). */
    private void layer(String name, String sgm, long... shape) {
        add(name + ".weight", sgm + ".weight", shape);
        add(name + ".bias", sgm + ".bias", shape[0]);
    }

    private void norm(String name, String sgm, long channels) {
        layer(name, sgm, channels);
    }

    private static long[] conv3(long out, long in) {
        return new long[] {out, in, 3, 3};
    }

    // ---- UNet ------------------------------------------------------------------------------

    private void unet(UNetConfig u) {
        int n = u.levels(), lpb = u.layersPerBlock();
        long c0 = u.blockOutChannels().getFirst(), t = u.timeEmbedDim();
        String ib = "input_blocks.", ob = "output_blocks.";
        layer("conv_in", ib + "0.0", conv3(c0, u.inChannels()));
        layer("time_embedding.linear_1", "time_embed.0", t, c0);
        layer("time_embedding.linear_2", "time_embed.2", t, t);
        layer("add_embedding.linear_1", "label_emb.0.0", t, u.projectionClassEmbeddingsInputDim());
        layer("add_embedding.linear_2", "label_emb.0.2", t, t);

        long out = c0;
        for (int i = 0; i < n; i++) {
            long in = out;
            out = u.blockOutChannels().get(i);
            for (int j = 0; j < lpb; j++) {
                int k = 1 + i * (lpb + 1) + j;
                unetResnet("down_blocks." + i + ".resnets." + j, ib + k + ".0", j == 0 ? in : out, out, t);
                if (u.crossAttention().get(i))
                    transformer("down_blocks." + i + ".attentions." + j, ib + k + ".1", out,
                            u.transformerLayersPerBlock().get(i), u.crossAttentionDim(), u.useLinearProjection());
            }
            if (i < n - 1)
                layer("down_blocks." + i + ".downsamplers.0.conv", ib + ((i + 1) * (lpb + 1)) + ".0.op", conv3(out, out));
        }

        long cl = u.blockOutChannels().getLast();
        unetResnet("mid_block.resnets.0", "middle_block.0", cl, cl, t);
        transformer("mid_block.attentions.0", "middle_block.1", cl, u.transformerLayersPerBlock().getLast(),
                u.crossAttentionDim(), u.useLinearProjection());
        unetResnet("mid_block.resnets.1", "middle_block.2", cl, cl, t);

        long prev = cl;
        for (int up = 0; up < n; up++) {
            int level = n - 1 - up;
            long o = u.blockOutChannels().get(level);
            long skipIn = u.blockOutChannels().get(Math.max(level - 1, 0));
            boolean attn = u.crossAttention().get(level);
            for (int j = 0; j <= lpb; j++) {
                int k = up * (lpb + 1) + j;
                long resIn = (j == 0 ? prev : o) + (j == lpb ? skipIn : o);
                unetResnet("up_blocks." + up + ".resnets." + j, ob + k + ".0", resIn, o, t);
                if (attn)
                    transformer("up_blocks." + up + ".attentions." + j, ob + k + ".1", o,
                            u.transformerLayersPerBlock().get(level), u.crossAttentionDim(), u.useLinearProjection());
            }
            if (up < n - 1)
                layer("up_blocks." + up + ".upsamplers.0.conv", ob + (up * (lpb + 1) + lpb) + "." + (attn ? 2 : 1) + ".conv", conv3(o, o));
            prev = o;
        }
        norm("conv_norm_out", "out.0", c0);
        layer("conv_out", "out.2", conv3(u.outChannels(), c0));
    }

    private void unetResnet(String name, String sgm, long in, long out, long temb) {
        norm(name + ".norm1", sgm + ".in_layers.0", in);
        layer(name + ".conv1", sgm + ".in_layers.2", conv3(out, in));
        layer(name + ".time_emb_proj", sgm + ".emb_layers.1", out, temb);
        norm(name + ".norm2", sgm + ".out_layers.0", out);
        layer(name + ".conv2", sgm + ".out_layers.3", conv3(out, out));
        if (in != out) layer(name + ".conv_shortcut", sgm + ".skip_connection", out, in, 1, 1);
    }

    /** diffusers' Transformer2DModel (SGM's SpatialTransformer): same parameter names on both sides. */
    private void transformer(String name, String sgm, long c, int depth, long context, boolean linear) {
        norm(name + ".norm", sgm + ".norm", c);
        long[] proj = linear ? new long[] {c, c} : new long[] {c, c, 1, 1};
        layer(name + ".proj_in", sgm + ".proj_in", proj);
        for (int b = 0; b < depth; b++) {
            String p = ".transformer_blocks." + b;
            String dn = name + p, sn = sgm + p;
            norm(dn + ".norm1", sn + ".norm1", c);
            attention(dn + ".attn1", sn + ".attn1", c, c);
            norm(dn + ".norm2", sn + ".norm2", c);
            attention(dn + ".attn2", sn + ".attn2", c, context);
            norm(dn + ".norm3", sn + ".norm3", c);
            // GEGLU: one projection to 2 x 4c (value and gate), then 4c -> c
            layer(dn + ".ff.net.0.proj", sn + ".ff.net.0.proj", 8 * c, c);
            layer(dn + ".ff.net.2", sn + ".ff.net.2", c, 4 * c);
        }
        layer(name + ".proj_out", sgm + ".proj_out", proj);
    }

    private void attention(String name, String sgm, long c, long kvIn) {
        add(name + ".to_q.weight", sgm + ".to_q.weight", c, c);
        add(name + ".to_k.weight", sgm + ".to_k.weight", c, kvIn);
        add(name + ".to_v.weight", sgm + ".to_v.weight", c, kvIn);
        layer(name + ".to_out.0", sgm + ".to_out.0", c, c);
    }

    // ---- VAE -------------------------------------------------------------------------------

    private void vae(VaeConfig v) {
        int n = v.blockOutChannels().size(), lpb = v.layersPerBlock();
        long c0 = v.blockOutChannels().getFirst(), cl = v.blockOutChannels().getLast(), z = v.latentChannels();

        layer("encoder.conv_in", "encoder.conv_in", conv3(c0, v.inChannels()));
        long out = c0;
        for (int i = 0; i < n; i++) {
            long in = out;
            out = v.blockOutChannels().get(i);
            for (int j = 0; j < lpb; j++)
                vaeResnet("encoder.down_blocks." + i + ".resnets." + j, "encoder.down." + i + ".block." + j, j == 0 ? in : out, out);
            if (i < n - 1)
                layer("encoder.down_blocks." + i + ".downsamplers.0.conv", "encoder.down." + i + ".downsample.conv", conv3(out, out));
        }
        vaeMid("encoder", cl);
        norm("encoder.conv_norm_out", "encoder.norm_out", cl);
        layer("encoder.conv_out", "encoder.conv_out", conv3(2 * z, cl));
        layer("quant_conv", "quant_conv", 2 * z, 2 * z, 1, 1);
        layer("post_quant_conv", "post_quant_conv", z, z, 1, 1);

        layer("decoder.conv_in", "decoder.conv_in", conv3(cl, z));
        vaeMid("decoder", cl);
        long prev = cl;
        for (int up = 0; up < n; up++) {
            int level = n - 1 - up; // SGM numbers decoder levels from the output side
            long o = v.blockOutChannels().get(level);
            for (int j = 0; j <= lpb; j++)
                vaeResnet("decoder.up_blocks." + up + ".resnets." + j, "decoder.up." + level + ".block." + j, j == 0 ? prev : o, o);
            if (up < n - 1)
                layer("decoder.up_blocks." + up + ".upsamplers.0.conv", "decoder.up." + level + ".upsample.conv", conv3(o, o));
            prev = o;
        }
        norm("decoder.conv_norm_out", "decoder.norm_out", c0);
        layer("decoder.conv_out", "decoder.conv_out", conv3(v.outChannels(), c0));
    }

    private void vaeResnet(String name, String sgm, long in, long out) {
        norm(name + ".norm1", sgm + ".norm1", in);
        layer(name + ".conv1", sgm + ".conv1", conv3(out, in));
        norm(name + ".norm2", sgm + ".norm2", out);
        layer(name + ".conv2", sgm + ".conv2", conv3(out, out));
        if (in != out) layer(name + ".conv_shortcut", sgm + ".nin_shortcut", out, in, 1, 1);
    }

    private void vaeMid(String side, long c) {
        String d = side + ".mid_block.", s = side + ".mid.";
        vaeResnet(d + "resnets.0", s + "block_1", c, c);
        norm(d + "attentions.0.group_norm", s + "attn_1.norm", c);
        for (String[] qkv : new String[][] {{"to_q", "q"}, {"to_k", "k"}, {"to_v", "v"}, {"to_out.0", "proj_out"}}) {
            add(d + "attentions.0." + qkv[0] + ".weight", s + "attn_1." + qkv[1] + ".weight", SgmForm.CONV_1X1, 0, c, c);
            add(d + "attentions.0." + qkv[0] + ".bias", s + "attn_1." + qkv[1] + ".bias", c);
        }
        vaeResnet(d + "resnets.1", s + "block_2", c, c);
    }

    // ---- text encoders -----------------------------------------------------------------------

    /** CLIP ViT-L (text_encoder): the single file keeps transformers' layout under its prefix. */
    private void clipHf(ClipTextConfig t) {
        long w = t.hiddenSize(), m = t.intermediateSize();
        String e = "text_model.embeddings.";
        add(e + "token_embedding.weight", e + "token_embedding.weight", t.vocabSize(), w);
        add(e + "position_embedding.weight", e + "position_embedding.weight", t.maxPositionEmbeddings(), w);
        for (int l = 0; l < t.numHiddenLayers(); l++) {
            String p = "text_model.encoder.layers." + l + ".";
            for (String proj : new String[] {"k_proj", "v_proj", "q_proj", "out_proj"})
                layer(p + "self_attn." + proj, p + "self_attn." + proj, w, w);
            norm(p + "layer_norm1", p + "layer_norm1", w);
            layer(p + "mlp.fc1", p + "mlp.fc1", m, w);
            layer(p + "mlp.fc2", p + "mlp.fc2", w, m);
            norm(p + "layer_norm2", p + "layer_norm2", w);
        }
        norm("text_model.final_layer_norm", "text_model.final_layer_norm", w);
        if (t.projectionDim() > 0) add("text_projection.weight", "text_projection.weight", t.projectionDim(), w);
    }

    /** OpenCLIP ViT-bigG (text_encoder_2): OpenCLIP names, fused q;k;v, transposed projection. */
    private void clipOpenClip(ClipTextConfig t) {
        long w = t.hiddenSize(), m = t.intermediateSize();
        String e = "text_model.embeddings.";
        add(e + "token_embedding.weight", "token_embedding.weight", t.vocabSize(), w);
        add(e + "position_embedding.weight", "positional_embedding", t.maxPositionEmbeddings(), w);
        for (int l = 0; l < t.numHiddenLayers(); l++) {
            String p = "text_model.encoder.layers." + l + ".", s = "transformer.resblocks." + l + ".";
            String[] qkv = {"q_proj", "k_proj", "v_proj"};
            for (int part = 0; part < 3; part++) {
                add(p + "self_attn." + qkv[part] + ".weight", s + "attn.in_proj_weight", SgmForm.QKV, part, w, w);
                add(p + "self_attn." + qkv[part] + ".bias", s + "attn.in_proj_bias", SgmForm.QKV, part, w);
            }
            layer(p + "self_attn.out_proj", s + "attn.out_proj", w, w);
            norm(p + "layer_norm1", s + "ln_1", w);
            layer(p + "mlp.fc1", s + "mlp.c_fc", m, w);
            layer(p + "mlp.fc2", s + "mlp.c_proj", w, m);
            norm(p + "layer_norm2", s + "ln_2", w);
        }
        norm("text_model.final_layer_norm", "ln_final", w);
        if (t.projectionDim() > 0)
            add("text_projection.weight", "text_projection", SgmForm.TRANSPOSED, 0, t.projectionDim(), w);
    }
}
