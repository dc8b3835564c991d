package dev.animagine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.animagine.core.io.Component;
import dev.animagine.core.io.SdxlArchitecture;
import dev.animagine.core.lora.LoraFile;
import dev.animagine.core.lora.LoraInfo;
import dev.animagine.core.lora.ModuleIndex;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code animagine info LORA}: what an adapter file is and what it patches (text or JSON). */
final class LoraInfoReport {
    private static final int TOP_TAGS = 20;

    private LoraInfoReport() {}

    static void print(PrintWriter out, Path file, SdxlArchitecture arch, boolean json) throws Exception {
        try (LoraFile f = LoraFile.inspect(file, new ModuleIndex(arch))) {
            LoraInfo info = LoraInfo.of(f);
            if (json) out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(json(info)));
            else text(out, info);
        }
    }

    static ObjectNode json(LoraInfo i) {
        ObjectNode r = new ObjectMapper().createObjectNode();
        r.put("file", i.file());
        r.put("kind", "lora");
        r.put("format", i.format());
        r.put("unet_naming", i.unetNaming());
        ObjectNode types = r.putObject("network_types");
        i.networkTypes().forEach(types::put);
        if (i.moduleCounts() == null) {
            r.putNull("module_counts");
        } else {
            ObjectNode counts = r.putObject("module_counts");
            counts.put("unet", i.moduleCounts().get(Component.UNET));
            counts.put("te1", i.moduleCounts().get(Component.TEXT_ENCODER));
            counts.put("te2", i.moduleCounts().get(Component.TEXT_ENCODER_2));
        }
        ArrayNode ranks = r.putArray("ranks");
        i.ranks().forEach(x -> { if (x == null) ranks.addNull(); else ranks.add(x); });
        ArrayNode alphas = r.putArray("alphas");
        i.alphas().forEach(x -> { if (x == null) alphas.addNull(); else alphas.add(x); });
        ObjectNode base = r.putObject("base_model");
        base.put("ss_base_model_version", i.baseModelVersion());
        base.put("modelspec.architecture", i.modelspecArchitecture());
        if (i.foreignBase() != null) r.put("for_another_base", i.foreignBase());
        r.put("ss_output_name", i.outputName());
        i.network().forEach(r::put);
        if (i.tags().isEmpty()) {
            r.putNull("tag_frequency_total");
        } else {
            ArrayNode tags = r.putArray("tag_frequency_total");
            for (Map.Entry<String, Long> t : i.tags()) tags.addArray().add(t.getKey()).add(t.getValue());
        }
        r.put("bytes", i.bytes());
        r.put("sha256", i.hashes().sha256());
        r.put("a1111_hash", i.hashes().addnet());
        r.put("a1111_shorthash", i.hashes().shortHash());
        ArrayNode unknown = r.putArray("unknown_modules");
        i.unknownModules().forEach(unknown::add);
        r.put("unknown_keys", i.unknownKeys());
        return r;
    }

    private static void text(PrintWriter out, LoraInfo i) {
        String line = "%-16s %s%n";
        out.printf(line, "file:", i.file());
        out.printf(line, "format:", i.format() + (i.unetNaming() != null ? " (" + i.unetNaming() + " UNet names)" : ""));
        if (i.foreignBase() != null) out.printf(line, "NOT FOR SDXL:", "a LoRA for " + i.foreignBase());
        List<String> types = new ArrayList<>();
        i.networkTypes().forEach((k, v) -> types.add(k + " " + v));
        out.printf(line, "network:", types.isEmpty() ? "-" : String.join(", ", types));
        if (i.moduleCounts() != null)
            out.printf(line, "modules:", "unet " + i.moduleCounts().get(Component.UNET) + ", te1 (CLIP-L) " + i.moduleCounts().get(Component.TEXT_ENCODER)
                    + ", te2 (bigG) " + i.moduleCounts().get(Component.TEXT_ENCODER_2));
        out.printf(line, "rank:", values(i.ranks()));
        out.printf(line, "alpha:", values(i.alphas()));
        out.printf(line, "base model:", i.baseModel() == null ? "(not in metadata)"
                : i.baseModelVersion() + (i.modelspecArchitecture() != null ? " (" + i.modelspecArchitecture() + ")" : ""));
        if (i.outputName() != null) out.printf(line, "output name:", i.outputName());
        if (!i.tags().isEmpty()) {
            List<String> top = new ArrayList<>();
            for (Map.Entry<String, Long> t : i.tags().subList(0, Math.min(TOP_TAGS, i.tags().size()))) top.add(t.getKey() + " (" + t.getValue() + ")");
            out.printf(line, "training tags:", String.join(", ", top) + (i.tags().size() > TOP_TAGS ? ", ... (" + i.tags().size() + " tags)" : ""));
        }
        out.printf(line, "file size:", String.format(Locale.ROOT, "%,d bytes (%s)", i.bytes(), InfoCommand.human(i.bytes())));
        out.printf(line, "A1111 hash:", i.hashes().shortHash() + " (addnet " + i.hashes().addnet() + ")");
        out.printf(line, "sha256:", i.hashes().sha256());
        if (!i.unknownModules().isEmpty() && i.foreignBase() == null)
            out.printf(line, "unmatched:", i.unknownModules().size() + " modules (" + i.unknownKeys() + " keys) match nothing in the model, e.g. "
                    + String.join(", ", i.unknownModules().subList(0, Math.min(3, i.unknownModules().size()))));
    }

    private static String values(List<?> v) {
        List<String> s = new ArrayList<>();
        for (Object x : v) s.add(x == null ? "none" : x instanceof Float f && f == Math.rint(f) ? Integer.toString(Math.round(f)) : x.toString());
        return s.isEmpty() ? "-" : String.join(", ", s);
    }
}
