package dev.animagine.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.animagine.core.animagine.AnimagineVersion;
import dev.animagine.core.animagine.ImageSize;
import dev.animagine.core.animagine.ModelFileName;
import dev.animagine.core.animagine.PromptResult;
import dev.animagine.core.animagine.PromptWarning;
import dev.animagine.core.animagine.ResolutionBuckets;
import dev.animagine.core.service.PreparedRequest;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The native API: jobs that answer at once with an id and a queue position, their state and images
 * by URL, server-sent progress events with live previews, and the helpers the web UI needs (the
 * prompt the Animagine conventions build, the loaded model's facts).
 */
final class JobApi {
    /** Images are served by bare file name from the outputs folder: no separators, no dot-dot. */
    private static final int EVENT_BUFFER = 256;
    private static final java.util.Set<String> TERMINAL = java.util.Set.of("done", "cancelled", "failed");
    private static final Pattern IMAGE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,200}\\.png");

    private final ServerOptions options;
    private final ModelHost host;
    private final JobQueue queue;

    JobApi(ServerOptions options, ModelHost host, JobQueue queue) {
        this.options = options;
        this.host = host;
        this.queue = queue;
    }

    void register(RoutesConfig r) {
        r.post("/api/v1/jobs", this::submit);
        r.get("/api/v1/jobs", this::list);
        r.before("/api/v1/jobs/{id}/events", ctx -> job(ctx.pathParam("id")));
        r.sse("/api/v1/jobs/{id}/events", this::events);
        r.get("/api/v1/jobs/{id}", ctx -> ctx.json(describe(job(ctx.pathParam("id")), true)));
        r.delete("/api/v1/jobs/{id}", this::cancel);
        r.get("/api/v1/images/{file}", this::image);
        r.post("/api/v1/prompt", this::prompt);
        r.get("/api/v1/model", this::model);
    }

    private Job job(String id) {
        return queue.find(id).orElseThrow(() -> ApiException.notFound("no job with id '" + id + "' (finished jobs are kept for a while only)"));
    }

    private void submit(Context ctx) {
        JobSpec spec = NativeRequests.parse(Json.parseObject(ctx.bodyAsBytes()), host, options.limits());
        Job job = queue.submit(spec);
        ctx.attribute(AccessLog.JOB_ATTRIBUTE, job.id());
        ObjectNode o = Json.object();
        o.put("id", job.id());
        o.put("position", queue.position(job));
        o.put("state", job.state().id());
        o.put("url", "/api/v1/jobs/" + job.id());
        o.put("events_url", "/api/v1/jobs/" + job.id() + "/events");
        ctx.status(202).json(o);
    }

    private void list(Context ctx) {
        ObjectNode o = Json.object();
        ArrayNode jobs = o.putArray("jobs");
        for (Job j : queue.list()) jobs.add(describe(j, false));
        ObjectNode q = o.putObject("queue");
        q.put("waiting", queue.waitingCount());
        q.put("capacity", queue.capacity());
        q.put("running", queue.running().map(Job::id).orElse(null));
        ctx.json(o);
    }

    private void cancel(Context ctx) {
        Job job = job(ctx.pathParam("id"));
        boolean cancelled = queue.cancel(job.id());
        ObjectNode o = Json.object();
        o.put("id", job.id());
        o.put("cancelled", cancelled);
        o.put("state", job.state().id());
        ctx.json(o);
    }

    /** A job as JSON: state, position, progress, its final prompt and images (URLs), error. */
    ObjectNode describe(Job job, boolean full) {
        ObjectNode o = Json.object();
        o.put("id", job.id());
        o.put("state", job.state().id());
        o.put("api", job.spec().api());
        o.put("position", queue.position(job));
        o.put("created", job.created().toString());
        if (job.started != null) o.put("started", job.started.toString());
        if (job.ended != null) o.put("ended", job.ended.toString());
        if (job.queueWaitSeconds() >= 0) o.put("queue_wait_seconds", job.queueWaitSeconds());
        o.put("model", job.spec().checkpoint().title());
        ObjectNode p = o.putObject("progress");
        p.put("progress", job.progress());
        p.put("phase", job.phase);
        p.put("image", job.image);
        p.put("images", job.imageCount);
        p.put("step", job.step);
        p.put("steps", job.steps);
        p.put("eta_seconds", job.etaSeconds);
        o.put("prompt", job.spec().request().prompt());
        PreparedRequest prepared = job.prepared();
        if (prepared != null) {
            o.put("final_prompt", prepared.prompt().prompt());
            o.put("final_negative_prompt", prepared.prompt().negativePrompt());
            o.put("seed", prepared.seed());
            o.put("width", prepared.prompt().width());
            o.put("height", prepared.prompt().height());
            if (full) o.set("warnings", warnings(prepared.prompt()));
        }
        ArrayNode images = o.putArray("images");
        for (Job.Image im : job.images()) {
            ObjectNode i = images.addObject();
            i.put("index", im.index());
            i.put("seed", im.seed());
            i.put("width", im.width());
            i.put("height", im.height());
            if (im.file() != null) i.put("url", "/api/v1/images/" + im.file());
            if (full) i.put("parameters", im.parameters());
        }
        if (job.error() != null) {
            o.put("error", job.error());
            if (job.errorField() != null) o.put("error_field", job.errorField());
        }
        return o;
    }

    private static ArrayNode warnings(PromptResult r) {
        ArrayNode a = Json.MAPPER.createArrayNode();
        for (PromptWarning w : r.warnings()) {
            ObjectNode o = a.addObject();
            o.put("code", w.code());
            o.put("message", w.message());
            o.put("note", w.isNote());
        }
        return a;
    }

    /**
     * Server-sent events: a snapshot first ("state"), then queued/position/started/phase/step (with
     * a preview data URL every few steps)/image (with its URL), and one of done, cancelled or
     * failed, after which the stream closes.
     */
    private void events(SseClient client) {
        Job job = queue.find(client.ctx().pathParam("id")).orElse(null);
        if (job == null) {
            client.close();
            return;
        }
        // the worker only enqueues; this request's thread writes, so a slow client never slows a generation
        BlockingQueue<Job.Event> pending = new ArrayBlockingQueue<>(EVENT_BUFFER);
        Consumer<Job.Event> listener = e -> {
            while (!pending.offer(e)) pending.poll(); // a client far behind loses the oldest events, never the last
        };
        job.subscribe(listener);
        try {
            client.sendEvent("state", describe(job, false));
            boolean finishedBefore = job.state().finished();
            while (!client.terminated()) {
                Job.Event e = pending.poll(finishedBefore ? 0 : 15, TimeUnit.SECONDS);
                if (e == null && finishedBefore) {
                    // it ended before this stream subscribed: say how
                    client.sendEvent(job.state() == Job.State.DONE ? "done" : job.state().id(),
                            Map.of("id", job.id(), "state", job.state().id(), "images", job.images().size()));
                    break;
                }
                if (e == null) {
                    client.sendComment("keep-alive");
                    continue;
                }
                client.sendEvent(e.type(), e.data());
                if (TERMINAL.contains(e.type())) break;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            job.unsubscribe(listener);
            client.close();
        }
    }

    private void image(Context ctx) throws IOException {
        String name = ctx.pathParam("file");
        if (!IMAGE_NAME.matcher(name).matches() || name.contains(".."))
            throw ApiException.badRequest("file", "'" + name + "' is not an image name (NNNNN-SEED.png)");
        Path dir = options.outputs().toAbsolutePath().normalize();
        Path file = dir.resolve(name).normalize();
        if (!file.getParent().equals(dir) || !Files.isRegularFile(file)) throw ApiException.notFound("no image named '" + name + "'");
        ctx.contentType("image/png");
        ctx.header("Cache-Control", "private, max-age=86400, immutable");
        ctx.result(Files.readAllBytes(file));
    }

    /** The prompt the Animagine conventions build from a job body, without generating. */
    private void prompt(Context ctx) {
        JobSpec spec = NativeRequests.parse(Json.parseObject(ctx.bodyAsBytes()), host, options.limits());
        ObjectNode o = host.withService(s -> {
            PreparedRequest p = s.prepare(spec.request());
            PromptResult r = p.prompt();
            ObjectNode out = Json.object();
            out.put("prompt", r.prompt());
            out.put("negative_prompt", r.negativePrompt());
            out.put("width", r.width());
            out.put("height", r.height());
            out.put("seed", p.seed());
            out.put("version", r.version().number());
            out.set("warnings", warnings(r));
            ObjectNode tokens = out.putObject("token_counts");
            tokens.put("prompt", s.tokenCounter().count(r.prompt()));
            tokens.put("negative_prompt", s.tokenCounter().count(r.negativePrompt()));
            ObjectNode rec = out.putObject("recommended");
            rec.put("sampler", r.recommended().sampler());
            rec.put("steps", r.recommended().steps());
            rec.put("cfg_scale", r.recommended().cfg());
            rec.put("advice", r.recommended().advice());
            return out;
        });
        ctx.json(o);
    }

    private void model(Context ctx) {
        ModelCatalog.Entry loaded = host.loaded();
        ObjectNode o = Json.object();
        o.put("name", loaded.modelName());
        o.put("title", loaded.title());
        o.put("selected", host.selected().title());
        o.put("hash", host.hash());
        var fileName = ModelFileName.of(loaded.name());
        AnimagineVersion version = fileName.flatMap(ModelFileName::version).orElse(AnimagineVersion.DEFAULT);
        o.put("animagine_version", version.number());
        o.put("animagine_version_from_file_name", fileName.isPresent());
        o.put("label", fileName.map(ModelFileName::label).orElse(version.modelName()));
        ArrayNode sizes = o.putArray("trained_resolutions");
        for (ImageSize s : ResolutionBuckets.ALL) {
            ObjectNode e = sizes.addObject();
            e.put("width", s.width());
            e.put("height", s.height());
        }
        ObjectNode def = o.putObject("default_size");
        def.put("width", ResolutionBuckets.DEFAULT.width());
        def.put("height", ResolutionBuckets.DEFAULT.height());
        ArrayNode models = o.putArray("models");
        for (ModelCatalog.Entry e : host.catalog().checkpoints()) models.add(e.title());
        ctx.json(o);
    }
}
