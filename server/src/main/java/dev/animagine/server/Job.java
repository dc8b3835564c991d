package dev.animagine.server;

import dev.animagine.core.service.PreparedRequest;
import dev.animagine.core.service.RunControl;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * One accepted request through its life: queued, running, then exactly one of done, cancelled or
 * failed. Progress fields are written by the worker and read by any request thread.
 */
public final class Job {
    public enum State {
        QUEUED, RUNNING, DONE, CANCELLED, FAILED;

        public boolean finished() {
            return this == DONE || this == CANCELLED || this == FAILED;
        }

        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** A finished image: its PNG (with the parameters chunk) and, when saved, the file's name. */
    public record Image(int index, long seed, byte[] png, String parameters, String file, int width, int height) {}

    /** Something that happened to the job, for event streams. */
    public record Event(String type, Object data) {}

    final String id;
    final JobSpec spec;
    final Instant created = Instant.now();
    final long createdNanos = System.nanoTime();
    final RunControl control;
    final CompletableFuture<Job> finished = new CompletableFuture<>();
    private final List<Consumer<Event>> listeners = new CopyOnWriteArrayList<>();

    volatile State state = State.QUEUED;
    volatile Instant started, ended;
    volatile long queueWaitNanos = -1;
    volatile String error;
    volatile int errorStatus;
    volatile String errorField;
    volatile PreparedRequest prepared;
    final List<Image> images = new CopyOnWriteArrayList<>();
    // progress
    volatile String phase;
    volatile int image, imageCount, step, steps;
    volatile double etaSeconds;
    volatile byte[] preview;
    volatile int previewStep;
    volatile int previewImage;

    Job(String id, JobSpec spec, Consumer<dev.animagine.core.service.GenerationEvent> engineListener) {
        this.id = id;
        this.spec = spec;
        this.control = new RunControl(engineListener);
        this.imageCount = spec.request().imageCount();
        this.steps = spec.request().steps();
    }

    public String id() {
        return id;
    }

    public JobSpec spec() {
        return spec;
    }

    public State state() {
        return state;
    }

    public Instant created() {
        return created;
    }

    public String error() {
        return error;
    }

    public int errorStatus() {
        return errorStatus;
    }

    public String errorField() {
        return errorField;
    }

    public PreparedRequest prepared() {
        return prepared;
    }

    public List<Image> images() {
        return List.copyOf(images);
    }

    public CompletableFuture<Job> finished() {
        return finished;
    }

    /** Seconds spent waiting in the queue, once started (-1 before). */
    public double queueWaitSeconds() {
        return queueWaitNanos < 0 ? -1 : queueWaitNanos / 1e9;
    }

    /** Overall progress 0..1 across the job's images. */
    public double progress() {
        if (state.finished()) return 1;
        if (state == State.QUEUED || steps == 0 || imageCount == 0) return 0;
        // a step of a batch advances all its images (img2img and hires make theirs one at a time)
        int batch = spec.request().img2img() || spec.request().hires() != null ? 1 : spec.request().batchSize();
        return Math.min(1, (image + (double) step / steps * Math.min(batch, imageCount - image)) / imageCount);
    }

    /** Listens to this job's events; the listener is dropped by {@link #unsubscribe}. */
    public void subscribe(Consumer<Event> listener) {
        listeners.add(listener);
    }

    public void unsubscribe(Consumer<Event> listener) {
        listeners.remove(listener);
    }

    void emit(String type, Object data) {
        Event e = new Event(type, data);
        for (Consumer<Event> l : new ArrayList<>(listeners)) {
            try {
                l.accept(e);
            } catch (RuntimeException ignored) {
                // a listener that fails (a closed stream) must not disturb the job
            }
        }
    }
}
