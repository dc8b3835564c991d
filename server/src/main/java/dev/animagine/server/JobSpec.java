package dev.animagine.server;

import dev.animagine.core.service.ImageRequest;

import java.util.List;

/**
 * What a job is to do: the engine request, on which checkpoint, and what to keep.
 *
 * @param request    the validated engine request
 * @param checkpoint the checkpoint to run on (the selected one when the job was accepted, or the one it named)
 * @param save       write the images to the outputs folder (numbered, never overwritten)
 * @param api        the API the job came through ("a1111", "openai", "native"), for listings and logs
 * @param notes      request fields accepted but ignored, reported back in the answer
 * @param taskId     a client-chosen id (A1111's force_task_id), or null for a generated one
 */
public record JobSpec(ImageRequest request, ModelCatalog.Entry checkpoint, boolean save, String api, List<String> notes, String taskId) {
    public JobSpec {
        notes = List.copyOf(notes);
    }
}
