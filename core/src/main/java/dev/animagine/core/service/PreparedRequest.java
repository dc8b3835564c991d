package dev.animagine.core.service;

import dev.animagine.core.animagine.PromptResult;
import dev.animagine.core.pipeline.GenerationRequest;
import dev.animagine.core.pipeline.ImageToImageRequest;

import java.util.List;

/**
 * A request resolved against the loaded model, before anything is computed: the final prompts
 * (Animagine conventions applied), the size, the seed (picked if the request asked for a random
 * one) and the engine-level request of each image.
 *
 * @param request    what the caller asked for
 * @param prompt     the final prompt, negative prompt, size and lint findings
 * @param seed       the first image's seed
 * @param seedPicked whether the seed was picked at random for this request
 * @param images     one engine request per image, seeds seed, seed + 1, ...
 * @param imageInputs the decoded init image / mask and the img2img, inpainting or hires settings; null for plain txt2img
 * @param loras      the adapters applied, in order (the prompt's tags, then the request's files)
 * @param loraWarnings one line per adapter file with keys that match nothing (to show once)
 */
public record PreparedRequest(ImageRequest request, PromptResult prompt, long seed, boolean seedPicked,
                              List<GenerationRequest> images, ImageToImageRequest imageInputs, List<AppliedLora> loras,
                              List<String> loraWarnings) {
    public PreparedRequest {
        images = List.copyOf(images);
        loras = List.copyOf(loras);
        loraWarnings = List.copyOf(loraWarnings);
    }

    /** A txt2img request without adapters. */
    public PreparedRequest(ImageRequest request, PromptResult prompt, long seed, boolean seedPicked, List<GenerationRequest> images) {
        this(request, prompt, seed, seedPicked, images, null, List.of(), List.of());
    }

    /** A request without adapters. */
    public PreparedRequest(ImageRequest request, PromptResult prompt, long seed, boolean seedPicked, List<GenerationRequest> images,
                           ImageToImageRequest imageInputs) {
        this(request, prompt, seed, seedPicked, images, imageInputs, List.of(), List.of());
    }
}
