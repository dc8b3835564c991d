package dev.animagine.core.sampling;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A model's {@code scheduler_config.json}, as diffusers' {@code from_config} reads it: the engine's
 * own type, so no JSON library type appears in the engine's API. Immutable.
 */
public final class SchedulerJson {
    private final JsonNode tree;

    SchedulerJson(JsonNode tree) {
        if (tree == null || !tree.isObject()) throw new IllegalArgumentException("a scheduler config is a JSON object");
        this.tree = tree.deepCopy();
    }

    /** SDXL base's scheduler config, for checkpoints that ship none. */
    public static SchedulerJson sdxl() {
        return new SchedulerJson(SchedulerConfig.sdxlTree());
    }

    /** Reads a {@code scheduler_config.json}; errors name the file. */
    public static SchedulerJson read(Path file) {
        return new SchedulerJson(SchedulerConfig.readTree(file));
    }

    /** Parses JSON text; errors name {@code origin}. */
    public static SchedulerJson parse(String json, String origin) {
        return new SchedulerJson(SchedulerConfig.parseTree(json, origin));
    }

    JsonNode tree() {
        return tree;
    }

    /** diffusers' {@code _class_name}, or null. */
    public String className() {
        JsonNode n = tree.get("_class_name");
        return n == null || n.isNull() ? null : n.asText();
    }

    /** The JSON text. */
    @Override
    public String toString() {
        return tree.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SchedulerJson s && s.tree.equals(tree);
    }

    @Override
    public int hashCode() {
        return Objects.hash(tree);
    }
}
