package dev.animagine.spark.cli;

import dev.animagine.core.InvalidArgumentException;
import dev.animagine.core.animagine.Wildcards;
import dev.animagine.spark.SparkSupport;
import dev.animagine.spark.batch.BatchOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code animagine batch}: many images on Spark, each executor opening the checkpoint once. No Spark
 * types here, so the CLI parses it without Spark; {@link BatchRun} does the Spark work.
 */
@Command(name = "batch", sortOptions = false,
        description = {"Generate many images on Apache Spark (local or a cluster) from a requests file or a prompt over a seed range.",
                "Requests (JSONL, CSV with a header, or Parquet) have the columns id, prompt, negative_prompt, seed, steps, "
                        + "cfg_scale, sampler, schedule, width, height, animagine, rating, year, quality, compat, clip_skip; "
                        + "a missing value takes the option below, then generate's default.",
                "Writes DIR/images/<id>.png (with A1111 infotext) and <id>.json, and DIR/results/run-<time>.parquet. "
                        + "Rerunning into DIR resumes: finished rows are kept, failed ones retried.",
                "Exit status: 0 all rows done, 1 some rows failed (see the results table), 2 bad option value."})
public final class BatchCommand implements Callable<Integer> {
    private static final Pattern SEEDS = Pattern.compile("\\s*(-?\\d+)\\s*(?:-|\\.\\.)\\s*(-?\\d+)\\s*");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;

    @Option(names = "--input", paramLabel = "REQUESTS", description = "Requests: .jsonl, .csv or .parquet (file or directory).")
    String input;

    @Option(names = {"-p", "--prompt"}, paramLabel = "TEMPLATE", description = "With --seeds instead of --input: one image of this prompt per seed.")
    String template;

    @Option(names = "--seeds", paramLabel = "FROM-TO", description = "Seed range for --prompt, inclusive, e.g. 1-100.")
    String seeds;

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "Output directory (created; a rerun resumes it).")
    String output;

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "MODEL",
            description = "Checkpoint (.safetensors or diffusers folder), at this path on every executor.")
    String model;

    @Option(names = "--config", paramLabel = "DIR", description = "Diffusers config folder for a single-file checkpoint.")
    String config;

    @Option(names = "--tokenizer", paramLabel = "DIR", description = "CLIP vocabulary folder (see animagine generate --help).")
    String tokenizer;

    @Option(names = "--master", paramLabel = "URL", description = "Spark master: local[*] (default, in this JVM), spark://host:7077, yarn, ...")
    String master;

    @Option(names = "--format", paramLabel = "json|csv|parquet", description = "Requests format (default: by the file name).")
    String format;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "0", description = "Spread the requests over N partitions (default: one per core, at most one per request).")
    int partitions;

    @Option(names = "--negative", paramLabel = "TEXT", description = "Default negative prompt.")
    String negative;

    @Option(names = "--steps", paramLabel = "N", description = "Default sampling steps (else 28).")
    String steps;

    @Option(names = "--cfg", paramLabel = "SCALE", description = "Default CFG scale (else 5).")
    String cfg;

    @Option(names = "--sampler", paramLabel = "ID", description = "Default sampler (else euler_a).")
    String sampler;

    @Option(names = "--schedule", paramLabel = "TYPE", description = "Default schedule (else default).")
    String schedule;

    @Option(names = "--size", paramLabel = "WxH", description = "Default size (else the Animagine default).")
    String size;

    @Option(names = "--animagine", paramLabel = "4|3.1|3.0", description = "Default Animagine version (else from the model's name, or 4).")
    String animagine;

    @Option(names = "--compat", paramLabel = "MODE", description = "Default prompt encoding: a1111 or diffusers (else a1111).")
    String compat;

    @Option(names = "--wildcards", paramLabel = "FILE",
            description = "Wildcard list NAME.txt (one choice per line), used in prompts as __NAME__ and drawn from each row's seed "
                    + "as generate --wildcards does, or a folder of such files. Repeatable. Read here; executors need no copy.")
    List<Path> wildcards = new ArrayList<>();

    @Option(names = "--no-progress", description = "No progress bar in local mode.")
    boolean noProgress;

    @Override
    public Integer call() {
        BatchOptions o = options();
        SparkSupport.require("animagine batch");
        return BatchRun.run(master, o, !noProgress, spec.commandLine().getOut(), spec.commandLine().getErr());
    }

    BatchOptions options() {
        if ((input == null) == (template == null))
            throw new InvalidArgumentException("give --input REQUESTS, or --prompt TEMPLATE with --seeds FROM-TO (not both)");
        long from = 0;
        long to = -1;
        if (template != null) {
            Matcher m = seeds == null ? null : SEEDS.matcher(seeds);
            if (m == null || !m.matches()) throw new InvalidArgumentException("--seeds " + seeds + ": expected FROM-TO, e.g. 1-100");
            from = Long.parseLong(m.group(1));
            to = Long.parseLong(m.group(2));
        } else if (seeds != null) {
            throw new InvalidArgumentException("--seeds goes with --prompt (requests files give a seed column)");
        }
        Map<String, String> defaults = new LinkedHashMap<>();
        put(defaults, "negative_prompt", negative);
        put(defaults, "steps", steps);
        put(defaults, "cfg_scale", cfg);
        put(defaults, "sampler", sampler);
        put(defaults, "schedule", schedule);
        put(defaults, "animagine", animagine);
        put(defaults, "compat", compat);
        if (size != null) {
            String[] wh = size.toLowerCase(java.util.Locale.ROOT).split("x");
            if (wh.length != 2) throw new InvalidArgumentException("--size " + size + ": expected WIDTHxHEIGHT, e.g. 832x1216");
            put(defaults, "width", wh[0].strip());
            put(defaults, "height", wh[1].strip());
        }
        Map<String, List<String>> lists = wildcards.isEmpty() ? Map.of() : Wildcards.load(wildcards).lists();
        return new BatchOptions(input, format, template, from, to, output, model, config, tokenizer, defaults, partitions, lists);
    }

    private static void put(Map<String, String> m, String key, String value) {
        if (value != null) m.put(key, value);
    }
}
