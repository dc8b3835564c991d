package dev.animagine.spark.cli;

import dev.animagine.spark.captions.CaptionJob;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;

/** A progress bar over a job's partitions on stderr (local mode); silent when disabled. */
final class PartitionBar implements CaptionJob.Listener, AutoCloseable {
    private final boolean enabled;
    private final String task;
    private ProgressBar bar;

    PartitionBar(boolean enabled, String task) {
        this.enabled = enabled;
        this.task = task;
    }

    @Override
    public synchronized void started(int partitions) {
        if (!enabled) return;
        bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(partitions).setStyle(ProgressBarStyle.ASCII)
                .setUnit(" partitions", 1).setUpdateIntervalMillis(250)
                .setConsumer(new ConsoleProgressBarConsumer(new PrintStream(System.err, true)))
                .setMaxRenderedLength(100).build();
    }

    @Override
    public synchronized void partitionDone(int done, int total) {
        if (bar != null) bar.stepTo(done);
    }

    @Override
    public synchronized void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
