package dev.animagine.spark.batch;

import dev.animagine.core.io.CheckpointOptions;
import dev.animagine.core.service.GenerationService;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The checkpoints opened in this JVM: an executor opens each model once, for all its tasks and
 * partitions (the weights are memory-mapped and shared; the service runs one image at a time, on all
 * cores). Closed when the JVM exits.
 */
final class ServiceCache {
    private static final Map<String, GenerationService> OPEN = new ConcurrentHashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> OPEN.values().forEach(GenerationService::close)));
    }

    private ServiceCache() {}

    static GenerationService get(String model, String config, String tokenizer) {
        String key = model + "\u0000" + config + "\u0000" + tokenizer;
        return OPEN.computeIfAbsent(key, k -> GenerationService.open(Path.of(model),
                CheckpointOptions.DEFAULT.withConfigDirectory(config == null ? null : Path.of(config)),
                tokenizer == null ? null : Path.of(tokenizer)));
    }
}
