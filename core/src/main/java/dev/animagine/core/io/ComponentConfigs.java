package dev.animagine.core.io;

import com.fasterxml.jackson.databind.JsonNode;
import dev.animagine.core.AnimagineException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code config.json} of each component of a diffusers folder, where present. They supply what
 * weights cannot show (attention heads, activation, norm groups, VAE scaling factor) and are checked
 * against what the weights do show.
 */
public final class ComponentConfigs {
    public static final ComponentConfigs NONE = new ComponentConfigs(new EnumMap<>(Component.class), new EnumMap<>(Component.class));

    private final Map<Component, JsonNode> configs;
    private final Map<Component, Path> sources;

    private ComponentConfigs(Map<Component, JsonNode> configs, Map<Component, Path> sources) {
        this.configs = configs;
        this.sources = sources;
    }

    /** Reads {@code dir/<component>/config.json} for each component that has one. */
    public static ComponentConfigs read(Path dir) {
        Map<Component, JsonNode> c = new EnumMap<>(Component.class);
        Map<Component, Path> s = new EnumMap<>(Component.class);
        for (Component comp : Component.values()) {
            Path p = dir.resolve(comp.folder()).resolve("config.json");
            if (Files.isRegularFile(p)) {
                c.put(comp, readJson(p));
                s.put(comp, p);
            }
        }
        return new ComponentConfigs(c, s);
    }

    /** One component's config from a file (e.g. the config.json beside an external VAE). */
    public static ComponentConfigs single(Component comp, Path configJson) {
        Map<Component, JsonNode> c = new EnumMap<>(Component.class);
        Map<Component, Path> s = new EnumMap<>(Component.class);
        c.put(comp, readJson(configJson));
        s.put(comp, configJson);
        return new ComponentConfigs(c, s);
    }

    /** These configs, with {@code fallback}'s for the components that have none. */
    public ComponentConfigs orElse(ComponentConfigs fallback) {
        Map<Component, JsonNode> c = new EnumMap<>(fallback.configs);
        Map<Component, Path> s = new EnumMap<>(fallback.sources);
        c.putAll(configs);
        s.putAll(sources);
        return new ComponentConfigs(c, s);
    }

    public ComponentConfigs with(Component comp, ComponentConfigs from) {
        Map<Component, JsonNode> c = new EnumMap<>(configs);
        Map<Component, Path> s = new EnumMap<>(sources);
        c.remove(comp);
        s.remove(comp);
        if (from.configs.containsKey(comp)) {
            c.put(comp, from.configs.get(comp));
            s.put(comp, from.sources.get(comp));
        }
        return new ComponentConfigs(c, s);
    }

    Optional<JsonNode> get(Component comp) {
        return Optional.ofNullable(configs.get(comp));
    }

    /** Where a component's config came from, for messages. */
    public String source(Component comp) {
        Path p = sources.get(comp);
        return p == null ? comp.folder() + " config" : p.toString();
    }

    static JsonNode readJson(Path p) {
        try {
            JsonNode n = SafetensorsFile.JSON.readTree(Files.readString(p));
            if (n == null || !n.isObject()) throw new AnimagineException(p + ": expected a JSON object");
            return n;
        } catch (IOException e) {
            String msg = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
            throw new AnimagineException(p + ": invalid JSON (" + msg + ")");
        }
    }
}
