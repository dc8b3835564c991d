package dev.animagine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.animagine.core.io.Checkpoint;
import dev.animagine.core.io.Component;
import dev.animagine.core.io.SdxlArchitecture;
import dev.animagine.core.tensor.DType;
import dev.animagine.core.tensor.StoredTensor;
import dev.animagine.core.text.ClipTextConfig;
import dev.animagine.core.unet.UNetConfig;
import dev.animagine.core.vae.VaeConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code animagine info MODEL}: what a checkpoint is, as detected from its weights. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = {"Show a model's layout, detected architecture, parameters per component, weight dtype(s) and file size.",
                "MODEL is a .safetensors file, a diffusers folder, a Hugging Face cache folder or a repo id in the local cache.",
                "For a LoRA/LyCORIS file: format, network types, ranks, alphas, modules per component, base model, training tags, A1111 hash.",
                "For a TAESD decoder (live previews): its layout, latent channels and parameters."})
final class InfoCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "MODEL", description = "The model to inspect.")
    String model;

    @Option(names = "--json", description = "Print JSON (diffusers' config names) instead of text.")
    boolean json;

    @Option(names = "--hash", description = "Also compute the A1111/civitai short hash (first 10 hex digits of the file's SHA-256; reads the whole file).")
    boolean hash;

    @Option(names = "--like", paramLabel = "MODEL", description = "For a LoRA: count the modules it patches in this model (default: full-size SDXL).")
    String like;

    @Mixin
    ModelOptions modelOptions;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        java.nio.file.Path file = java.nio.file.Path.of(model);
        if (java.nio.file.Files.isRegularFile(file) && dev.animagine.core.lora.LoraFile.isAdapter(file)) {
            SdxlArchitecture arch = SdxlArchitecture.SDXL;
            if (like != null)
                try (Checkpoint base = Checkpoint.open(like, modelOptions.toOptions())) {
                    arch = base.architecture();
                }
            LoraInfoReport.print(out, file, arch, json);
            return 0;
        }
        if (java.nio.file.Files.isRegularFile(file) && TaesdInfoReport.isTaesd(file)) {
            TaesdInfoReport.print(out, file, json);
            return 0;
        }
        try (Checkpoint ckpt = Checkpoint.open(model, modelOptions.toOptions())) {
            ObjectNode report = report(ckpt, hash ? ckpt.shortHash() : null);
            if (json) out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(report));
            else printText(out, ckpt, report);
        }
        return 0;
    }

    static ObjectNode report(Checkpoint ckpt, String shortHash) {
        ObjectMapper m = new ObjectMapper();
        ObjectNode r = m.createObjectNode();
        SdxlArchitecture a = ckpt.architecture();
        r.put("model", ckpt.path().toString());
        r.put("layout", ckpt.layout());
        r.put("architecture", "sdxl");
        r.put("full_size", a.isFullSizeSdxl());
        Map<DType, Long> byDtype = dtypes(ckpt);
        r.put("dtype", String.join("+", byDtype.keySet().stream().map(DType::fileName).toList()));
        ObjectNode dts = r.putObject("dtypes");
        byDtype.forEach((k, v) -> dts.put(k.fileName(), v));
        r.put("file_size", ckpt.fileSize());
        if (shortHash != null) r.put("short_hash", shortHash);
        ObjectNode params = r.putObject("params");
        long total = 0;
        for (Component c : Component.values()) {
            long n = ckpt.weights(c).parameterCount();
            params.put(c.folder(), n);
            total += n;
        }
        params.put("total", total);
        r.set("unet", unet(m, a.unet()));
        r.set("vae", vae(m, a.vae()));
        r.set("text_encoder", clip(m, a.textEncoder()));
        r.set("text_encoder_2", clip(m, a.textEncoder2()));
        ckpt.externalVae().ifPresent(p -> r.put("external_vae", p.toString()));
        r.put("ignored_keys", ckpt.ignoredKeys().size());
        ArrayNode unknown = r.putArray("unknown");
        a.unknown().forEach(unknown::add);
        return r;
    }

    /** Parameter count per weight dtype, largest first. */
    private static Map<DType, Long> dtypes(Checkpoint ckpt) {
        Map<DType, Long> counts = new EnumMap<>(DType.class);
        for (Component c : Component.values())
            for (StoredTensor t : ckpt.weights(c).asMap().values()) counts.merge(t.dtype(), t.numel(), Long::sum);
        Map<DType, Long> sorted = new LinkedHashMap<>();
        counts.entrySet().stream().sorted(Map.Entry.<DType, Long>comparingByValue().reversed()).forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }

    private static ObjectNode unet(ObjectMapper m, UNetConfig u) {
        ObjectNode o = m.createObjectNode();
        ints(o, "block_out_channels", u.blockOutChannels());
        o.put("layers_per_block", u.layersPerBlock());
        ints(o, "transformer_layers_per_block", u.transformerLayersPerBlock());
        ints(o, "attention_head_dim", u.attentionHeads());
        ArrayNode types = o.putArray("down_block_types");
        for (boolean x : u.crossAttention()) types.add(x ? "CrossAttnDownBlock2D" : "DownBlock2D");
        o.put("cross_attention_dim", u.crossAttentionDim());
        o.put("addition_time_embed_dim", u.addTimeEmbedDim());
        o.put("projection_class_embeddings_input_dim", u.projectionClassEmbeddingsInputDim());
        o.put("in_channels", u.inChannels());
        o.put("out_channels", u.outChannels());
        o.put("use_linear_projection", u.useLinearProjection());
        return o;
    }

    private static ObjectNode vae(ObjectMapper m, VaeConfig v) {
        ObjectNode o = m.createObjectNode();
        ints(o, "block_out_channels", v.blockOutChannels());
        o.put("layers_per_block", v.layersPerBlock());
        o.put("latent_channels", v.latentChannels());
        o.put("scaling_factor", v.scalingFactor());
        return o;
    }

    private static ObjectNode clip(ObjectMapper m, ClipTextConfig t) {
        ObjectNode o = m.createObjectNode();
        o.put("hidden_size", t.hiddenSize());
        o.put("intermediate_size", t.intermediateSize());
        o.put("num_hidden_layers", t.numHiddenLayers());
        o.put("num_attention_heads", t.numAttentionHeads());
        o.put("hidden_act", t.hiddenAct());
        o.put("vocab_size", t.vocabSize());
        o.put("max_position_embeddings", t.maxPositionEmbeddings());
        o.put("projection_dim", t.projectionDim());
        return o;
    }

    private static void ints(ObjectNode o, String key, List<Integer> values) {
        ArrayNode a = o.putArray(key);
        values.forEach(a::add);
    }

    private static void printText(PrintWriter out, Checkpoint ckpt, ObjectNode r) {
        SdxlArchitecture a = ckpt.architecture();
        UNetConfig u = a.unet();
        VaeConfig v = a.vae();
        String line = "%-15s %s%n";
        out.printf(line, "model:", r.get("model").asText());
        out.printf(line, "layout:", r.get("layout").asText());
        out.printf(line, "architecture:", "SDXL" + (a.isFullSizeSdxl() ? " (full size, SDXL base dimensions)" : " (custom dimensions)"));
        out.printf(line, "dtype:", r.get("dtype").asText());
        out.printf(line, "file size:", String.format(Locale.ROOT, "%,d bytes (%s)", ckpt.fileSize(), human(ckpt.fileSize())));
        if (r.has("short_hash")) out.printf(line, "short hash:", r.get("short_hash").asText());
        out.printf(line, "parameters:", String.format(Locale.ROOT, "%,d", r.at("/params/total").asLong()));
        out.printf(line, "unet:", String.format(Locale.ROOT, "%,d params; channels %s, %d resnets/level, transformer depth %s, heads %s, "
                        + "cross-attention %s (context %d), add-time %d, in/out %d/%d",
                r.at("/params/unet").asLong(), u.blockOutChannels(), u.layersPerBlock(), u.transformerLayersPerBlock(), u.attentionHeads(),
                u.crossAttention(), u.crossAttentionDim(), u.addTimeEmbedDim(), u.inChannels(), u.outChannels()));
        out.printf(line, "vae:", String.format(Locale.ROOT, "%,d params; channels %s, %d resnets/level, %d latent channels, scaling %s%s",
                r.at("/params/vae").asLong(), v.blockOutChannels(), v.layersPerBlock(), v.latentChannels(), v.scalingFactor(),
                ckpt.externalVae().map(p -> " (from " + p + ")").orElse("")));
        out.printf(line, "text_encoder:", clipText(r.at("/params/text_encoder").asLong(), a.textEncoder()));
        out.printf(line, "text_encoder_2:", clipText(r.at("/params/text_encoder_2").asLong(), a.textEncoder2()));
        for (String missing : a.unknown()) out.printf(line, "unknown:", missing + " (shown as 0 heads; needed only to run the model)");
        if (!ckpt.ignoredKeys().isEmpty())
            out.printf(line, "ignored:", ckpt.ignoredKeys().size() + " keys not used by the model, e.g. " + ckpt.ignoredKeys().getFirst());
    }

    private static String clipText(long params, ClipTextConfig t) {
        return String.format(Locale.ROOT, "%,d params; width %d, %d layers, %d heads, MLP %d, %s, vocab %d, %d positions%s",
                params, t.hiddenSize(), t.numHiddenLayers(), t.numAttentionHeads(), t.intermediateSize(), t.hiddenAct(),
                t.vocabSize(), t.maxPositionEmbeddings(), t.projectionDim() > 0 ? ", projection " + t.projectionDim() : "");
    }

    static String human(long bytes) {
        if (bytes >= 1L << 30) return String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
        if (bytes >= 1L << 20) return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
        return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    }
}
