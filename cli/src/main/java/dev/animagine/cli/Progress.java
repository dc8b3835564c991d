package dev.animagine.cli;

import dev.animagine.core.service.GenerationEvent;
import dev.animagine.core.service.RunControl;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;
import java.io.PrintWriter;

/** The sampling progress bar (steps, seconds per step, ETA) on stderr, fed by the run's events; silent when disabled. */
final class Progress implements AutoCloseable {
    private final boolean enabled;
    private final PrintWriter err;
    private final RunControl control;
    private ProgressBar bar;

    private Progress(boolean enabled, PrintWriter err) {
        this.enabled = enabled;
        this.err = err;
        this.control = new RunControl(this::on);
    }

    static Progress start(boolean enabled, PrintWriter err) {
        return new Progress(enabled, err);
    }

    /** The run's control, whose events drive this bar. */
    RunControl control() {
        return control;
    }

    private void on(GenerationEvent event) {
        if (!enabled) return;
        switch (event) {
            case GenerationEvent.PhaseStarted p -> {
                switch (p.stage()) {
                    case TEXT_ENCODING -> err.println("animagine: encoding the prompts" + of(p));
                    case VAE_DECODING -> {
                        closeBar();
                        err.println("animagine: decoding the image" + of(p));
                    }
                    case VAE_ENCODING -> err.println("animagine: encoding the init image" + of(p));
                    case HIRES -> {
                        closeBar();
                        err.println("animagine: hires pass" + of(p));
                    }
                    case DENOISING -> {}
                }
                err.flush();
            }
            case GenerationEvent.StepDone s -> step(s);
            case GenerationEvent.ImageSkipped s -> {
                closeBar();
                err.println("animagine: skipped image " + (s.image() + 1));
            }
            case GenerationEvent.RunCancelled c -> closeBar();
            case GenerationEvent.ImageFinished f -> {}
        }
    }

    private static String of(GenerationEvent e) {
        return e.images() > 1 ? " (image " + (e.image() + 1) + "/" + e.images() + ")" : "";
    }

    private void step(GenerationEvent.StepDone s) {
        if (bar == null) {
            String task = s.images() > 1 ? "Image " + (s.image() + 1) + "/" + s.images() : "Sampling";
            bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(s.steps()).setStyle(ProgressBarStyle.ASCII)
                    .setUpdateIntervalMillis(250)
                    .setConsumer(new ConsoleProgressBarConsumer(new PrintStream(System.err, true)))
                    .setMaxRenderedLength(100).build();
        }
        bar.setExtraMessage(String.format(" %.2f s/step", s.secondsPerStep()));
        bar.stepTo(s.step());
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
