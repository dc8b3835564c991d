package dev.animagine.spark.cli;

import dev.animagine.spark.SparkSessions;
import dev.animagine.spark.captions.CaptionJob;
import dev.animagine.spark.captions.CaptionOptions;
import dev.animagine.spark.captions.CaptionSummary;
import org.apache.spark.sql.SparkSession;

import java.io.PrintWriter;

/** Runs the captions job for the command: session, progress, summary. */
final class CaptionsRun {
    private CaptionsRun() {}

    static void run(String master, CaptionOptions o, boolean progress, PrintWriter out, PrintWriter err) {
        QuietLogging.install();
        SparkSession spark = SparkSessions.open(master, "animagine dataset captions");
        boolean local = SparkSessions.isLocal(SparkSessions.master(spark));
        long start = System.nanoTime();
        try (PartitionBar bar = new PartitionBar(progress && local, "captions")) {
            CaptionSummary summary = SparkErrors.unwrap(() -> CaptionJob.run(spark, o, bar));
            bar.close();
            out.print(summary.render());
            out.printf("wrote %s in %.1f s%n", o.output(), (System.nanoTime() - start) / 1e9);
            out.flush();
        } finally {
            spark.stop();
        }
    }
}
