package dev.animagine.core.lora;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.animagine.core.io.Component;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What {@code animagine info LORA} reports about an adapter file: format, network types, ranks and
 * alphas, modules per component, the base model its metadata names, the training tags
 * ({@code ss_tag_frequency} summed over dataset folders) and the hashes A1111 uses.
 *
 * @param networkTypes module count per type label ({@code lora}, {@code loha}, ...)
 * @param moduleCounts modules applied per component (null for a file made for another base model)
 * @param ranks        distinct ranks, ascending; null stands for modules without one
 * @param alphas       distinct alphas, ascending; null stands for modules without one
 * @param tags         (tag, count), most frequent first, ties by tag
 */
public record LoraInfo(String file, String format, String unetNaming, Map<String, Integer> networkTypes,
                       Map<Component, Integer> moduleCounts, List<Integer> ranks, List<Float> alphas,
                       String baseModelVersion, String modelspecArchitecture, String foreignBase, String outputName,
                       Map<String, String> network, List<Map.Entry<String, Long>> tags, long bytes, LoraHashes hashes,
                       List<String> unknownModules, int unknownKeys) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static LoraInfo of(LoraFile f) {
        Map<String, Integer> types = new TreeMap<>();
        Map<Component, Integer> counts = new EnumMap<>(Component.class);
        TreeSet<Integer> ranks = new TreeSet<>();
        TreeSet<Float> alphas = new TreeSet<>();
        boolean noRank = false, noAlpha = false;
        for (Component c : new Component[] {Component.UNET, Component.TEXT_ENCODER, Component.TEXT_ENCODER_2}) counts.put(c, 0);
        for (AdapterModule m : f.modules()) {
            types.merge(m.type().label(), 1, Integer::sum);
            counts.merge(m.target().component(), 1, Integer::sum);
            if (m.rank() == null) noRank = true;
            else ranks.add(m.rank());
            if (m.alpha() == null) noAlpha = true;
            else alphas.add(m.alpha());
        }
        List<Integer> r = new ArrayList<>(ranks);
        if (noRank) r.add(null);
        List<Float> a = new ArrayList<>(alphas);
        if (noAlpha) a.add(null);
        Map<String, String> meta = f.metadata();
        Map<String, String> network = new LinkedHashMap<>();
        for (String k : new String[] {"ss_network_module", "ss_network_dim", "ss_network_alpha", "ss_network_args"})
            if (meta.containsKey(k)) network.put(k, meta.get(k));
        return new LoraInfo(f.path().toString(), f.format(), f.unetNaming().orElse(null), types,
                f.foreignBase().isPresent() ? null : counts, r, a, meta.get("ss_base_model_version"), meta.get("modelspec.architecture"),
                f.foreignBase().orElse(null), meta.get("ss_output_name"), network, tags(meta.get("ss_tag_frequency")), f.file().fileSize(),
                f.hashes(), f.unknownModules(), f.unknownKeys().size());
    }

    /** ss_tag_frequency ({@code {dataset dir: {tag: count}}}) summed over folders; malformed JSON gives none. */
    static List<Map.Entry<String, Long>> tags(String json) {
        if (json == null) return List.of();
        Map<String, Long> total = new TreeMap<>();
        try {
            JsonNode root = JSON.readTree(json);
            for (JsonNode dir : root)
                for (Map.Entry<String, JsonNode> e : dir.properties()) total.merge(e.getKey().strip(), e.getValue().asLong(), Long::sum);
        } catch (Exception e) {
            return List.of();
        }
        List<Map.Entry<String, Long>> list = new ArrayList<>(total.entrySet());
        list.sort(Comparator.comparing((Map.Entry<String, Long> e) -> -e.getValue()).thenComparing(Map.Entry::getKey));
        return list;
    }

    /** The base model as the metadata names it ({@code sdxl_base_v1-0}, ...), or null. */
    public String baseModel() {
        return baseModelVersion != null ? baseModelVersion : modelspecArchitecture;
    }
}
