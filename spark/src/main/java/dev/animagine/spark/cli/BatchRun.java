package dev.animagine.spark.cli;

import dev.animagine.spark.SparkSessions;
import dev.animagine.spark.batch.BatchJob;
import dev.animagine.spark.batch.BatchOptions;
import dev.animagine.spark.batch.BatchResult;
import org.apache.spark.sql.SparkSession;

import java.io.PrintWriter;

/** Runs the batch job for the command: session, progress, the per-row outcome. */
final class BatchRun {
    private BatchRun() {}

    static int run(String master, BatchOptions o, boolean progress, PrintWriter out, PrintWriter err) {
        QuietLogging.install();
        SparkSession spark = SparkSessions.open(master, "animagine batch");
        boolean local = SparkSessions.isLocal(SparkSessions.master(spark));
        try (PartitionBar bar = new PartitionBar(progress && local, "batch")) {
            BatchJob.Outcome outcome = SparkErrors.unwrap(() -> BatchJob.run(spark, o, bar));
            bar.close();
            for (BatchResult r : outcome.results()) {
                if (r.status().equals("failed")) err.println("animagine: " + r.id() + ": " + r.error());
            }
            out.println(outcome.results().size() + " requests: " + outcome.count("generated") + " generated, "
                    + outcome.count("done") + " done before, " + outcome.count("failed") + " failed");
            out.println("results: " + outcome.table());
            out.flush();
            err.flush();
            return outcome.count("failed") == 0 ? 0 : 1;
        } finally {
            spark.stop();
        }
    }
}
