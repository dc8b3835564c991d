package dev.animagine.core.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.animagine.core.io.SafetensorsFile;
import dev.animagine.core.io.Weights;
import dev.animagine.core.text.ClipTextConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test-only access to the components of a diffusers folder until the checkpoint loader lands. */
public final class DiffusersComponents {
    private DiffusersComponents() {}

    public static Weights weights(Path folder, String component) {
        try (var s = Files.list(folder.resolve(component))) {
            Path f = s.filter(p -> p.toString().endsWith(".safetensors")).findFirst().orElseThrow();
            return new Weights(component, f.toString(), SafetensorsFile.open(f).tensors());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode config(Path folder, String component) {
        try {
            return new ObjectMapper().readTree(folder.resolve(component).resolve("config.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static dev.animagine.core.unet.UNetConfig unetConfig(Path folder) {
        JsonNode c = config(folder, "unet");
        java.util.List<Integer> ch = ints(c.get("block_out_channels"));
        java.util.List<Integer> heads = ints(c.get("attention_head_dim"));
        java.util.List<Integer> depth = ints(c.get("transformer_layers_per_block"));
        java.util.List<Boolean> cross = new java.util.ArrayList<>();
        c.get("down_block_types").forEach(t -> cross.add(t.asText().startsWith("CrossAttn")));
        return new dev.animagine.core.unet.UNetConfig(c.get("in_channels").asInt(), c.get("out_channels").asInt(), ch,
                c.get("layers_per_block").asInt(), depth, heads, cross, c.get("cross_attention_dim").asInt(),
                c.get("addition_time_embed_dim").asInt(), c.get("projection_class_embeddings_input_dim").asInt(),
                c.get("norm_num_groups").asInt(), c.get("use_linear_projection").asBoolean());
    }

    public static dev.animagine.core.vae.VaeConfig vaeConfig(Path folder) {
        JsonNode c = config(folder, "vae");
        return new dev.animagine.core.vae.VaeConfig(c.get("in_channels").asInt(), c.get("out_channels").asInt(),
                c.get("latent_channels").asInt(), ints(c.get("block_out_channels")), c.get("layers_per_block").asInt(),
                c.get("norm_num_groups").asInt(), c.get("scaling_factor").asDouble());
    }

    private static java.util.List<Integer> ints(JsonNode a) {
        java.util.List<Integer> r = new java.util.ArrayList<>();
        a.forEach(x -> r.add(x.asInt()));
        return r;
    }

    public static ClipTextConfig clipConfig(Path folder, String component) {
        JsonNode c = config(folder, component);
        return new ClipTextConfig(c.get("vocab_size").asInt(), c.get("hidden_size").asInt(), c.get("intermediate_size").asInt(),
                c.get("num_hidden_layers").asInt(), c.get("num_attention_heads").asInt(), c.get("max_position_embeddings").asInt(),
                c.get("hidden_act").asText(), c.path("layer_norm_eps").asDouble(1e-5),
                component.equals("text_encoder_2") ? c.get("projection_dim").asInt() : 0);
    }
}
