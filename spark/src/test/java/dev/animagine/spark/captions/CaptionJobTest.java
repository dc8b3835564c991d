package dev.animagine.spark.captions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.animagine.core.AnimagineException;
import dev.animagine.core.InvalidArgumentException;
import dev.animagine.core.animagine.AnimagineVersion;
import dev.animagine.spark.SparkTestSession;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.animagine.spark.captions.DanbooruSample.POSTS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The captions job on local[2] over the hand-designed 200-post sample, for both versions. */
class CaptionJobTest {
    @TempDir
    static Path dir;
    static Path input;
    static Path out31;
    static Path out40;
    static CaptionSummary summary31;
    static CaptionSummary summary40;
    static final List<int[]> progress = new ArrayList<>();

    @BeforeAll
    static void run() throws IOException {
        SparkSession spark = SparkTestSession.get();
        input = DanbooruSample.write(dir);
        out31 = dir.resolve("captions-31");
        out40 = dir.resolve("captions-40");
        summary31 = CaptionJob.run(spark, options(input.toString(), out31, AnimagineVersion.V3_1, 3), new CaptionJob.Listener() {
            @Override
            public void started(int partitions) {
                progress.add(new int[] {0, partitions});
            }

            @Override
            public void partitionDone(int done, int total) {
                synchronized (progress) {
                    progress.add(new int[] {done, total});
                }
            }
        });
        summary40 = CaptionJob.run(spark, options(input.toString(), out40, AnimagineVersion.V4_0, 0), null);
    }

    static CaptionOptions options(String in, Path out, AnimagineVersion v, int partitions) {
        return new CaptionOptions(in, null, out.toString(), v, null, CaptionOptions.DEFAULT_RELATIVE_ERROR,
                KohyaBuckets.SDXL, partitions);
    }

    static String caption(Path out, int i) throws IOException {
        return Files.readString(out.resolve(CaptionWriter.captionFile(DanbooruSample.key(i))));
    }

    @Test
    void twoPostsCaptionedExactly() throws IOException {
        // post 0: general, score 1 (the lowest), 2005, 1024x1024, Miku
        assertThat(caption(out31, 0)).isEqualTo("1girl, hatsune miku, vocaloid, artist 0 ||| safe, solo, long hair, ^_^, "
                + "oldest, absurdres, highres, worst quality");
        // post 179: explicit, 2008 (179 % 22 = 3), pattern 4, no character
        assertThat(caption(out40, 179)).startsWith("1boy, 1girl, artist 4 ||| explicit, hetero, :d, year 2008, absurdres, highres, ");
    }

    @Test
    void everyPostFollowsTheRules() throws IOException {
        String[] bands31 = {"oldest", "early", "mid", "recent", "newest"};
        for (int i = 0; i < POSTS; i++) {
            for (Path out : new Path[] {out31, out40}) {
                boolean v31 = out == out31;
                String c = caption(out, i);
                String desc = (v31 ? "3.1" : "4.0") + " post " + i + ": " + c;
                assertThat(c).as(desc).startsWith(DanbooruSample.COUNT_PREFIX[i % 5]);
                String rating = switch (DanbooruSample.rating(i)) {
                    case 'g' -> "safe";
                    case 's' -> "sensitive";
                    case 'q' -> "nsfw";
                    default -> v31 ? "explicit, nsfw" : "explicit";
                };
                assertThat(c).as(desc).contains(" ||| " + rating + ", ");
                assertThat(c).as(desc).doesNotContain("commentary", "translated", "bad id", "long_hair", "artist_");
                assertThat(c).as(desc).contains(", absurdres, highres, ");
                int y = DanbooruSample.year(i);
                String yearTag = v31
                        ? (y <= 2010 ? bands31[0] : y <= 2014 ? bands31[1] : y <= 2017 ? bands31[2] : y <= 2020 ? bands31[3] : y <= 2024 ? bands31[4] : null)
                        : (y <= 2025 ? "year " + y : null);
                if (yearTag != null) assertThat(c).as(desc).contains(", " + yearTag + ", absurdres");
                else assertThat(c).as(desc).contains(", absurdres").doesNotContain("year 2026", "newest");
                assertThat(c).as(desc).endsWith(", " + expectedQuality(i, v31));
                if (i % 5 == 0) assertThat(c).contains("long hair, ^_^");
                if (i % 5 == 1) assertThat(c).contains("short hair, >_<");
            }
        }
    }

    /** The tier from the percentiles computed here, independently of Spark. */
    static String expectedQuality(int i, boolean v31) {
        char r = DanbooruSample.rating(i);
        List<Double> ps = v31 ? QualityScale.V3_1_PERCENTILES : QualityScale.V4_0_PERCENTILES;
        List<String> tags = v31
                ? List.of("masterpiece", "best quality", "great quality", "good quality", "normal quality", "low quality", "worst quality")
                : List.of("high score", "great score", "good score", "average score", "bad score", "low score");
        for (int k = 0; k < ps.size(); k++) {
            if (DanbooruSample.score(i) > DanbooruSample.percentileScore(r, ps.get(k))) return tags.get(k);
        }
        return tags.getLast();
    }

    @Test
    void generalPostsScored1To100SplitAtTheCardsPercentiles() {
        // scores 1..100: > 95 (96..100) masterpiece, 86..95 best, 76..85 great, 51..75 good, 26..50 normal,
        // 11..25 low, 1..10 worst; a score equal to a cut point stays below it.
        long[] expected = {5, 10, 10, 25, 25, 15, 10};
        String[] tags = {"masterpiece", "best quality", "great quality", "good quality", "normal quality", "low quality", "worst quality"};
        long[] got = new long[7];
        for (int i = 0; i < POSTS; i++) {
            if (DanbooruSample.rating(i) != 'g') continue;
            got[Arrays.asList(tags).indexOf(expectedQuality(i, true))]++;
        }
        assertThat(got).containsExactly(expected);
        assertThat(summary31.qualities().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(POSTS);
    }

    @Test
    void metadataJsonIsWhatSdScriptsFineTuningReads() throws IOException {
        JsonNode meta = new ObjectMapper().readTree(out31.resolve("metadata.json").toFile());
        assertThat(meta.size()).isEqualTo(POSTS);
        for (int i = 0; i < POSTS; i++) {
            JsonNode e = meta.get(DanbooruSample.key(i));
            assertThat(e).as("post " + i).isNotNull();
            // sd-scripts joins caption and tags with its caption separator (a comma) and splits at |||
            String joined = e.get("caption").asText() + "," + e.get("tags").asText();
            assertThat(tokens(joined)).isEqualTo(tokens(caption(out31, i)));
            assertThat(e.get("caption").asText()).endsWith("|||");
            int[] size = DanbooruSample.SIZES[i % DanbooruSample.SIZES.length];
            String bucket = DanbooruSample.BUCKETS[i % DanbooruSample.BUCKETS.length];
            assertThat(e.get("train_resolution").get(0).asInt() + "x" + e.get("train_resolution").get(1).asInt()).isEqualTo(bucket);
            assertThat(e.get("image_size").get(0).asInt()).isEqualTo(size[0]);
        }
    }

    private static List<List<String>> tokens(String caption) {
        String[] halves = caption.split("\\|\\|\\|", 2);
        return List.of(split(halves[0]), split(halves[1]));
    }

    private static List<String> split(String s) {
        return Arrays.stream(s.split(",")).map(String::strip).filter(t -> !t.isEmpty()).toList();
    }

    @Test
    void mappingAndSummary() throws IOException {
        List<String> tsv = Files.readAllLines(out31.resolve("captions.tsv"));
        assertThat(tsv).hasSize(POSTS + 1);
        assertThat(tsv.getFirst()).isEqualTo("id\timage\tcaption_file\tbucket");
        assertThat(tsv).contains("1049\t1049\tcaptions/1049.txt\t448x256", "1000\t0000/1000.jpg\tcaptions/0000/1000.txt\t1024x1024");
        assertThat(summary31.posts()).isEqualTo(POSTS);
        assertThat(summary31.ratings()).isEqualTo(Map.of("safe", 100L, "sensitive", 40L, "nsfw", 30L, "explicit, nsfw", 30L));
        assertThat(summary40.ratings()).isEqualTo(Map.of("safe", 100L, "sensitive", 40L, "nsfw", 30L, "explicit", 30L));
        // 2005..2026 in turn over 200 posts: 2005..2010 get 10 each (i % 22 < 2 -> 10 posts, else 9)
        assertThat(summary31.years()).containsEntry("oldest", 10L + 10 + 9 + 9 + 9 + 9).containsEntry("(none)", 9L + 9);
        assertThat(summary40.years()).containsEntry("year 2005", 10L).containsEntry("(none)", 9L);
        assertThat(summary31.buckets()).containsEntry("1024x1024", 50L).containsEntry("2560x320", 25L);
        assertThat(summary31.bucketsOutOfRange()).isEqualTo(50);
        assertThat(Files.readString(out31.resolve("summary.json"))).contains("\"posts\": 200");
        assertThat(summary31.render()).contains("masterpiece").contains("832x1216");
    }

    @Test
    void progressIsReportedPerPartition() {
        assertThat(progress.getFirst()).containsExactly(0, 3);
        assertThat(progress.getLast()).containsExactly(3, 3);
    }

    @Test
    void neverOverwritesAndLeavesNoTemporaryFiles() throws IOException {
        assertThatThrownBy(() -> CaptionJob.run(SparkTestSession.get(), options(input.toString(), out31, AnimagineVersion.V3_1, 0), null))
                .isInstanceOf(AnimagineException.class).hasMessageContaining("already exists");
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".tmp-"));
        }
    }

    @Test
    void aBadPostIsNamed() throws IOException {
        Path bad = dir.resolve("bad.jsonl");
        Files.write(bad, List.of(DanbooruSample.line(0), DanbooruSample.line(1).replace("\"rating\": \"g\"", "\"rating\": \"x\"")));
        Path out = dir.resolve("never");
        assertThatThrownBy(() -> CaptionJob.run(SparkTestSession.get(), options(bad.toString(), out, AnimagineVersion.V4_0, 0), null))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("post id 1001: rating 'x': expected g, s, q or e");
        Files.write(bad, List.of(DanbooruSample.line(0), DanbooruSample.line(1).replace("\"score\": 38", "\"score\": \"many\"")));
        assertThatThrownBy(() -> CaptionJob.run(SparkTestSession.get(), options(bad.toString(), out, AnimagineVersion.V4_0, 0), null))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("not a post with the expected field types");
        Files.write(bad, List.of(DanbooruSample.line(0), DanbooruSample.line(0)));
        assertThatThrownBy(() -> CaptionJob.run(SparkTestSession.get(), options(bad.toString(), out, AnimagineVersion.V4_0, 0), null))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("file_path 0000/1000.jpg is given for 2 posts");
        assertThat(out).doesNotExist();
    }

    @Test
    void parquetInputGivesTheSameCaptions() throws IOException {
        SparkSession spark = SparkTestSession.get();
        Path parquet = dir.resolve("posts.parquet");
        spark.read().json(input.toString()).write().parquet(parquet.toString());
        Path out = dir.resolve("from-parquet");
        CaptionJob.run(spark, options(parquet.toString(), out, AnimagineVersion.V4_0, 0), null);
        for (int i = 0; i < POSTS; i += 7) assertThat(caption(out, i)).isEqualTo(caption(out40, i));
    }
}
