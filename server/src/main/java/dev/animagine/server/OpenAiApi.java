package dev.animagine.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.animagine.core.InvalidRequestException;
import dev.animagine.core.image.InitImage;
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
 * {@code POST /v1/images/edits} (multipart: img2img, or inpainting with a mask) and {@code GET /v1/models}. The prompt is used as sent
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
                .batchSize(n); // n images in one batch, as diffusers' num_images_per_prompt
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
        run(ctx, request, Fields.string(body, "model", null), format, notes);
    }

    /** Queues the request, waits for it and answers OpenAI's {created, data} shape. */
    private void run(Context ctx, ImageRequest request, String model, String format, List<String> notes) {
        // b64_json answers carry the PNGs in memory; url answers save the files and serve them
        JobSpec spec = new JobSpec(request, checkpoint(model), format.equals("url"),
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

    /**
     * img2img (no mask) or inpainting: OpenAI's mask is transparent where the image is edited, turned
     * into the engine's white-is-repainted mask. The size defaults to the image's (rounded down to
     * multiples of 8); strength, steps, cfg_scale, seed and negative_prompt are optional form fields.
     */
    private void edits(Context ctx) throws IOException {
        String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(Locale.ROOT);
        if (!type.startsWith("multipart/form-data")) throw ApiException.badRequest(null, "send multipart/form-data with image and prompt");
        List<UploadedFile> images = new ArrayList<>(ctx.uploadedFiles("image"));
        images.addAll(ctx.uploadedFiles("image[]"));
        if (images.isEmpty()) throw ApiException.badRequest("image", "is required");
        Limits limits = options.limits();
        String prompt = ctx.formParam("prompt");
        if (prompt == null || prompt.isBlank()) throw ApiException.badRequest("prompt", "is required");
        if (prompt.length() > limits.maxPromptChars()) throw ApiException.badRequest("prompt", "is longer than " + limits.maxPromptChars() + " characters");
        ImageDecoder.Checked image = check("image", images.getFirst());
        List<String> notes = new ArrayList<>();
        if (images.size() > 1) notes.add("image: only the first of " + images.size() + " images is used");
        ObjectNode form = Json.object();
        for (String f : List.of("n", "size", "response_format", "model", "negative_prompt", "steps", "cfg_scale", "seed", "strength"))
            if (ctx.formParam(f) != null && !ctx.formParam(f).isBlank()) form.set(f, formValue(f, ctx.formParam(f)));
        int n = Fields.int32(form, "n", 1, 1, limits.maxImages());
        String format = Fields.string(form, "response_format", "b64_json");
        if (!format.equals("b64_json") && !format.equals("url"))
            throw ApiException.badRequest("response_format", "must be b64_json or url (got '" + format + "')");
        ObjectNode sizeBody = Json.object();
        if (Fields.given(form, "size")) sizeBody.set("size", form.get("size"));
        int[] size = NativeRequests.size(sizeBody, limits);
        if (size == null) size = new int[] {Math.max(8, image.width() / 8 * 8), Math.max(8, image.height() / 8 * 8)};
        ImageRequest.Builder b = ImageRequest.builder()
                .prompt(prompt)
                .negativePrompt(Fields.string(form, "negative_prompt", null, limits.maxPromptChars()))
                .verbatim(true)
                .size(size[0], size[1])
                .steps(Fields.int32(form, "steps", 28, 1, limits.maxSteps()))
                .cfgScale(Fields.number(form, "cfg_scale", 5, 0, 100))
                .seed(Fields.integer(form, "seed", -1, -1, 0xFFFFFFFFL))
                .batchCount(n)
                .initImage(new InitImage(image.bytes(), "image"))
                .strength(Fields.number(form, "strength", A1111ImageFields.DEFAULT_DENOISE, 0, 1));
        UploadedFile mask = ctx.uploadedFile("mask");
        if (mask != null) b.mask(new InitImage(OpenAiMask.toRepaintMask(check("mask", mask)), "mask"));
        ImageRequest request = b.build();
        try {
            request.validate();
        } catch (InvalidRequestException e) {
            throw ApiException.badRequest(NativeRequests.snake(e.field()), e.reason());
        }
        run(ctx, request, Fields.string(form, "model", null), format, notes);
    }

    /** Multipart fields arrive as text: numbers become numbers so the usual range checks apply. */
    private static com.fasterxml.jackson.databind.JsonNode formValue(String field, String text) {
        if (List.of("n", "steps", "cfg_scale", "seed", "strength").contains(field)) {
            try {
                return Json.MAPPER.getNodeFactory().numberNode(new java.math.BigDecimal(text.strip()));
            } catch (NumberFormatException e) {
                throw ApiException.badRequest(field, "must be a number (got '" + text + "')");
            }
        }
        return Json.MAPPER.getNodeFactory().textNode(text);
    }

    private ImageDecoder.Checked check(String field, UploadedFile f) throws IOException {
        if (f.size() > options.limits().maxBodyBytes()) throw ApiException.tooLarge(field, "the file is too large");
        try (InputStream in = f.content()) {
            return ImageDecoder.checkBytes(field, in.readAllBytes(), options.limits().maxImagePixels());
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
