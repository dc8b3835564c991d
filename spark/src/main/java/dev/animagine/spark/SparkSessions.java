package dev.animagine.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * The SparkSession of one command. {@code --master} wins; under spark-submit its master is used; otherwise
 * Spark runs in this JVM on every core (local[*]), without a Spark installation.
 */
public final class SparkSessions {
    private SparkSessions() {}

    public static SparkSession open(String master, String appName) {
        SparkConf conf = new SparkConf(); // reads the spark.* system properties spark-submit sets
        String m = master != null ? master : conf.get("spark.master", "local[*]");
        SparkSession.Builder b = SparkSession.builder().appName(appName).master(m)
                .config("spark.sql.session.timeZone", "UTC");
        if (isLocal(m)) {
            b.config("spark.ui.enabled", conf.get("spark.ui.enabled", "false"));
            // smaller input splits than the default 128 MB: a progress bar that moves, and less memory per task
            b.config("spark.sql.files.maxPartitionBytes", conf.get("spark.sql.files.maxPartitionBytes", "32m"));
        }
        return b.getOrCreate();
    }

    public static boolean isLocal(String master) {
        return master.startsWith("local");
    }

    /** The master a session runs on. */
    public static String master(SparkSession spark) {
        return spark.sparkContext().master();
    }
}
