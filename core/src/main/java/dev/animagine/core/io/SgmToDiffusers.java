package dev.animagine.core.io;

import dev.animagine.core.AnimagineException;
import dev.animagine.core.tensor.StoredTensor;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renames the weights of an SGM/A1111 single-file checkpoint to diffusers/transformers names, by
 * rules rather than a key table: the block numbering is derived from the keys themselves (the
 * first {@code input_blocks.K.0.op} downsampler gives the resnets per level, the number of
 * {@code decoder.up.N} levels gives the VAE's reversed numbering). Fused OpenCLIP q;k;v become
 * three row slices of the same mapping, VAE 1x1-conv attention weights become [C, C] views; only
 * OpenCLIP's transposed {@code text_projection} (small) is copied.
 *
 * <p>Keys the rules do not know are returned as {@link Result#ignored()} (EMA copies, position_ids,
 * logit_scale, ...); whether what was found is a complete model is for the caller to check against
 * {@link SdxlKeys}.
 */
public final class SgmToDiffusers {
    /** Per component, the tensors under diffusers names; plus the keys that were left out. */
    public record Result(Map<Component, Map<String, StoredTensor>> components, List<String> ignored) {}

    private static final Pattern NUM = Pattern.compile("^(\\w+)\\.(\\d+)\\.(.*)$");

    private SgmToDiffusers() {}

    /** A whole checkpoint (VAE under {@code first_stage_model.}). */
    public static Result convert(Map<String, StoredTensor> file) {
        return convert(file, Component.VAE.sgmPrefix());
    }

    /**
     * @param vaePrefix prefix of the VAE keys: {@code first_stage_model.} inside a checkpoint, or
     *                  empty for a standalone SGM VAE file ({@code encoder.*}, {@code decoder.*})
     */
    public static Result convert(Map<String, StoredTensor> file, String vaePrefix) {
        Map<Component, Map<String, StoredTensor>> out = new EnumMap<>(Component.class);
        for (Component c : Component.values()) out.put(c, new LinkedHashMap<>());
        List<String> ignored = new ArrayList<>();
        UNetNumbering un = UNetNumbering.of(file.keySet(), Component.UNET.sgmPrefix());
        int vaeLevels = countIndices(file.keySet(), vaePrefix + "decoder.up.");
        Component vae = Component.VAE;
        for (Map.Entry<String, StoredTensor> e : file.entrySet()) {
            String key = e.getKey();
            StoredTensor t = e.getValue();
            Component c = null;
            String name = null;
            if (key.startsWith(Component.UNET.sgmPrefix())) {
                c = Component.UNET;
                name = un.rename(key.substring(Component.UNET.sgmPrefix().length()));
            } else if (key.startsWith(vaePrefix) && (key.startsWith(vaePrefix + "encoder.") || key.startsWith(vaePrefix + "decoder.")
                    || key.startsWith(vaePrefix + "quant_conv.") || key.startsWith(vaePrefix + "post_quant_conv."))) {
                c = vae;
                name = vaeName(key.substring(vaePrefix.length()), vaeLevels);
                // 1x1 convolution weights [C, C, 1, 1] are linear weights; any other shape is left for validation to report
                if (name != null && name.contains(".attentions.0.to_") && name.endsWith(".weight") && t.rank() == 4 && t.dim(2) == 1 && t.dim(3) == 1)
                    t = t.reshape(t.dim(0), t.dim(1));
            } else if (key.startsWith(Component.TEXT_ENCODER.sgmPrefix())) {
                c = Component.TEXT_ENCODER;
                String rest = key.substring(Component.TEXT_ENCODER.sgmPrefix().length());
                name = rest.startsWith("text_model.") && !rest.endsWith("position_ids") ? rest : null;
            } else if (key.startsWith(Component.TEXT_ENCODER_2.sgmPrefix())) {
                c = Component.TEXT_ENCODER_2;
                String rest = key.substring(Component.TEXT_ENCODER_2.sgmPrefix().length());
                if (rest.endsWith("attn.in_proj_weight") || rest.endsWith("attn.in_proj_bias")) {
                    if (splitQkv(rest, t, key, out.get(c))) continue;
                } else if (rest.equals("text_projection") && t.rank() == 2) {
                    out.get(c).put("text_projection.weight", transpose(t, "text_projection.weight", key));
                    continue;
                } else {
                    name = openClipName(rest);
                }
            }
            if (name == null) {
                ignored.add(key);
                continue;
            }
            out.get(c).put(name, new StoredTensor(name, t.dtype(), t.shape(), t.data(), t.origin() + " ['" + key + "']"));
        }
        return new Result(out, ignored);
    }

    // ---- UNet ----------------------------------------------------------------------------------

    /** input_blocks/output_blocks numbering: 1 + level * (L + 1) + j, with L resnets per level. */
    private record UNetNumbering(int layersPerBlock) {
        static UNetNumbering of(Iterable<String> keys, String prefix) {
            int firstDown = Integer.MAX_VALUE, maxInput = -1;
            Pattern op = Pattern.compile(Pattern.quote(prefix) + "input_blocks\\.(\\d+)\\.(\\d+)\\.(op\\.)?.*");
            for (String k : keys) {
                Matcher m = op.matcher(k);
                if (!m.matches()) continue;
                int b = parse(m.group(1));
                maxInput = Math.max(maxInput, b);
                if (m.group(3) != null) firstDown = Math.min(firstDown, b);
            }
            // without any downsampler the UNet has a single level holding every input block
            return new UNetNumbering(firstDown != Integer.MAX_VALUE ? firstDown - 1 : Math.max(maxInput, 1));
        }

        String rename(String k) {
            Matcher m = NUM.matcher(k);
            switch (k) {
                case String s when s.startsWith("time_embed.0.") -> { return "time_embedding.linear_1." + s.substring(13); }
                case String s when s.startsWith("time_embed.2.") -> { return "time_embedding.linear_2." + s.substring(13); }
                case String s when s.startsWith("label_emb.0.0.") -> { return "add_embedding.linear_1." + s.substring(14); }
                case String s when s.startsWith("label_emb.0.2.") -> { return "add_embedding.linear_2." + s.substring(14); }
                case String s when s.startsWith("out.0.") -> { return "conv_norm_out." + s.substring(6); }
                case String s when s.startsWith("out.2.") -> { return "conv_out." + s.substring(6); }
                default -> { }
            }
            if (!m.matches() || layersPerBlock < 1) return null;
            String block = m.group(1), rest = m.group(3);
            int b = parse(m.group(2));
            if (block.equals("middle_block")) {
                return switch (b) {
                    case 0 -> resnet("mid_block.resnets.0", rest);
                    case 1 -> "mid_block.attentions.0." + rest;
                    case 2 -> resnet("mid_block.resnets.1", rest);
                    default -> null;
                };
            }
            Matcher sub = NUM.matcher("x." + rest);
            if (!sub.matches() || b < 0) return null;
            int layer = parse(sub.group(2));
            String inner = sub.group(3);
            int per = layersPerBlock + 1;
            return switch (block) {
                case "input_blocks" -> {
                    if (b == 0) yield layer == 0 ? "conv_in." + inner : null;
                    int level = (b - 1) / per, j = (b - 1) % per;
                    if (j == layersPerBlock)
                        yield layer == 0 && inner.startsWith("op.") ? "down_blocks." + level + ".downsamplers.0.conv." + inner.substring(3) : null;
                    yield layer == 0 ? resnet("down_blocks." + level + ".resnets." + j, inner)
                            : layer == 1 ? "down_blocks." + level + ".attentions." + j + "." + inner : null;
                }
                case "output_blocks" -> {
                    int level = b / per, j = b % per;
                    if (layer == 0) yield resnet("up_blocks." + level + ".resnets." + j, inner);
                    // the upsampler follows the resnet (and the attention, when the level has one)
                    if (inner.startsWith("conv.")) yield "up_blocks." + level + ".upsamplers.0." + inner;
                    yield layer == 1 ? "up_blocks." + level + ".attentions." + j + "." + inner : null;
                }
                default -> null;
            };
        }

        private static String resnet(String prefix, String inner) {
            String[][] renames = {{"in_layers.0.", "norm1."}, {"in_layers.2.", "conv1."}, {"emb_layers.1.", "time_emb_proj."},
                    {"out_layers.0.", "norm2."}, {"out_layers.3.", "conv2."}, {"skip_connection.", "conv_shortcut."}};
            for (String[] r : renames) if (inner.startsWith(r[0])) return prefix + "." + r[1] + inner.substring(r[0].length());
            return null;
        }
    }

    // ---- VAE -----------------------------------------------------------------------------------

    static String vaeName(String k, int levels) {
        if (k.startsWith("quant_conv.") || k.startsWith("post_quant_conv.")) return k;
        String side = k.startsWith("encoder.") ? "encoder" : "decoder";
        String r = k.substring(side.length() + 1);
        if (r.startsWith("conv_in.") || r.startsWith("conv_out.")) return k;
        if (r.startsWith("norm_out.")) return side + ".conv_norm_out." + r.substring(9);
        if (r.startsWith("mid.")) {
            String m = r.substring(4);
            if (m.startsWith("block_1.")) return vaeResnet(side + ".mid_block.resnets.0", m.substring(8));
            if (m.startsWith("block_2.")) return vaeResnet(side + ".mid_block.resnets.1", m.substring(8));
            if (m.startsWith("attn_1.")) {
                String a = m.substring(7), p = side + ".mid_block.attentions.0.";
                String[][] renames = {{"norm.", "group_norm."}, {"q.", "to_q."}, {"k.", "to_k."}, {"v.", "to_v."}, {"proj_out.", "to_out.0."}};
                for (String[] x : renames) if (a.startsWith(x[0])) return p + x[1] + a.substring(x[0].length());
            }
            return null;
        }
        String levelWord = side.equals("encoder") ? "down." : "up.";
        if (!r.startsWith(levelWord)) return null;
        Matcher m = NUM.matcher(r);
        if (!m.matches()) return null;
        int level = parse(m.group(2));
        if (level < 0) return null;
        // SGM counts decoder levels from the output (up.0 is the last, full-resolution one)
        int block = side.equals("encoder") ? level : levels - 1 - level;
        if (block < 0) return null;
        String prefix = side + (side.equals("encoder") ? ".down_blocks." : ".up_blocks.") + block;
        String rest = m.group(3);
        Matcher b = NUM.matcher(rest);
        if (b.matches() && b.group(1).equals("block") && parse(b.group(2)) >= 0)
            return vaeResnet(prefix + ".resnets." + parse(b.group(2)), b.group(3));
        if (rest.startsWith("downsample.conv.") || rest.startsWith("upsample.conv."))
            return prefix + (side.equals("encoder") ? ".downsamplers.0.conv." : ".upsamplers.0.conv.") + rest.substring(rest.indexOf("conv.") + 5);
        return null;
    }

    private static String vaeResnet(String prefix, String inner) {
        if (inner.startsWith("nin_shortcut.")) return prefix + ".conv_shortcut." + inner.substring(13);
        for (String p : new String[] {"norm1.", "norm2.", "conv1.", "conv2."})
            if (inner.startsWith(p)) return prefix + "." + inner;
        return null;
    }

    // ---- OpenCLIP ------------------------------------------------------------------------------

    static String openClipName(String k) {
        switch (k) {
            case "token_embedding.weight": return "text_model.embeddings.token_embedding.weight";
            case "positional_embedding": return "text_model.embeddings.position_embedding.weight";
            case "ln_final.weight": return "text_model.final_layer_norm.weight";
            case "ln_final.bias": return "text_model.final_layer_norm.bias";
            case "text_projection.weight": return "text_projection.weight"; // already a linear weight [proj, w]
            default: break;
        }
        if (!k.startsWith("transformer.resblocks.")) return null;
        Matcher m = NUM.matcher(k.substring("transformer.".length()));
        if (!m.matches() || parse(m.group(2)) < 0) return null;
        String p = "text_model.encoder.layers." + parse(m.group(2)) + ".", r = m.group(3);
        String[][] renames = {{"ln_1.", "layer_norm1."}, {"ln_2.", "layer_norm2."}, {"attn.out_proj.", "self_attn.out_proj."},
                {"mlp.c_fc.", "mlp.fc1."}, {"mlp.c_proj.", "mlp.fc2."}};
        for (String[] x : renames) if (r.startsWith(x[0])) return p + x[1] + r.substring(x[0].length());
        return null;
    }

    private static boolean splitQkv(String rest, StoredTensor t, String key, Map<String, StoredTensor> into) {
        Matcher m = NUM.matcher(rest.substring("transformer.".length()));
        if (!rest.startsWith("transformer.resblocks.") || !m.matches() || parse(m.group(2)) < 0) return false;
        if (t.rank() < 1 || t.dim(0) % 3 != 0 || t.dim(0) == 0)
            throw new AnimagineException(t.origin() + ": tensor '" + key + "' has shape " + java.util.Arrays.toString(t.shape())
                    + "; a fused q;k;v projection needs a first dimension divisible by 3");
        String p = "text_model.encoder.layers." + parse(m.group(2)) + ".self_attn.";
        String kind = rest.endsWith("weight") ? ".weight" : ".bias";
        long n = t.dim(0) / 3;
        String[] parts = {"q_proj", "k_proj", "v_proj"};
        for (int i = 0; i < 3; i++) {
            String name = p + parts[i] + kind;
            StoredTensor s = t.sliceRows(name, i * n, (i + 1) * n);
            into.put(name, new StoredTensor(name, s.dtype(), s.shape(), s.data(), t.origin() + " ['" + key + "' rows " + i * n + ".." + (i + 1) * n + "]"));
        }
        return true;
    }

    /** A heap copy of a 2-D tensor, transposed, in the same dtype. */
    static StoredTensor transpose(StoredTensor t, String name, String key) {
        long rows = t.dim(0), cols = t.dim(1);
        int es = t.dtype().byteSize();
        if (t.data().byteSize() > Integer.MAX_VALUE - 8)
            throw new AnimagineException(t.origin() + ": tensor '" + key + "' is too large to transpose");
        MemorySegment dst = MemorySegment.ofArray(new byte[(int) t.data().byteSize()]);
        for (long r = 0; r < rows; r++)
            for (long c = 0; c < cols; c++)
                MemorySegment.copy(t.data(), (r * cols + c) * es, dst, (c * rows + r) * es, es);
        return new StoredTensor(name, t.dtype(), new long[] {cols, rows}, dst, t.origin() + " ['" + key + "' transposed]");
    }

    // ---- small helpers -------------------------------------------------------------------------

    /** Number of distinct N in keys starting with {@code prefix + "N."}. */
    static int countIndices(Iterable<String> keys, String prefix) {
        TreeSet<Integer> seen = new TreeSet<>();
        for (String k : keys) {
            if (!k.startsWith(prefix)) continue;
            int dot = k.indexOf('.', prefix.length());
            if (dot < 0) continue;
            int v = parse(k.substring(prefix.length(), dot));
            if (v >= 0) seen.add(v);
        }
        return seen.isEmpty() ? 0 : seen.last() + 1;
    }

    /** A small non-negative decimal, or -1 (also for absurdly long numbers in a hostile file). */
    static int parse(String s) {
        if (s.isEmpty() || s.length() > 6) return -1;
        int v = 0;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch < '0' || ch > '9') return -1;
            v = v * 10 + (ch - '0');
        }
        return v;
    }
}
