package dev.animagine.spark.captions;

import dev.animagine.core.AnimagineException;
import dev.animagine.core.InvalidArgumentException;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;

/**
 * {@code animagine dataset captions}: Danbooru metadata in, sd-scripts training captions out.
 *
 * <p>Passes over the (cached) posts: one that finds the first invalid post and duplicate image keys, one
 * approxQuantile per rating for the quality cut points, and one that writes each partition's captions.
 * The output directory holds {@code captions/<image path>.txt}, {@code captions.tsv} (post id, image
 * key, caption file, bucket), {@code metadata.json} for sd-scripts' fine-tuning mode and
 * {@code summary.json}; it appears whole at the end or not at all.
 */
public final class CaptionJob {
    private static final Logger LOG = LoggerFactory.getLogger(CaptionJob.class);
    static final String DESCRIPTION = "animagine dataset captions";

    /** What the caller sees of the run. */
    public interface Listener {
        void started(int partitions);

        void partitionDone(int done, int total);
    }

    private CaptionJob() {}

    public static CaptionSummary run(SparkSession spark, CaptionOptions o, Listener listener) {
        CaptionRules rules = new CaptionRules(o.version());
        QualityScale scale = QualityScale.of(o.version(), o.percentiles());
        if (!(o.relativeError() >= 0 && o.relativeError() < 1))
            throw new InvalidArgumentException("--relative-error " + o.relativeError() + ": expected 0 <= e < 1");

        OutputDirectory out = OutputDirectory.create(o.output(), spark.sparkContext().hadoopConfiguration());
        Dataset<Row> posts = null;
        try {
            posts = DanbooruMetadata.read(spark, o.input(), o.format());
            if (o.partitions() > 0) posts = posts.repartition(o.partitions());
            posts = posts.persist(StorageLevel.MEMORY_AND_DISK());
            validate(posts, o.input());
            Map<Character, double[]> cuts = cutScores(posts, scale, o.relativeError());
            CaptionSummary summary = write(spark, posts.drop("problem"), out, rules, scale, cuts, o.buckets(), listener);
            out.commit();
            return summary;
        } catch (RuntimeException e) {
            out.abort();
            throw e;
        } finally {
            if (posts != null) posts.unpersist();
        }
    }

    /** The first invalid post, then the first image key two posts share, as one-line errors. */
    private static void validate(Dataset<Row> posts, String input) {
        List<Row> bad = posts.filter(col("problem").isNotNull()).select("id", "problem").limit(1).collectAsList();
        if (!bad.isEmpty()) {
            Row r = bad.getFirst();
            String which = r.isNullAt(0) ? "a post" : "post id " + r.getLong(0);
            throw new InvalidArgumentException(input + ": " + which + ": " + r.getString(1));
        }
        List<Row> dup = posts.groupBy("key").count().filter(col("count").gt(1)).limit(1).collectAsList();
        if (!dup.isEmpty())
            throw new InvalidArgumentException(input + ": file_path " + dup.getFirst().getString(0) + " is given for "
                    + dup.getFirst().getLong(1) + " posts (each image needs its own caption)");
        LOG.info("{}: posts valid", input);
    }

    /** The scores at the scale's percentiles, per rating letter, by approxQuantile over the whole input. */
    static Map<Character, double[]> cutScores(Dataset<Row> posts, QualityScale scale, double relativeError) {
        Map<Character, double[]> cuts = new HashMap<>();
        double[] probabilities = scale.percentileArray();
        for (char rating : new char[] {'g', 's', 'q', 'e'}) {
            Dataset<Row> scores = posts.filter(col("rating").equalTo(String.valueOf(rating))).select("score");
            double[] q = scores.stat().approxQuantile("score", probabilities, relativeError);
            if (q.length > 0) {
                cuts.put(rating, q);
                LOG.info("rating {}: scores at percentiles {} are {}", rating, scale.percentiles(), java.util.Arrays.toString(q));
            }
        }
        return cuts;
    }

    private static CaptionSummary write(SparkSession spark, Dataset<Row> posts, OutputDirectory out, CaptionRules rules,
                                        QualityScale scale, Map<Character, double[]> cuts, KohyaBuckets buckets,
                                        Listener listener) {
        Map<String, String> conf = new HashMap<>();
        spark.sparkContext().hadoopConfiguration().forEach(e -> conf.put(e.getKey(), e.getValue()));
        CaptionWriter writer = new CaptionWriter(out.tmp().toString(), conf, rules, scale, cuts, buckets);
        int partitions = posts.rdd().getNumPartitions();
        if (listener != null) listener.started(partitions);
        PartitionProgress progress = new PartitionProgress(DESCRIPTION, partitions,
                listener == null ? null : listener::partitionDone);
        spark.sparkContext().addSparkListener(progress);
        List<CaptionSummary> parts;
        try {
            spark.sparkContext().setJobDescription(DESCRIPTION);
            parts = posts.javaRDD().mapPartitionsWithIndex(writer, false).collect();
            progress.finish();
        } finally {
            spark.sparkContext().setJobDescription(null);
            spark.sparkContext().removeSparkListener(progress);
        }
        CaptionSummary summary = new CaptionSummary();
        parts.forEach(summary::merge);
        try {
            joinParts(out, partitions, summary);
        } catch (IOException e) {
            throw new AnimagineException(out.target() + ": cannot write (" + e.getMessage() + ")", e);
        }
        return summary;
    }

    /** metadata.json and captions.tsv from the partitions' shares, then summary.json. */
    private static void joinParts(OutputDirectory out, int partitions, CaptionSummary summary) throws IOException {
        FileSystem fs = out.fs();
        Path parts = new Path(out.tmp(), CaptionWriter.PARTS);
        try (FSDataOutputStream meta = fs.create(new Path(out.tmp(), "metadata.json"), false);
             FSDataOutputStream map = fs.create(new Path(out.tmp(), "captions.tsv"), false)) {
            meta.write("{\n".getBytes(StandardCharsets.UTF_8));
            map.write("id\timage\tcaption_file\tbucket\n".getBytes(StandardCharsets.UTF_8));
            boolean any = false;
            for (int i = 0; i < partitions; i++) {
                String p = String.format("%05d", i);
                Path m = new Path(parts, "metadata-" + p + ".json");
                if (fs.getFileStatus(m).getLen() > 0) {
                    if (any) meta.write(",\n".getBytes(StandardCharsets.UTF_8));
                    any = true;
                    copy(fs, m, meta);
                }
                copy(fs, new Path(parts, "captions-" + p + ".tsv"), map);
            }
            meta.write("\n}\n".getBytes(StandardCharsets.UTF_8));
        }
        fs.delete(parts, true);
        try (FSDataOutputStream s = fs.create(new Path(out.tmp(), "summary.json"), false)) {
            s.write(summary.toJson().getBytes(StandardCharsets.UTF_8));
        }
    }

    private static void copy(FileSystem fs, Path from, OutputStream to) throws IOException {
        try (FSDataInputStream in = fs.open(from)) {
            in.transferTo(to);
        }
    }
}
