package dev.animagine.spark.cli;

import dev.animagine.core.InvalidArgumentException;
import dev.animagine.core.animagine.AnimagineVersion;
import dev.animagine.spark.SparkSupport;
import dev.animagine.spark.captions.CaptionOptions;
import dev.animagine.spark.captions.KohyaBuckets;
import dev.animagine.spark.captions.QualityScale;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code animagine dataset captions}: Danbooru metadata to Animagine training captions that
 * kohya-ss/sd-scripts reads as is. Its fields hold no Spark types, so the CLI can list and parse it
 * without Spark; {@link CaptionsRun} does the Spark work.
 */
@Command(name = "captions", mixinStandardHelpOptions = false, sortOptions = false,
        description = {"Caption a Danbooru metadata dump for Animagine XL training with kohya-ss/sd-scripts.",
                "Writes DIR/captions/<image path>.txt, DIR/captions.tsv (id, image, caption file, bucket), "
                        + "DIR/metadata.json (sd-scripts fine-tuning metadata) and DIR/summary.json; DIR must not exist."})
public final class CaptionsCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;

    @Option(names = "--input", required = true, paramLabel = "META",
            description = "Danbooru metadata: JSONL (file or directory) or Parquet (.parquet).")
    String input;

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "Output directory (must not exist).")
    String output;

    @Option(names = "--version", required = true, paramLabel = "4|3.1",
            description = "Animagine version whose tags to write: 4 (score tags, year NNNN) or 3.1 (quality tags, year bands).")
    String version;

    @Option(names = "--master", paramLabel = "URL",
            description = "Spark master: local[*] (default, in this JVM), local[N], spark://host:7077, yarn, k8s://...")
    String master;

    @Option(names = "--format", paramLabel = "json|parquet", description = "Input format (default: by the input's name).")
    String format;

    @Option(names = "--percentiles", paramLabel = "P,...",
            description = "Quality cut points per rating, best first (default 3.1: 95,85,75,50,25,10; 4: 90,75,50,25,10).")
    String percentiles;

    @Option(names = "--relative-error", paramLabel = "E", defaultValue = "0.001",
            description = "approxQuantile's relative error for the percentiles (0 = exact; default ${DEFAULT-VALUE}).")
    double relativeError;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "0",
            description = "Repartition the input to N partitions (default: as read).")
    int partitions;

    @Option(names = "--resolution", paramLabel = "PX", defaultValue = "1024",
            description = "Training resolution; buckets hold at most PX*PX pixels (default ${DEFAULT-VALUE}).")
    int resolution;

    @Option(names = "--bucket-steps", paramLabel = "PX", defaultValue = "64", description = "Bucket sides are multiples of this (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--min-bucket", paramLabel = "PX", defaultValue = "256", description = "Smallest bucket side (default ${DEFAULT-VALUE}).")
    int minBucket;

    @Option(names = "--max-bucket", paramLabel = "PX", defaultValue = "2048", description = "Largest bucket side (default ${DEFAULT-VALUE}).")
    int maxBucket;

    @Option(names = "--bucket-upscale", description = "Use sd-scripts' predefined buckets, enlarging small images "
            + "(default: --bucket_no_upscale, where min/max sides are only reported).")
    boolean upscale;

    @Option(names = "--no-progress", description = "No progress bar in local mode.")
    boolean noProgress;

    @Override
    public Integer call() {
        AnimagineVersion v = AnimagineVersion.fromNumber(version.strip())
                .orElseThrow(() -> new InvalidArgumentException("--version " + version + ": expected 4 or 3.1"));
        List<Double> ps = percentiles == null ? null : QualityScale.parse(percentiles);
        QualityScale.of(v, ps); // usage errors before Spark starts
        CaptionOptions o = new CaptionOptions(input, format, output, v, ps, relativeError,
                new KohyaBuckets(resolution, steps, minBucket, maxBucket, !upscale), partitions);
        OutputCheck.refuseExistingLocal(output);
        SparkSupport.require("animagine dataset captions");
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        CaptionsRun.run(master, o, !noProgress, out, err);
        return 0;
    }
}
