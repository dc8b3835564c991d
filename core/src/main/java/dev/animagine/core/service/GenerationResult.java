package dev.animagine.core.service;

import dev.animagine.core.animagine.PromptWarning;

import java.util.List;

/**
 * What a request produced.
 *
 * @param images   the finished images in batch order (skipped ones are missing)
 * @param prepared the resolved request: final prompts, size, seed, warnings
 * @param status   how the run ended
 */
public record GenerationResult(List<GeneratedImage> images, PreparedRequest prepared, Status status) {
    public enum Status { DONE, CANCELLED }

    public GenerationResult {
        images = List.copyOf(images);
    }

    public List<PromptWarning> warnings() {
        return prepared.prompt().warnings();
    }

    public boolean cancelled() {
        return status == Status.CANCELLED;
    }
}
