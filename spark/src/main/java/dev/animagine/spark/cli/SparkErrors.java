package dev.animagine.spark.cli;

import dev.animagine.core.AnimagineException;

import java.io.IOException;
import java.util.function.Supplier;

/** Turns a failed Spark task back into the error that failed it, for a one-line message. */
final class SparkErrors {
    private SparkErrors() {}

    static <T> T unwrap(Supplier<T> job) {
        try {
            return job.get();
        } catch (AnimagineException e) {
            throw e;
        } catch (RuntimeException e) {
            for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
                if (t instanceof AnimagineException a) throw a;
                if (t instanceof IOException io) throw new AnimagineException("I/O error: " + io.getMessage(), io);
            }
            throw e;
        }
    }
}
