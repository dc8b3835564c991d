package dev.animagine.spark.cli;

import dev.animagine.core.io.AtomicFiles;

import java.nio.file.Path;

/** Refuses an existing local output before Spark starts (the job checks again, on any file system). */
final class OutputCheck {
    private OutputCheck() {}

    static void refuseExistingLocal(String output) {
        if (output.matches("^[A-Za-z][A-Za-z0-9+.-]+:.*") && !output.startsWith("file:")) return; // hdfs://, s3a://...
        String path = output.startsWith("file:") ? output.substring("file:".length()) : output;
        AtomicFiles.refuseExisting(Path.of(path), false);
    }
}
