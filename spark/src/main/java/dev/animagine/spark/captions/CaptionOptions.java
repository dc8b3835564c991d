package dev.animagine.spark.captions;

import dev.animagine.core.animagine.AnimagineVersion;

import java.io.Serializable;
import java.util.List;

/**
 * What {@code animagine dataset captions} was asked for.
 *
 * @param input             Danbooru metadata: a JSONL file or directory, or Parquet
 * @param format            "json", "parquet", or null to choose by the input's name
 * @param output            the output directory; must not exist
 * @param version           whose tag conventions the captions follow (4.0 or 3.1)
 * @param percentiles       the quality cut points, or null for the version's defaults ({@link QualityScale})
 * @param relativeError     approxQuantile's relative error (0 computes exact percentiles)
 * @param buckets           sd-scripts' bucketing parameters
 * @param partitions        repartition the input to this many partitions, or 0 to keep the reader's split
 */
public record CaptionOptions(
        String input,
        String format,
        String output,
        AnimagineVersion version,
        List<Double> percentiles,
        double relativeError,
        KohyaBuckets buckets,
        int partitions) implements Serializable {
    /** approxQuantile's relative error unless told otherwise: rank within 0.1% of the input. */
    public static final double DEFAULT_RELATIVE_ERROR = 0.001;
}
