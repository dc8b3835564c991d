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
 */
public record PreparedRequest(ImageRequest request, PromptResult prompt, long seed, boolean seedPicked,
                              List<GenerationRequest> images, ImageToImageRequest imageInputs) {
    public PreparedRequest {
        images = List.copyOf(images);
    }

    /** A txt2img request. */
    public PreparedRequest(ImageRequest request, PromptResult prompt, long seed, boolean seedPicked, List<GenerationRequest> images) {
        this(request, prompt, seed, seedPicked, images, null);
    }
}
