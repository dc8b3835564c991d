package dev.animagine.core.service;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * A run's handle for the caller: its event listener, and cancel / skip, which any thread may call
 * at any time. The engine looks at the flags between UNet evaluations, so a cancel takes effect
 * within one evaluation; a cancelled image is not decoded. One control belongs to one run.
 */
public final class RunControl {
    private final Consumer<GenerationEvent> listener;
    private volatile boolean cancelled;
    private volatile boolean skipRequested;

    public RunControl(Consumer<GenerationEvent> listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /** A control nobody listens to. */
    public static RunControl silent() {
        return new RunControl(e -> {});
    }

    /** Stops the run: the current image is dropped and no further image is started. */
    public void cancel() {
        cancelled = true;
    }

    /** Ends the current image of a batch (not decoded) and goes on with the next. */
    public void skip() {
        skipRequested = true;
    }

    public boolean cancelled() {
        return cancelled;
    }

    void emit(GenerationEvent event) {
        listener.accept(event);
    }

    /**
     * Called by the engine between evaluations: throws when the run was cancelled or the image
     * skipped (the skip request is consumed, so the next image runs).
     */
    void checkpoint() {
        if (cancelled) throw new RunInterruptedException(true);
        if (skipRequested) {
            skipRequested = false;
            throw new RunInterruptedException(false);
        }
    }

    /** Unwinds an image's computation; caught by the service. */
    static final class RunInterruptedException extends RuntimeException {
        final boolean cancel;

        RunInterruptedException(boolean cancel) {
            super(cancel ? "cancelled" : "skipped", null, false, false);
            this.cancel = cancel;
        }
    }
}
