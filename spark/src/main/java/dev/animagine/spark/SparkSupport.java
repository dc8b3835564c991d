package dev.animagine.spark;

import dev.animagine.core.AnimagineException;

/**
 * Whether Spark is on the classpath. The CLI's jar does not carry Spark: the animagine launcher adds
 * Spark's jars for the commands that need them, and spark-submit provides them on a cluster.
 */
public final class SparkSupport {
    private SparkSupport() {}

    public static void require(String command) {
        try {
            Class.forName("org.apache.spark.sql.SparkSession", false, SparkSupport.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new AnimagineException(command + " needs Apache Spark on the classpath: run it through the ./animagine "
                    + "launcher (which adds Spark's jars), or submit animagine-spark-submit.jar with spark-submit");
        }
    }
}
