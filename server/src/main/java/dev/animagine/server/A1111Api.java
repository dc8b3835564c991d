package dev.animagine.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.animagine.core.pipeline.ImageUpscaler;
import dev.animagine.core.pipeline.LivePreviews;
import dev.animagine.core.pipeline.LatentUpscaler;
import dev.animagine.core.service.Compat;
import dev.animagine.core.service.ImageRequest;
import dev.animagine.core.service.PreparedRequest;
import dev.animagine.core.service.SamplingOptions;
import dev.animagine.core.text.EmphasisMode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.lang.management.ManagementFactory;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** AUTOMATIC1111's {@code /sdapi/v1} routes, with A1111's request fields, defaults and answer shapes. */
final class A1111Api {
    private static final int MAX_OPTIONS = 2000;
    private static final DateTimeFormatter JOB_TIMESTAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneId.systemDefault());

    private final ServerOptions serverOptions;
    private final ModelHost host;
    private final JobQueue queue;
    private final A1111Mapping mapping;
    /** Options set by clients (POST options) beyond the ones this server acts on; echoed by GET. */
    private final Map<String, JsonNode> stored = new LinkedHashMap<>();
    private volatile int clipSkip = 1;
    private volatile String emphasis = "Original";

    A1111Api(ServerOptions serverOptions, ModelHost host, JobQueue queue) {
        this.serverOptions = serverOptions;
        this.host = host;
        this.queue = queue;
        this.mapping = new A1111Mapping(host, serverOptions.limits());
    }

    void register(RoutesConfig r) {
        r.post("/sdapi/v1/txt2img", ctx -> generate(ctx, false));
        r.post("/sdapi/v1/img2img", ctx -> generate(ctx, true));
        r.post("/sdapi/v1/png-info", this::pngInfo);
        r.post("/sdapi/v1/interrupt", ctx -> {
            queue.interrupt();
            ctx.json(Json.object());
        });
        r.post("/sdapi/v1/skip", ctx -> {
            queue.skip();
            ctx.json(Json.object());
        });
        r.post("/sdapi/v1/refresh-checkpoints", ctx -> {
            host.catalog().refreshCheckpoints();
            ctx.json(Json.MAPPER.nullNode());
        });
        r.post("/sdapi/v1/refresh-vae", ctx -> {
            host.catalog().refreshCheckpoints();
            ctx.json(Json.MAPPER.nullNode());
        });
        r.post("/sdapi/v1/refresh-loras", ctx -> {
            host.catalog().refreshLoras();
            ctx.json(Json.MAPPER.nullNode());
        });
        r.get("/sdapi/v1/options", ctx -> ctx.json(options()));
        r.post("/sdapi/v1/options", this::setOptions);
        r.get("/sdapi/v1/progress", this::progress);
        r.post("/internal/progress", this::taskProgress);
        r.get("/sdapi/v1/sd-models", ctx -> ctx.json(sdModels()));
        r.get("/sdapi/v1/samplers", ctx -> ctx.json(A1111Samplers.list()));
        r.get("/sdapi/v1/schedulers", ctx -> ctx.json(A1111Samplers.schedulers()));
        r.get("/sdapi/v1/upscalers", ctx -> ctx.json(upscalers()));
        r.get("/sdapi/v1/latent-upscale-modes", ctx -> ctx.json(latentUpscaleModes()));
        r.get("/sdapi/v1/loras", ctx -> ctx.json(loras()));
        r.get("/sdapi/v1/sd-vae", ctx -> ctx.json(vaes()));
        r.get("/sdapi/v1/prompt-styles", ctx -> ctx.json(Json.MAPPER.createArrayNode()));
        r.get("/sdapi/v1/embeddings", ctx -> {
            ObjectNode o = Json.object();
            o.putObject("loaded");
            o.putObject("skipped");
            ctx.json(o);
        });
        r.get("/sdapi/v1/memory", ctx -> ctx.json(memory()));
        r.get("/sdapi/v1/cmd-flags", ctx -> ctx.json(cmdFlags()));
    }

    private void generate(Context ctx, boolean img2img) {
        ObjectNode body = Json.parseObject(ctx.bodyAsBytes());
        Map<String, Object> opts = Map.of("CLIP_stop_at_last_layers", clipSkip, "emphasis", emphasis);
        A1111Mapping.Mapped m = img2img ? mapping.img2img(body, opts) : mapping.txt2img(body, opts);
        Job job = queue.submit(m.spec());
        // override_settings_restore_afterwards=false keeps the request's checkpoint selected, as in A1111
        if (!m.restoreOptions() && !m.spec().checkpoint().equals(host.selected())) host.select(m.spec().checkpoint());
        ctx.attribute(AccessLog.JOB_ATTRIBUTE, job.id());
        SyncWait.await(ctx, job, queue);
        if (job.state() == Job.State.FAILED)
            throw new ApiException(job.errorStatus(), "HTTPException", job.errorField(), job.error());
        ObjectNode out = Json.object();
        ArrayNode images = out.putArray("images");
        if (m.sendImages()) for (Job.Image im : job.images()) images.add(Base64.getEncoder().encodeToString(im.png()));
        out.set("parameters", m.parameters());
        out.put("info", Json.write(info(job, m)));
        queue.release(job);
        ctx.json(out);
    }

    /** A1111's info: the processed request's values as a JSON object (sent as a string). */
    private ObjectNode info(Job job, A1111Mapping.Mapped m) {
        PreparedRequest p = job.prepared();
        List<Job.Image> images = job.images();
        ObjectNode o = Json.object();
        String prompt = p == null ? m.spec().request().prompt() : p.prompt().prompt();
        String negative = p == null ? "" : p.prompt().negativePrompt();
        long seed = p == null ? m.spec().request().seed() : p.seed();
        o.put("prompt", prompt);
        ArrayNode allPrompts = o.putArray("all_prompts");
        o.put("negative_prompt", negative);
        ArrayNode allNegative = o.putArray("all_negative_prompts");
        // the prepared request holds the variation seed picked for -1 (A1111 reports the seed when none is used)
        SamplingOptions so = p == null ? m.spec().request().sampling() : p.request().sampling();
        long subseed = so.subseed() == -1 ? seed : so.subseed();
        o.put("seed", seed);
        ArrayNode allSeeds = o.putArray("all_seeds");
        o.put("subseed", subseed);
        ArrayNode allSubseeds = o.putArray("all_subseeds");
        ImageRequest req = m.spec().request();
        int count = req.imageCount();
        // A1111's all_seeds: seed + i over batch count x batch size, or the seed for every image with a variation seed
        boolean variation = req.compat() == Compat.A1111 && req.sampling().subseedStrength() > 0;
        for (int i = 0; i < count; i++) {
            allPrompts.add(prompt);
            allNegative.add(negative);
            // A1111: every image has the seed when a variation strength is set, the subseeds count up
            allSeeds.add(p == null ? (variation ? seed : seed + i) : p.images().get(i).seed());
            allSubseeds.add(subseed + i);
        }
        o.put("subseed_strength", so.subseedStrength());
        o.put("width", p == null ? m.spec().request().size().width() : p.prompt().width());
        o.put("height", p == null ? m.spec().request().size().height() : p.prompt().height());
        // the sampler and schedule type names the image's infotext carries
        Map<String, String> written = images.isEmpty() ? Map.of() : InfotextReader.parse(images.getFirst().parameters());
        o.put("sampler_name", written.getOrDefault("Sampler", m.samplerName()));
        o.put("cfg_scale", m.spec().request().cfgScale());
        o.put("steps", m.spec().request().steps());
        o.put("batch_size", m.batchSize());
        o.put("restore_faces", false);
        o.putNull("face_restoration_model");
        o.put("sd_model_name", m.spec().checkpoint().modelName());
        o.put("sd_model_hash", host.loaded().equals(m.spec().checkpoint()) ? host.hash() : null);
        o.putNull("sd_vae_name");
        o.putNull("sd_vae_hash");
        o.put("seed_resize_from_w", so.seedResizeFromW() > 0 ? so.seedResizeFromW() : -1);
        o.put("seed_resize_from_h", so.seedResizeFromH() > 0 ? so.seedResizeFromH() : -1);
        ImageRequest r = m.spec().request();
        if (r.img2img()) o.put("denoising_strength", r.strengthOrDefault());
        else if (r.hires() != null) o.put("denoising_strength", r.hires().denoiseOrDefault(r.compat()));
        else o.putNull("denoising_strength");
        ObjectNode extra = o.putObject("extra_generation_params");
        String schedule = images.isEmpty() ? m.schedulerName() : written.get("Schedule type");
        if (schedule != null) extra.put("Schedule type", schedule);
        o.put("index_of_first_image", 0);
        ArrayNode infotexts = o.putArray("infotexts");
        for (Job.Image im : images) infotexts.add(im.parameters());
        o.putArray("styles");
        o.put("job_timestamp", JOB_TIMESTAMP.format(job.created()));
        o.put("clip_skip", m.spec().request().clipSkip());
        o.put("is_using_inpainting_conditioning", false);
        o.put("version", "animagine-java");
        if (job.state() == Job.State.CANCELLED) o.put("interrupted", true);
        ArrayNode notes = o.putArray("notes");
        m.spec().notes().forEach(notes::add);
        if (p != null) p.prompt().warnings().forEach(w -> notes.add(w.message()));
        return o;
    }

    private ObjectNode options() {
        ObjectNode o = Json.object();
        synchronized (stored) {
            stored.forEach(o::set);
        }
        o.put("sd_model_checkpoint", host.selected().title());
        o.put("sd_checkpoint_hash", host.loaded().equals(host.selected()) ? host.hash() : null);
        o.put("sd_vae", "Automatic");
        o.put("samples_format", "png");
        o.put("CLIP_stop_at_last_layers", clipSkip);
        o.put("emphasis", emphasis);
        o.put("show_progress_every_n_steps", serverOptions.previewEvery());
        o.put("live_previews_enable", serverOptions.previewEvery() > 0);
        o.put("show_progress_type", queue.previews().method().a1111Name());
        o.put("outdir_samples", "");
        o.put("save_images_add_number", true);
        return o;
    }

    private void setOptions(Context ctx) {
        ObjectNode body = Json.parseObject(ctx.bodyAsBytes());
        // check everything first, apply after: a bad value changes nothing
        ModelCatalog.Entry checkpoint = null;
        String named = Fields.string(body, "sd_model_checkpoint", null);
        if (named != null && !named.isBlank()) checkpoint = host.catalog().checkpoint("sd_model_checkpoint", named);
        Integer skip = Fields.given(body, "CLIP_stop_at_last_layers") ? Fields.int32(body, "CLIP_stop_at_last_layers", 1, 1, 12) : null;
        String emph = Fields.string(body, "emphasis", null);
        if (emph != null) {
            try {
                EmphasisMode.fromA1111Name(emph);
            } catch (RuntimeException e) {
                throw ApiException.unprocessable("emphasis", "unknown emphasis mode '" + emph + "' (Original, No norm, Ignore, None)");
            }
        }
        LivePreviews.Method previewMethod = previewMethod(body);
        String format = Fields.string(body, "samples_format", null);
        if (format != null && !format.equalsIgnoreCase("png")) throw ApiException.unprocessable("samples_format", "only png is produced (got '" + format + "')");
        if (checkpoint != null) host.select(checkpoint);
        if (skip != null) clipSkip = skip;
        if (emph != null) emphasis = emph;
        if (previewMethod != null) queue.previews().method(previewMethod);
        synchronized (stored) {
            for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (List.of("sd_model_checkpoint", "CLIP_stop_at_last_layers", "emphasis", "samples_format", "show_progress_type").contains(e.getKey())) continue;
                if (stored.size() < MAX_OPTIONS || stored.containsKey(e.getKey())) stored.put(e.getKey(), e.getValue());
            }
        }
        ctx.json(Json.MAPPER.nullNode());
    }

    /** A1111's live preview method: Approx cheap, or TAESD when a decoder is loaded; null when not given. */
    private LivePreviews.Method previewMethod(ObjectNode body) {
        String name = Fields.string(body, "show_progress_type", null);
        if (name == null) return null;
        LivePreviews.Method m = LivePreviews.Method.fromA1111Name(name).orElseThrow(() -> ApiException.unprocessable("show_progress_type",
                "unsupported live preview method '" + name + "' (" + LivePreviews.names() + ")"));
        if (m == LivePreviews.Method.TAESD && queue.previews().taesd().isEmpty())
            throw ApiException.unprocessable("show_progress_type", "TAESD previews need a TAESD decoder: start the server with --taesd FILE");
        return m;
    }

    private void progress(Context ctx) {
        String task = ctx.queryParam("id_task") != null ? ctx.queryParam("id_task") : ctx.queryParam("task_id");
        boolean skipImage = "true".equalsIgnoreCase(ctx.queryParam("skip_current_image"));
        Job job = task != null ? queue.find(task).orElse(null) : queue.running().orElse(null);
        ObjectNode o = Json.object();
        ObjectNode state = Json.object();
        boolean active = job != null && !job.state().finished();
        double progress = job == null ? 0 : (job.state() == Job.State.QUEUED ? 0 : job.progress());
        o.put("progress", active ? progress : (job == null ? 0 : 1.0));
        double eta = 0;
        if (active && job.state() == Job.State.RUNNING && job.started != null && progress > 0) {
            double elapsed = (System.nanoTime() - job.createdNanos) / 1e9 - Math.max(0, job.queueWaitSeconds());
            eta = elapsed / progress - elapsed;
        }
        o.put("eta_relative", eta);
        state.put("skipped", false);
        state.put("interrupted", job != null && job.control.cancelled());
        state.put("stopping_generation", false);
        state.put("job", active ? "job " + job.id() : "");
        state.put("job_count", active ? job.imageCount : 0);
        state.put("job_timestamp", job == null ? "0" : JOB_TIMESTAMP.format(job.created()));
        state.put("job_no", active ? job.image : 0);
        state.put("sampling_step", active ? job.step : 0);
        state.put("sampling_steps", active ? job.steps : 0);
        if (job != null && task != null) {
            state.put("queued", job.state() == Job.State.QUEUED);
            state.put("queue_position", queue.position(job));
        }
        o.set("state", state);
        byte[] preview = active ? job.preview : null;
        if (preview != null && !skipImage) o.put("current_image", Base64.getEncoder().encodeToString(preview));
        else o.putNull("current_image");
        if (job != null && job.state() == Job.State.FAILED) o.put("textinfo", job.error());
        else o.putNull("textinfo");
        if (job != null) o.put("current_task", job.id());
        else o.putNull("current_task");
        ctx.json(o);
    }

    /**
     * A1111's per-task progress (what its own UI polls, keyed by the client's force_task_id):
     * active / queued / completed, progress and eta while active, a live preview newer than the
     * client's id_live_preview (the step it shows).
     */
    private void taskProgress(Context ctx) {
        ObjectNode body = Json.parseObject(ctx.bodyAsBytes());
        String task = Fields.string(body, "id_task", null, 200);
        if (task == null) throw ApiException.unprocessable("id_task", "is required");
        int shown = Fields.int32(body, "id_live_preview", -1, -1, Integer.MAX_VALUE);
        boolean wantPreview = Fields.bool(body, "live_preview", true);
        Job job = queue.find(task).orElse(null);
        ObjectNode o = Json.object();
        boolean active = job != null && job.state() == Job.State.RUNNING;
        o.put("active", active);
        o.put("queued", job != null && job.state() == Job.State.QUEUED);
        o.put("completed", job != null && job.state().finished());
        if (active) {
            double progress = job.progress();
            o.put("progress", progress);
            double elapsed = job.started == null ? 0 : (System.nanoTime() - job.createdNanos) / 1e9 - Math.max(0, job.queueWaitSeconds());
            if (progress > 0) o.put("eta", elapsed / progress - elapsed);
            else o.putNull("eta");
        } else {
            o.putNull("progress");
            o.putNull("eta");
        }
        byte[] preview = active ? job.preview : null;
        int previewId = job == null ? -1 : job.image * 100_000 + job.previewStep;
        if (wantPreview && preview != null && previewId != shown) {
            o.put("live_preview", "data:image/png;base64," + Base64.getEncoder().encodeToString(preview));
            o.put("id_live_preview", previewId);
        } else {
            o.putNull("live_preview");
            o.put("id_live_preview", shown);
        }
        if (job == null) o.put("textinfo", "Unknown task");
        else if (job.state() == Job.State.QUEUED) o.put("textinfo", "Waiting... (position " + queue.position(job) + ")");
        else if (job.state() == Job.State.FAILED) o.put("textinfo", job.error());
        else o.putNull("textinfo");
        ctx.json(o);
    }

    private void pngInfo(Context ctx) {
        ObjectNode body = Json.parseObject(ctx.bodyAsBytes());
        String image = Fields.string(body, "image", null);
        if (image == null || image.isBlank()) throw ApiException.unprocessable("image", "is required (a base64 PNG)");
        byte[] bytes = ImageDecoder.base64("image", image);
        ImageDecoder.checkBytes("image", bytes, serverOptions.limits().maxImagePixels());
        Map<String, String> text = PngText.read(bytes);
        ObjectNode o = Json.object();
        String parameters = text.getOrDefault("parameters", "");
        o.put("info", parameters);
        ObjectNode items = o.putObject("items");
        text.forEach((k, v) -> {
            if (!k.equals("parameters")) items.put(k, v);
        });
        ObjectNode parsed = o.putObject("parameters");
        InfotextReader.parse(parameters).forEach(parsed::put);
        ctx.json(o);
    }

    private ArrayNode sdModels() {
        ArrayNode a = Json.MAPPER.createArrayNode();
        String hash = host.hash();
        ModelCatalog.Entry loaded = host.loaded();
        for (ModelCatalog.Entry e : host.catalog().checkpoints()) {
            ObjectNode o = a.addObject();
            o.put("title", e.title());
            o.put("model_name", e.modelName());
            o.put("hash", e.equals(loaded) ? hash : null);
            o.putNull("sha256");
            o.put("filename", e.name());
            o.putNull("config");
        }
        return a;
    }

    /** A1111's {@code sd_upscalers} shape for the model-free image upscalers (None, Lanczos, Nearest; scale 4 as A1111 lists them). */
    private static ArrayNode upscalers() {
        ArrayNode a = Json.MAPPER.createArrayNode();
        for (ImageUpscaler u : ImageUpscaler.values()) {
            ObjectNode o = a.addObject();
            o.put("name", u.a1111Name());
            o.putNull("model_name");
            o.putNull("model_path");
            o.putNull("model_url");
            o.put("scale", 4);
        }
        return a;
    }

    /** The engine's hires upscalers, as A1111 lists its latent modes ({@code shared.latent_upscale_modes}). */
    private static ArrayNode latentUpscaleModes() {
        ArrayNode a = Json.MAPPER.createArrayNode();
        for (LatentUpscaler u : LatentUpscaler.values()) a.addObject().put("name", u.a1111Name());
        return a;
    }

    private ArrayNode loras() {
        ArrayNode a = Json.MAPPER.createArrayNode();
        for (ModelCatalog.Entry e : host.catalog().loras()) {
            ObjectNode o = a.addObject();
            String name = ModelCatalog.stem(e.name());
            String base = name.contains("/") ? name.substring(name.lastIndexOf('/') + 1) : name;
            o.put("name", base);
            o.put("alias", base);
            o.put("path", e.name());
            o.set("metadata", LoraMetadata.of(e.path()));
        }
        return a;
    }

    private ArrayNode vaes() {
        ArrayNode a = Json.MAPPER.createArrayNode();
        for (ModelCatalog.Entry e : host.catalog().vaes()) {
            ObjectNode o = a.addObject();
            o.put("model_name", e.name());
            o.put("filename", e.name());
        }
        return a;
    }

    private static ObjectNode memory() {
        ObjectNode o = Json.object();
        ObjectNode ram = o.putObject("ram");
        Runtime rt = Runtime.getRuntime();
        long total = rt.totalMemory(), free = rt.freeMemory();
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            ram.put("free", os.getFreeMemorySize());
            ram.put("used", os.getTotalMemorySize() - os.getFreeMemorySize());
            ram.put("total", os.getTotalMemorySize());
        } else {
            ram.put("free", free);
            ram.put("used", total - free);
            ram.put("total", total);
        }
        ObjectNode heap = o.putObject("jvm_heap");
        heap.put("free", free);
        heap.put("used", total - free);
        heap.put("total", total);
        heap.put("max", rt.maxMemory());
        o.putObject("cuda").put("error", "no CUDA: this engine runs on the CPU");
        return o;
    }

    private ObjectNode cmdFlags() {
        ObjectNode o = Json.object();
        o.put("api", true);
        o.put("nowebui", false);
        o.put("listen", !serverOptions.host().equals("127.0.0.1"));
        o.put("port", serverOptions.port());
        o.put("api_auth", serverOptions.credentials().isEmpty() ? null : "(set)");
        o.put("cors_allow_origins", String.join(",", serverOptions.corsOrigins()));
        o.put("queue_size", serverOptions.queueSize());
        o.put("use_cpu", "all");
        return o;
    }
}
