package dev.animagine.cli;

import dev.animagine.core.pipeline.StableDiffusionXLPipeline;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.time.Duration;

/** The sampling progress bar (steps, seconds per step, ETA) on stderr; silent when disabled. */
final class Progress implements StableDiffusionXLPipeline.Listener, AutoCloseable {
    private final boolean enabled;
    private final PrintWriter err;
    private final String task;
    private ProgressBar bar;
    private long lastStep = System.nanoTime();

    private Progress(boolean enabled, PrintWriter err, String task) {
        this.enabled = enabled;
        this.err = err;
        this.task = task;
    }

    static Progress start(boolean enabled, PrintWriter err, String task) {
        return new Progress(enabled, err, task);
    }

    @Override
    public void onPhase(String phase) {
        if (!enabled) return;
        switch (phase) {
            case "text" -> err.println("animagine: encoding the prompts");
            case "vae" -> {
                closeBar();
                err.println("animagine: decoding the image");
            }
            default -> {}
        }
        err.flush();
    }

    @Override
    public void onStep(int step, int total) {
        if (!enabled) return;
        long now = System.nanoTime();
        if (bar == null) {
            bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
                    .setUpdateIntervalMillis(250)
                    .setConsumer(new ConsoleProgressBarConsumer(new PrintStream(System.err, true)))
                    .setMaxRenderedLength(100).build();
        }
        double secs = Duration.ofNanos(now - lastStep).toMillis() / 1000.0;
        lastStep = now;
        bar.setExtraMessage(String.format(" %.2f s/step", secs));
        bar.stepTo(step);
    }

    private void closeBar() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }

    @Override
    public void close() {
        closeBar();
    }
}
