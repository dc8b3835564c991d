package dev.animagine.server;

import dev.animagine.core.InvalidArgumentException;
import dev.animagine.core.InvalidRequestException;
import dev.animagine.core.pipeline.ImageOutput;
import dev.animagine.core.pipeline.LatentPreview;
import dev.animagine.core.pipeline.LivePreviews;
import dev.animagine.core.pipeline.PngFiles;
import dev.animagine.core.service.GeneratedImage;
import dev.animagine.core.service.GenerationEvent;
import dev.animagine.core.service.GenerationResult;
import dev.animagine.core.service.PreparedRequest;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

/**
 * The bounded FIFO of jobs and the one worker thread that runs them on the loaded model. Every
 * accepted job ends exactly once as done, cancelled or failed (also at shutdown), and completes its
 * {@link Job#finished()} future; a job that throws fails alone and the worker goes on.
 */
public final class JobQueue implements AutoCloseable {
    /** Finished jobs kept for listings and lookups; the newest few keep their PNGs in memory too. */
    private static final int KEEP_FINISHED = 100, KEEP_PNGS = 4;
    private static final Pattern TASK_ID = Pattern.compile("[A-Za-z0-9_().:-]{1,64}");

    private final ModelHost host;
    private final Path outputs;
    private final int capacity;
    private final int previewEvery;
    private final LivePreviews previews;
    private final Deque<Job> waiting = new ArrayDeque<>();
    private final Map<String, Job> jobs = new LinkedHashMap<>();
    private final Deque<Job> finishedOrder = new ArrayDeque<>();
    private final Thread worker;
    private Job running;
    private boolean accepting = true;
    private final AtomicLong accepted = new AtomicLong(), done = new AtomicLong(), cancelled = new AtomicLong(), failed = new AtomicLong();
    private final List<Double> queueWaits = new ArrayList<>();

    public JobQueue(ModelHost host, Path outputs, int capacity, int previewEvery) {
        this(host, outputs, capacity, previewEvery, LivePreviews.cheap());
    }

    public JobQueue(ModelHost host, Path outputs, int capacity, int previewEvery, LivePreviews previews) {
        this.previews = previews;
        this.host = host;
        this.outputs = outputs;
        this.capacity = capacity;
        this.previewEvery = previewEvery;
        this.worker = Thread.ofPlatform().name("animagine-worker").daemon(true).unstarted(this::work);
        worker.start();
    }

    /** Accepts a job or refuses it at once: 503 with Retry-After when the queue is full or the server stops. */
    public Job submit(JobSpec spec) {
        AtomicReference<Job> self = new AtomicReference<>();
        String id = spec.taskId() == null ? UUID.randomUUID().toString() : spec.taskId();
        if (spec.taskId() != null && !TASK_ID.matcher(spec.taskId()).matches())
            throw ApiException.unprocessable("force_task_id", "must be 1 to 64 letters, digits or _().:- characters");
        Job job = new Job(id, spec, e -> onEngineEvent(self.get(), e));
        self.set(job);
        synchronized (this) {
            if (!accepting) throw ApiException.busy("the server is shutting down", 30);
            if (waiting.size() >= capacity)
                throw ApiException.busy("the queue is full (" + capacity + " jobs waiting); retry later", retryAfterSeconds());
            Job old = jobs.get(id);
            if (old != null && !old.state.finished())
                throw new ApiException(409, "HTTPException", "force_task_id", "force_task_id: a job with id '" + id + "' is still active");
            if (old != null) forget(old);
            jobs.put(id, job);
            waiting.addLast(job);
            accepted.incrementAndGet();
            notifyAll();
        }
        job.emit("queued", Map.of("id", id, "position", position(job)));
        return job;
    }

    private int retryAfterSeconds() {
        return Math.max(1, Math.min(300, waiting.size() * 5));
    }

    /** Jobs ahead of this one, the running job included; 0 when it runs or is next with nothing running; -1 when finished. */
    public synchronized int position(Job job) {
        if (job.state == Job.State.RUNNING) return 0;
        if (job.state.finished()) return -1;
        int i = 0;
        for (Job j : waiting) {
            if (j == job) return i + (running == null ? 0 : 1);
            i++;
        }
        return -1;
    }

    public synchronized Optional<Job> find(String id) {
        return Optional.ofNullable(jobs.get(id));
    }

    /** Waiting, running and recently finished jobs, oldest first. */
    public synchronized List<Job> list() {
        return new ArrayList<>(jobs.values());
    }

    public synchronized Optional<Job> running() {
        return Optional.ofNullable(running);
    }

    public synchronized int waitingCount() {
        return waiting.size();
    }

    public int capacity() {
        return capacity;
    }

    /** Cancels one job: a waiting one ends at once, a running one within one UNet evaluation. */
    public boolean cancel(String id) {
        Job job;
        synchronized (this) {
            job = jobs.get(id);
            if (job == null || job.state.finished()) return false;
            if (job.state == Job.State.QUEUED) {
                waiting.remove(job);
                job.state = Job.State.CANCELLED;
            }
        }
        if (job.state == Job.State.CANCELLED) {
            end(job);
            emitPositions();
        } else {
            job.control.cancel();
        }
        return true;
    }

    /** A1111's interrupt: cancels the running job only. */
    public void interrupt() {
        Job r;
        synchronized (this) {
            r = running;
        }
        if (r != null) r.control.cancel();
    }

    /** A1111's skip: ends the running job's current image, the batch goes on. */
    public void skip() {
        Job r;
        synchronized (this) {
            r = running;
        }
        if (r != null) r.control.skip();
    }

    /** Counts and queue waits since start. */
    public synchronized Stats stats() {
        return new Stats(accepted.get(), done.get(), cancelled.get(), failed.get(), waiting.size(), running == null ? 0 : 1, List.copyOf(queueWaits));
    }

    public record Stats(long accepted, long done, long cancelled, long failed, int waiting, int running, List<Double> queueWaitSeconds) {}

    private void work() {
        while (true) {
            Job job;
            synchronized (this) {
                while (waiting.isEmpty() && accepting) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (waiting.isEmpty()) return;
                job = waiting.removeFirst();
                job.state = Job.State.RUNNING;
                running = job;
                job.queueWaitNanos = System.nanoTime() - job.createdNanos;
                queueWaits.add(job.queueWaitSeconds());
            }
            job.started = Instant.now();
            job.emit("started", Map.of("id", job.id, "queue_wait_seconds", job.queueWaitSeconds()));
            emitPositions();
            run(job);
            synchronized (this) {
                running = null;
            }
            end(job);
        }
    }

    private void run(Job job) {
        try {
            ModelCatalog.Entry checkpoint = job.spec.checkpoint();
            try {
                host.ensure(checkpoint);
            } catch (RuntimeException e) {
                // the client named the model; it is told the name, never the server's path
                String reason = String.valueOf(e.getMessage()).replace(checkpoint.path().toString(), checkpoint.title());
                throw new ApiException(500, "HTTPException", "sd_model_checkpoint", "sd_model_checkpoint: cannot open '"
                        + checkpoint.title() + "': " + reason);
            }
            PreparedRequest prepared = host.withService(s -> s.prepare(job.spec.request()));
            job.prepared = prepared;
            job.emit("prepared", Map.of("seed", prepared.seed(), "prompt", prepared.prompt().prompt(),
                    "negative_prompt", prepared.prompt().negativePrompt(), "width", prepared.prompt().width(), "height", prepared.prompt().height()));
            GenerationResult result = host.withService(s -> s.generate(prepared, job.control));
            // the result's tensors (pixels, latents, embeddings) are not kept: the job keeps its PNGs only
            job.state = result.cancelled() ? Job.State.CANCELLED : Job.State.DONE;
        } catch (InvalidRequestException e) {
            fail(job, 422, e.field(), e.getMessage());
        } catch (InvalidArgumentException e) {
            fail(job, 422, null, e.getMessage());
        } catch (ApiException e) {
            fail(job, e.status(), e.field(), e.getMessage());
        } catch (Throwable t) {
            fail(job, 500, null, "generation failed: " + t);
            System.err.println("animagine serve: job " + job.id + " failed: " + t);
        }
    }

    private static void fail(Job job, int status, String field, String message) {
        job.errorStatus = status;
        job.errorField = field;
        job.error = message;
        job.state = Job.State.FAILED;
    }

    /** The one place a job ends: counts it, completes its future, tells its listeners, trims the history. */
    private void end(Job job) {
        job.ended = Instant.now();
        switch (job.state) {
            case DONE -> done.incrementAndGet();
            case CANCELLED -> cancelled.incrementAndGet();
            default -> {
                job.state = Job.State.FAILED;
                failed.incrementAndGet();
            }
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("id", job.id);
        data.put("state", job.state.id());
        if (job.error != null) data.put("error", job.error);
        data.put("images", job.images.size());
        job.emit(job.state == Job.State.DONE ? "done" : job.state.id(), data);
        job.preview = null;
        job.finished.complete(job);
        synchronized (this) {
            finishedOrder.addLast(job);
            // in-memory PNGs of unsaved images outlive their job a little (for a client reading it back), not longer
            if (finishedOrder.size() > KEEP_PNGS) release(new ArrayList<>(finishedOrder).get(finishedOrder.size() - KEEP_PNGS - 1));
            while (finishedOrder.size() > KEEP_FINISHED) forget(finishedOrder.removeFirst());
        }
    }

    /**
     * Drops a finished job's in-memory PNGs (saved images stay available by URL). Synchronous APIs
     * call it once they have sent the images.
     */
    public void release(Job job) {
        for (int i = 0; i < job.images.size(); i++) {
            Job.Image im = job.images.get(i);
            if (im.png() != null) job.images.set(i, new Job.Image(im.index(), im.seed(), null, im.parameters(), im.file(), im.width(), im.height()));
        }
    }

    private void forget(Job job) {
        jobs.remove(job.id, job);
        finishedOrder.remove(job);
    }

    private void emitPositions() {
        List<Job> snapshot;
        synchronized (this) {
            snapshot = new ArrayList<>(waiting);
        }
        for (Job j : snapshot) j.emit("position", Map.of("position", position(j)));
    }

    /** The engine's events on the worker thread: progress fields, previews, finished images. */
    private void onEngineEvent(Job job, GenerationEvent e) {
        switch (e) {
            case GenerationEvent.PhaseStarted p -> {
                job.phase = p.stage().name().toLowerCase(java.util.Locale.ROOT);
                job.image = p.image();
                job.imageCount = p.images();
                job.emit("phase", Map.of("phase", job.phase, "image", p.image(), "images", p.images()));
            }
            case GenerationEvent.StepDone s -> {
                job.image = s.image();
                job.step = s.step();
                job.steps = s.steps();
                job.etaSeconds = s.etaSeconds();
                Map<String, Object> data = new LinkedHashMap<>();
                data.put("image", s.image());
                data.put("images", s.images());
                data.put("step", s.step());
                data.put("steps", s.steps());
                data.put("eta_seconds", s.etaSeconds());
                data.put("progress", job.progress());
                if (previewEvery > 0 && (s.step() % previewEvery == 0 || s.step() == s.steps())) {
                    byte[] png = preview(s.latents());
                    if (png != null) {
                        job.preview = png;
                        job.previewStep = s.step();
                        job.previewImage = s.image();
                        data.put("preview", "data:image/png;base64," + java.util.Base64.getEncoder().encodeToString(png));
                    }
                }
                job.emit("step", data);
            }
            case GenerationEvent.ImageFinished f -> {
                Job.Image im = keep(job, f.result());
                job.images.add(im);
                Map<String, Object> data = new LinkedHashMap<>();
                data.put("index", im.index());
                data.put("seed", im.seed());
                data.put("width", im.width());
                data.put("height", im.height());
                if (im.file() != null) data.put("url", "/api/v1/images/" + im.file());
                job.emit("image", data);
            }
            case GenerationEvent.ImageSkipped k -> job.emit("skipped", Map.of("image", k.image()));
            case GenerationEvent.RunCancelled c -> job.emit("cancelling", Map.of("image", c.image()));
        }
    }

    private Job.Image keep(Job job, GeneratedImage g) {
        String file = null;
        if (job.spec.save()) {
            Path written = ImageOutput.of(outputs, 1).write(g.result().image(), g.parameters(), g.seed(), g.index());
            file = written.getFileName().toString();
        }
        // native jobs and OpenAI URLs serve saved images from disk: no copy in memory
        boolean byUrl = file != null && !job.spec.api().equals("a1111") && !job.spec.api().equals("openai-b64");
        return new Job.Image(g.index(), g.seed(), byUrl ? null : g.png(), g.parameters(), file, g.width(), g.height());
    }

    /** How previews are drawn; A1111's show_progress_type option switches it. */
    public LivePreviews previews() {
        return previews;
    }

    /** Runs on the worker between steps (TAESD uses a buffer pool of its own, not the run's). */
    private byte[] preview(GenerationEvent.LatentSnapshot l) {
        if (l == null || l.channels() != 4) return null;
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BufferedImage image;
            try {
                image = previews.render(l.data(), l.channels(), l.height(), l.width());
            } catch (OutOfMemoryError e) {
                // a full-size TAESD preview of a huge image: its arrays are garbage now; the cheap fit still shows progress
                image = LatentPreview.toImage(l.data(), l.channels(), l.height(), l.width());
            }
            PngFiles.write(image, Map.of(), out);
            return out.toByteArray();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    public Path outputs() {
        return outputs;
    }

    /**
     * Stops taking jobs, cancels the waiting ones, lets the running one finish for {@code grace},
     * then cancels it; returns when the worker has ended.
     */
    public void shutdown(Duration grace) {
        List<Job> dropped;
        Job r;
        synchronized (this) {
            accepting = false;
            dropped = new ArrayList<>(waiting);
            waiting.clear();
            for (Job j : dropped) j.state = Job.State.CANCELLED;
            r = running;
            notifyAll();
        }
        for (Job j : dropped) end(j);
        if (r != null) {
            try {
                r.finished.get(grace.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception timeout) {
                r.control.cancel();
            }
        }
        try {
            worker.join(Duration.ofSeconds(60));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        shutdown(Duration.ZERO);
    }
}
