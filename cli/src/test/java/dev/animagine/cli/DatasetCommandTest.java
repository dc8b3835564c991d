package dev.animagine.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code animagine dataset captions} end to end in this JVM (local[1]); the rules are tested in the spark module. */
class DatasetCommandTest {
    @TempDir
    Path dir;

    private Path posts() throws IOException {
        Path p = dir.resolve("posts.jsonl");
        Files.write(p, List.of(
                "{\"id\": 7, \"tag_string_general\": \"1girl solo\", \"tag_string_character\": \"\", \"tag_string_copyright\": \"original\","
                        + " \"tag_string_artist\": \"\", \"tag_string_meta\": \"highres\", \"rating\": \"s\", \"score\": 12,"
                        + " \"created_at\": \"2016-03-01T10:00:00.000-05:00\", \"image_width\": 1200, \"image_height\": 1600, \"file_path\": \"7.png\"}",
                "{\"id\": 8, \"tag_string_general\": \"1boy\", \"rating\": \"s\", \"score\": 3,"
                        + " \"created_at\": \"2021-03-01T10:00:00.000-05:00\", \"image_width\": 640, \"image_height\": 640, \"file_path\": \"8.png\"}"));
        return p;
    }

    @Test
    void captionsADumpAndPrintsTheSummary() throws IOException {
        Path out = dir.resolve("out");
        CliRun r = CliRun.of("dataset", "captions", "--input", posts().toString(), "--output", out.toString(),
                "--version", "3.1", "--master", "local[1]", "--no-progress");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("captioned 2 posts").contains("sensitive").contains("832x1088").contains("640x640");
        // two sensitive posts: the nearest-rank p95, p85, p75 are 12 and p50, p25, p10 are 3, so 12 is
        // "good quality" (above p50 only) and 3 is above none
        assertThat(Files.readString(out.resolve("captions/7.txt")))
                .isEqualTo("1girl, original ||| sensitive, solo, mid, highres, good quality");
        assertThat(Files.readString(out.resolve("captions/8.txt"))).isEqualTo("1boy ||| sensitive, newest, worst quality");

        CliRun again = CliRun.of("dataset", "captions", "--input", posts().toString(), "--output", out.toString(),
                "--version", "3.1", "--master", "local[1]", "--no-progress");
        assertThat(again.exit()).isEqualTo(Main.EXIT_FAILURE);
        assertThat(again.err()).contains("already exists");
    }

    @Test
    void usageErrorsComeBeforeSparkStarts() {
        CliRun r = CliRun.of("dataset", "captions", "--input", "x.jsonl", "--output", "y", "--version", "3.0");
        assertThat(r.exit()).isEqualTo(Main.EXIT_USAGE);
        assertThat(r.err()).contains("--version 3.0");
        CliRun p = CliRun.of("dataset", "captions", "--input", "x.jsonl", "--output", "y", "--version", "4", "--percentiles", "90,80");
        assertThat(p.exit()).isEqualTo(Main.EXIT_USAGE);
        assertThat(p.err()).contains("expected 5 cut points");
        assertThat(CliRun.of("dataset").exit()).isEqualTo(Main.EXIT_USAGE);
    }
}
