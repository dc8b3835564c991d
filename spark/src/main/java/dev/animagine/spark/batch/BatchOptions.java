package dev.animagine.spark.batch;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code animagine batch} was asked for: requests from a file, or one prompt template over a seed
 * range (one image per seed).
 *
 * @param input      JSONL, CSV or Parquet requests, or null with a template
 * @param format     "json", "csv", "parquet", or null to choose by the input's name
 * @param template   the prompt of every request of a seed range, or null
 * @param seedFrom   first seed of the range (inclusive)
 * @param seedTo     last seed of the range (inclusive)
 * @param output     the output directory (created if missing; a rerun resumes it)
 * @param model      the checkpoint, at the same path on every executor
 * @param config     a diffusers config folder for single-file checkpoints, or null
 * @param tokenizer  the CLIP vocabulary folder, or null
 * @param defaults   values for the columns a request leaves out (column name to value)
 * @param partitions spread the requests over this many partitions, or 0 for one per core
 * @param wildcards  wildcard lists by name, read on the driver so executors need no files (empty: none)
 */
public record BatchOptions(String input, String format, String template, long seedFrom, long seedTo, String output,
                           String model, String config, String tokenizer, Map<String, String> defaults,
                           int partitions, Map<String, List<String>> wildcards) implements Serializable {
    public BatchOptions {
        defaults = Map.copyOf(defaults);
        // insertion order kept: it is the order an unknown-list error names the lists in
        Map<String, List<String>> lists = new LinkedHashMap<>();
        wildcards.forEach((name, lines) -> lists.put(name, List.copyOf(lines)));
        wildcards = Collections.unmodifiableMap(lists);
    }
}
