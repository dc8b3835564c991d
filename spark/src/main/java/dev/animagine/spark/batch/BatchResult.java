package dev.animagine.spark.batch;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.Serializable;

/**
 * One row of the results table. {@code status}: {@code generated} (this run), {@code done} (found from
 * an earlier run), {@code failed} (with the error; rerunning retries it).
 */
public record BatchResult(String id, String status, String file, Long seed, Integer width, Integer height,
                          String prompt, String negativePrompt, String parameters, String error, double seconds) implements Serializable {
    public static final StructType SCHEMA = new StructType()
            .add("id", DataTypes.StringType, false)
            .add("status", DataTypes.StringType, false)
            .add("file", DataTypes.StringType)
            .add("seed", DataTypes.LongType)
            .add("width", DataTypes.IntegerType)
            .add("height", DataTypes.IntegerType)
            .add("prompt", DataTypes.StringType)
            .add("negative_prompt", DataTypes.StringType)
            .add("parameters", DataTypes.StringType)
            .add("error", DataTypes.StringType)
            .add("seconds", DataTypes.DoubleType, false);

    static BatchResult failed(String id, String error, double seconds) {
        return new BatchResult(id, "failed", null, null, null, null, null, null, null, error, seconds);
    }

    BatchResult asDone() {
        return new BatchResult(id, "done", file, seed, width, height, prompt, negativePrompt, parameters, error, 0);
    }

    Row toRow() {
        return RowFactory.create(id, status, file, seed, width, height, prompt, negativePrompt, parameters, error, seconds);
    }
}
