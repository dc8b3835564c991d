package dev.animagine.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.animagine.core.InvalidRequestException;
import dev.animagine.core.service.AnimagineSettings;
import dev.animagine.core.service.ImageRequest;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * OpenAI's images API as chat front ends call it: {@code POST /v1/images/generations},
 * {@code POST /v1/images/edits} (multipart) and {@code GET /v1/models}. The prompt is used as sent
 * (an {@code animagine} object turns the conventions on); size "auto" or absent is the Animagine
 * version's default; quality, style and user are accepted and ignored. Model names of OpenAI's own
 * image models (dall-e-*, gpt-image-*) mean the selected checkpoint.
 */
final class OpenAiApi {
    private final ServerOptions options;
    private final ModelHost host;
    private final JobQueue queue;

    OpenAiApi(ServerOptions options, ModelHost host, JobQueue queue) {
        this.options = options;
        this.host = host;
        this.queue = queue;
    }

    void register(RoutesConfig r) {
        r.post("/v1/images/generations", this::generations);
        r.post("/v1/images/edits", this::edits);
        r.get("/v1/models", this::models);
    }

    private void generations(Context ctx) {
        ObjectNode body = Json.parseObject(ctx.bodyAsBytes());
        Limits limits = options.limits();
        String prompt = Fields.string(body, "prompt", null, limits.maxPromptChars());
        if (prompt == null || prompt.isBlank()) throw ApiException.badRequest("prompt", "is required");
        int n = Fields.int32(body, "n", 1, 1, limits.maxImages());
        String format = Fields.string(body, "response_format", "b64_json");
        if (!format.equals("b64_json") && !format.equals("url"))
            throw ApiException.badRequest("response_format", "must be b64_json or url (got '" + format + "')");
        ObjectNode sizeBody = Json.object();
        if (Fields.given(body, "size")) sizeBody.set("size", body.get("size"));
        int[] size = NativeRequests.size(sizeBody, limits);
        AnimagineSettings animagine = Fields.given(body, "animagine")
                ? A1111Mapping.animagineSettings(Fields.object(body, "animagine"), "animagine.") : null;
        ImageRequest.Builder b = ImageRequest.builder()
                .prompt(prompt)
                .negativePrompt(Fields.string(body, "negative_prompt", null, limits.maxPromptChars()))
                .verbatim(animagine == null)
                .animagine(animagine == null ? AnimagineSettings.NONE : animagine)
                .steps(Fields.int32(body, "steps", 28, 1, limits.maxSteps()))
                .cfgScale(Fields.number(body, "cfg_scale", 5, 0, 100))
                .seed(Fields.integer(body, "seed", -1, -1, 0xFFFFFFFFL))
                .batchCount(n);
        if (size != null) b.size(size[0], size[1]);
        ImageRequest request = b.build();
        try {
            request.validate();
        } catch (InvalidRequestException e) {
            throw ApiException.badRequest(NativeRequests.snake(e.field()), e.reason());
        }
        List<String> notes = new ArrayList<>();
        for (String ignored : List.of("quality", "style", "user", "background", "moderation", "output_format", "output_compression"))
            if (Fields.given(body, ignored)) notes.add(ignored + " ignored");
        // b64_json answers carry the PNGs in memory; url answers save the files and serve them
        JobSpec spec = new JobSpec(request, checkpoint(Fields.string(body, "model", null)), format.equals("url"),
                format.equals("url") ? "openai" : "openai-b64", notes, null);
        Job job = queue.submit(spec);
        ctx.attribute(AccessLog.JOB_ATTRIBUTE, job.id());
        SyncWait.await(ctx, job, queue);
        if (job.state() == Job.State.FAILED) throw new ApiException(job.errorStatus(), "HTTPException", job.errorField(), job.error());
        if (job.state() == Job.State.CANCELLED) throw new ApiException(409, "HTTPException", null, "the job was cancelled");
        ObjectNode out = Json.object();
        out.put("created", job.created().getEpochSecond());
        ArrayNode data = out.putArray("data");
        for (Job.Image im : job.images()) {
            ObjectNode d = data.addObject();
            if (format.equals("url")) d.put("url", ctx.scheme() + "://" + ctx.host() + "/api/v1/images/" + im.file());
            else d.put("b64_json", Base64.getEncoder().encodeToString(im.png()));
            d.put("revised_prompt", job.prepared().prompt().prompt());
        }
        queue.release(job);
        ctx.json(out);
    }

    /** Edits need img2img: the upload is checked (size before decoding), then refused with 422 until the engine has it. */
    private void edits(Context ctx) throws IOException {
        String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(Locale.ROOT);
        if (!type.startsWith("multipart/form-data")) throw ApiException.badRequest(null, "send multipart/form-data with image and prompt");
        List<UploadedFile> images = new ArrayList<>(ctx.uploadedFiles("image"));
        images.addAll(ctx.uploadedFiles("image[]"));
        if (images.isEmpty()) throw ApiException.badRequest("image", "is required");
        String prompt = ctx.formParam("prompt");
        if (prompt == null || prompt.isBlank()) throw ApiException.badRequest("prompt", "is required");
        for (UploadedFile f : images) check("image", f);
        UploadedFile mask = ctx.uploadedFile("mask");
        if (mask != null) check("mask", mask);
        throw ApiException.unprocessable("image", "image edits (img2img and inpainting) are not supported by this engine yet");
    }

    private void check(String field, UploadedFile f) throws IOException {
        if (f.size() > options.limits().maxBodyBytes()) throw ApiException.tooLarge(field, "the file is too large");
        try (InputStream in = f.content()) {
            ImageDecoder.checkBytes(field, in.readAllBytes(), options.limits().maxImagePixels());
        }
    }

    private ModelCatalog.Entry checkpoint(String model) {
        if (model == null || model.isBlank()) return host.selected();
        String m = model.strip().toLowerCase(Locale.ROOT);
        if (m.startsWith("dall-e") || m.startsWith("gpt-image")) return host.selected();
        return host.catalog().checkpoint("model", model);
    }

    private void models(Context ctx) {
        ObjectNode o = Json.object();
        o.put("object", "list");
        ArrayNode data = o.putArray("data");
        for (ModelCatalog.Entry e : host.catalog().checkpoints()) {
            ObjectNode m = data.addObject();
            m.put("id", e.title());
            m.put("object", "model");
            m.put("created", 0);
            m.put("owned_by", "animagine");
        }
        ctx.json(o);
    }
}
