package dev.animagine.spark.cli;

/**
 * Spark logs every step at INFO by default; from the command line only warnings are shown unless the
 * user gave a log4j2 configuration (-Dlog4j2.configurationFile=...). Under spark-submit the cluster's
 * configuration applies and the job's per-partition progress lines appear in the driver log.
 */
final class QuietLogging {
    private QuietLogging() {}

    static void install() {
        if (System.getProperty("spark.master") != null) return; // spark-submit: keep the cluster's logging
        if (System.getProperty("log4j2.configurationFile") == null && System.getProperty("log4j.configurationFile") == null)
            System.setProperty("log4j2.configurationFile", "animagine-spark-log4j2.properties");
    }
}
