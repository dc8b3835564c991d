package dev.animagine.spark.batch;

import dev.animagine.core.AnimagineException;
import dev.animagine.core.InvalidArgumentException;
import dev.animagine.core.animagine.Wildcards;
import dev.animagine.spark.captions.CaptionJob;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import static org.apache.spark.sql.functions.col;

/**
 * {@code animagine batch}: many generation requests over Spark's executors, each executor opening the
 * checkpoint once. Output: {@code images/<id>.png} with the infotext, {@code images/<id>.json} per
 * finished row, and a results table {@code results/run-<time>.parquet} of every row (generated,
 * done by an earlier run, or failed with its error). Rerunning into the same directory resumes.
 */
public final class BatchJob {
    private static final Logger LOG = LoggerFactory.getLogger(BatchJob.class);
    static final String DESCRIPTION = "animagine batch";
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    /** The run's outcome. */
    public record Outcome(List<BatchResult> results, String table) {
        public long count(String status) {
            return results.stream().filter(r -> r.status().equals(status)).count();
        }
    }

    private BatchJob() {}

    public static Outcome run(SparkSession spark, BatchOptions o, CaptionJob.Listener listener) {
        // in local mode the driver is the executor: a wrong path is a usage error before any work
        if (spark.sparkContext().isLocal() && !Files.exists(java.nio.file.Path.of(o.model())))
            throw new InvalidArgumentException("--model " + o.model() + ": no such file or folder");
        List<BatchRow> rows = o.input() != null ? read(spark, o) : seedRange(o);
        checkIds(rows, o.input() != null ? o.input() : "--seeds");
        checkWildcards(rows, o);
        try {
            Path out = new Path(o.output());
            FileSystem fs = out.getFileSystem(spark.sparkContext().hadoopConfiguration());
            Path images = new Path(out, BatchWriter.IMAGES);
            fs.mkdirs(images);
            removeLeftovers(fs, images);
            Map<String, String> conf = new HashMap<>();
            spark.sparkContext().hadoopConfiguration().forEach(e -> conf.put(e.getKey(), e.getValue()));

            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            int partitions = o.partitions() > 0 ? o.partitions() : Math.max(1, Math.min(rows.size(), jsc.defaultParallelism()));
            JavaRDD<BatchRow> rdd = jsc.parallelize(rows, partitions);
            if (listener != null) listener.started(partitions);
            dev.animagine.spark.captions.PartitionProgress progress = new dev.animagine.spark.captions.PartitionProgress(
                    DESCRIPTION, partitions, listener == null ? null : listener::partitionDone);
            spark.sparkContext().addSparkListener(progress);
            List<BatchResult> results;
            try {
                spark.sparkContext().setJobDescription(DESCRIPTION);
                results = rdd.mapPartitions(new BatchWriter(fs.makeQualified(out).toString(), conf, o)).collect();
                progress.finish();
            } finally {
                spark.sparkContext().setJobDescription(null);
                spark.sparkContext().removeSparkListener(progress);
            }
            String table = writeTable(spark, fs, out, results);
            return new Outcome(results, table);
        } catch (IOException e) {
            throw new AnimagineException(o.output() + ": cannot write (" + e.getMessage() + ")", e);
        }
    }

    private static List<BatchRow> seedRange(BatchOptions o) {
        if (o.template() == null) throw new InvalidArgumentException("give --input REQUESTS, or --prompt TEMPLATE with --seeds FROM-TO");
        if (o.seedTo() < o.seedFrom() || o.seedTo() - o.seedFrom() >= 10_000_000)
            throw new InvalidArgumentException("--seeds " + o.seedFrom() + "-" + o.seedTo() + ": expected FROM-TO with FROM <= TO");
        List<BatchRow> rows = new ArrayList<>();
        for (long s = o.seedFrom(); s <= o.seedTo(); s++) {
            rows.add(new BatchRow("seed-" + s, Map.of("prompt", o.template(), "seed", Long.toString(s))));
        }
        return rows;
    }

    /** Requests from JSONL, CSV (with a header) or Parquet; rows are few, so they are gathered on the driver. */
    static List<BatchRow> read(SparkSession spark, BatchOptions o) {
        String f = o.format() != null ? o.format().toLowerCase(Locale.ROOT) : guessFormat(o.input());
        Dataset<Row> raw = switch (f) {
            case "json", "jsonl" -> spark.read().option("mode", "FAILFAST").json(o.input());
            case "csv" -> spark.read().option("header", "true").option("mode", "FAILFAST").csv(o.input());
            case "parquet" -> spark.read().parquet(o.input());
            default -> throw new InvalidArgumentException("--format " + o.format() + ": expected json, csv or parquet");
        };
        List<String> columns = Arrays.asList(raw.columns());
        for (String c : columns) {
            if (!BatchRow.COLUMNS.contains(c))
                throw new InvalidArgumentException(o.input() + ": unknown column '" + c + "' (known: " + String.join(", ", BatchRow.COLUMNS) + ")");
        }
        if (!columns.contains("prompt")) throw new InvalidArgumentException(o.input() + ": no prompt column");
        List<Row> collected = raw.select(columns.stream().map(c -> col(c).cast(DataTypes.StringType).as(c)).toArray(org.apache.spark.sql.Column[]::new))
                .collectAsList();
        List<BatchRow> rows = new ArrayList<>();
        for (int i = 0; i < collected.size(); i++) {
            Row r = collected.get(i);
            Map<String, String> values = new LinkedHashMap<>();
            for (String c : columns) values.put(c, r.getString(r.fieldIndex(c)));
            String id = values.get("id");
            rows.add(new BatchRow(id == null || id.isBlank() ? String.format("%06d", i + 1) : id.strip(), values));
        }
        LOG.info("{}: {} requests", o.input(), rows.size());
        return rows;
    }

    static String guessFormat(String input) {
        String name = input.toLowerCase(Locale.ROOT);
        if (name.endsWith(".parquet") || name.endsWith(".parq")) return "parquet";
        if (name.endsWith(".csv")) return "csv";
        return "json";
    }

    private static void checkIds(List<BatchRow> rows, String source) {
        if (rows.isEmpty()) throw new InvalidArgumentException(source + ": no requests");
        Set<String> seen = new HashSet<>();
        for (BatchRow r : rows) {
            if (!SAFE_ID.matcher(r.id()).matches())
                throw new InvalidArgumentException(source + ": id '" + r.id() + "' must be letters, digits, '.', '_' or '-' (it names the image file)");
            if (!seen.add(r.id())) throw new InvalidArgumentException(source + ": id '" + r.id() + "' is given twice");
        }
    }

    /** An unknown {@code __name__} would fail every row that uses it: one usage error instead, before any work. */
    private static void checkWildcards(List<BatchRow> rows, BatchOptions o) {
        Wildcards wildcards = Wildcards.of(o.wildcards());
        Set<String> checked = new HashSet<>();
        for (BatchRow r : rows) {
            String prompt = r.prompt(o.defaults());
            if (prompt == null || !checked.add(prompt)) continue;
            try {
                wildcards.requireKnown(prompt);
            } catch (InvalidArgumentException e) {
                throw o.input() == null ? e : new InvalidArgumentException(o.input() + ": " + r.id() + ": " + e.getMessage());
            }
        }
    }

    /** Temporary files a killed run left behind (never a finished file). */
    private static void removeLeftovers(FileSystem fs, Path images) throws IOException {
        for (FileStatus s : fs.listStatus(images, p -> p.getName().startsWith(".") && p.getName().contains(".tmp-"))) {
            fs.delete(s.getPath(), false);
        }
    }

    /** results/run-<time>.parquet, written under a temporary name and renamed; never replaces a table. */
    private static String writeTable(SparkSession spark, FileSystem fs, Path out, List<BatchResult> results) throws IOException {
        List<Row> rows = results.stream().map(BatchResult::toRow).toList();
        String name = "run-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS")) + ".parquet";
        Path dir = new Path(out, "results");
        fs.mkdirs(dir);
        Path target = new Path(dir, name);
        Path tmp = new Path(dir, "." + name + ".tmp");
        spark.createDataFrame(rows, BatchResult.SCHEMA).coalesce(1).write().parquet(fs.makeQualified(tmp).toString());
        if (fs.exists(target) || !fs.rename(tmp, target)) throw new AnimagineException(target + ": cannot move the results table into place");
        return fs.makeQualified(target).toString();
    }
}
