package dev.animagine.spark.batch;

import com.fasterxml.jackson.databind.JsonNode;
import dev.animagine.core.InvalidArgumentException;
import dev.animagine.core.animagine.Wildcards;
import dev.animagine.core.io.CheckpointOptions;
import dev.animagine.core.service.AnimagineSettings;
import dev.animagine.core.service.Compat;
import dev.animagine.core.service.GeneratedImage;
import dev.animagine.core.service.GenerationService;
import dev.animagine.core.service.ImageRequest;
import dev.animagine.core.service.RunControl;
import dev.animagine.core.testing.Fixtures;
import dev.animagine.spark.SparkTestSession;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code animagine batch} on the first miniature model of the pipeline fixtures, local[2]: twelve
 * requests give exactly the images (pixels and infotext) the generation service makes for the same
 * request, as {@code animagine generate} does; two bad rows are recorded as failed without stopping
 * the batch; a rerun keeps finished rows; a run killed midway resumes.
 */
class BatchJobTest {
    private static final String[] SAMPLERS = {"euler_a", "euler", "dpmpp_2m"};

    @TempDir
    static Path dir;
    static Path model;
    static int width;
    static int height;
    static int steps;
    static Path requests;
    static Path out;
    static BatchJob.Outcome first;

    @BeforeAll
    static void run() throws IOException {
        List<JsonNode> cases = Fixtures.cases("pipeline");
        assertThat(cases).isNotEmpty();
        JsonNode c = cases.getFirst();
        model = Fixtures.resolveIndexPath(c.get("model").get("path").asText());
        width = c.get("pipeline_args").get("width").asInt();
        height = c.get("pipeline_args").get("height").asInt();
        steps = c.get("pipeline_args").get("num_inference_steps").asInt();
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 12; i++) lines.add(good(i));
        lines.add("{\"id\": \"bad-steps\", \"prompt\": \"1girl\", \"steps\": 0, \"width\": " + width + ", \"height\": " + height + "}");
        lines.add("{\"id\": \"bad-sampler\", \"prompt\": \"1girl\", \"sampler\": \"nope\", \"width\": " + width + ", \"height\": " + height + "}");
        requests = dir.resolve("requests.jsonl");
        Files.write(requests, lines);
        out = dir.resolve("batch");
        first = BatchJob.run(SparkTestSession.get(), options(requests, out, 3), null);
    }

    private static String good(int i) {
        return "{\"id\": \"r" + i + "\", \"prompt\": \"1girl, " + (i % 2 == 0 ? "smile" : "night, outdoors") + "\", \"seed\": " + (100 + i)
                + ", \"steps\": " + steps + ", \"cfg_scale\": " + (i % 3 == 0 ? 5 : 7.5) + ", \"sampler\": \"" + SAMPLERS[i % 3] + "\""
                + ", \"width\": " + width + ", \"height\": " + height
                + (i % 4 == 3 ? ", \"negative_prompt\": \"lowres\"" : "") + (i % 2 == 1 ? ", \"compat\": \"diffusers\"" : "") + "}";
    }

    static BatchOptions options(Path in, Path output, int partitions) {
        return new BatchOptions(in.toString(), null, null, 0, -1, output.toString(), model.toString(), null, null, Map.of(), partitions, Map.of());
    }

    /** The request generate's flags make for row i (same prompt, seed, steps, CFG, sampler, size, compat). */
    private static ImageRequest request(int i) {
        ImageRequest.Builder b = ImageRequest.builder().prompt("1girl, " + (i % 2 == 0 ? "smile" : "night, outdoors"))
                .seed(100 + i).steps(steps).cfgScale(i % 3 == 0 ? 5 : 7.5).sampler(SAMPLERS[i % 3]).size(width, height);
        if (i % 4 == 3) b.negativePrompt("lowres");
        if (i % 2 == 1) b.compat(Compat.DIFFUSERS);
        return b.build();
    }

    @Test
    void twelveRowsAreExactlyWhatGenerateMakes() throws IOException {
        assertThat(first.count("generated")).isEqualTo(12);
        try (GenerationService service = GenerationService.open(model, CheckpointOptions.DEFAULT, null)) {
            for (int i = 0; i < 12; i++) {
                GeneratedImage expected = service.generate(request(i), RunControl.silent()).images().getFirst();
                Path png = out.resolve("images/r" + i + ".png");
                BufferedImage ours = ImageIO.read(png.toFile());
                BufferedImage ref = expected.toBufferedImage();
                assertThat(ours.getWidth()).isEqualTo(ref.getWidth());
                for (int y = 0; y < ref.getHeight(); y++)
                    for (int x = 0; x < ref.getWidth(); x++)
                        assertThat(ours.getRGB(x, y)).as("r" + i + " pixel " + x + "," + y).isEqualTo(ref.getRGB(x, y));
                assertThat(dev.animagine.core.pipeline.PngFiles.readText(png).get("parameters")).isEqualTo(expected.parameters());
            }
        }
    }

    /**
     * A template with two wildcard lists over seeds 1-4: the lists travel in the options (no files on
     * the executors), each row draws from its seed what generate --wildcards does, and the results
     * table holds the drawn prompt.
     */
    @Test
    void wildcardTemplateDrawsAsGeneratePerSeed() throws IOException {
        Map<String, List<String>> lists = Map.of(
                "character", List.of("1girl, arima kana, oshi no ko", "1boy, gojou satoru, jujutsu kaisen", "1girl, frieren, sousou no frieren"),
                "color", List.of("red", "blue", "green", "white", "black"));
        String template = "__character__, __color__ hair, smile";
        Path output = dir.resolve("wildcards");
        BatchOptions o = new BatchOptions(null, null, template, 1, 4, output.toString(), model.toString(), null, null,
                Map.of("steps", Integer.toString(steps), "width", Integer.toString(width), "height", Integer.toString(height)), 2, lists);
        BatchJob.Outcome outcome = BatchJob.run(SparkTestSession.get(), o, null);
        assertThat(outcome.count("generated")).isEqualTo(4);
        Map<String, Row> table = new HashMap<>();
        for (Row r : SparkTestSession.get().read().parquet(outcome.table()).collectAsList()) table.put(r.getString(0), r);
        java.util.Set<String> prompts = new java.util.HashSet<>();
        try (GenerationService service = GenerationService.open(model, CheckpointOptions.DEFAULT, null)) {
            for (int seed = 1; seed <= 4; seed++) {
                AnimagineSettings settings = new AnimagineSettings(null, null, null, null, null, null, null, Wildcards.of(lists), null);
                GeneratedImage expected = service.generate(ImageRequest.builder().prompt(template).seed(seed).steps(steps).size(width, height)
                        .animagine(settings).build(), RunControl.silent()).images().getFirst();
                Path png = output.resolve("images/seed-" + seed + ".png");
                BufferedImage ours = ImageIO.read(png.toFile());
                BufferedImage ref = expected.toBufferedImage();
                for (int y = 0; y < ref.getHeight(); y++)
                    for (int x = 0; x < ref.getWidth(); x++)
                        assertThat(ours.getRGB(x, y)).as("seed " + seed + " pixel " + x + "," + y).isEqualTo(ref.getRGB(x, y));
                assertThat(dev.animagine.core.pipeline.PngFiles.readText(png).get("parameters")).isEqualTo(expected.parameters());
                Row row = table.get("seed-" + seed);
                assertThat(row.getString(row.fieldIndex("prompt"))).isEqualTo(expected.prompt()).doesNotContain("__");
                prompts.add(expected.prompt());
            }
        }
        assertThat(prompts).as("the seeds draw different lines").hasSizeGreaterThan(1);
    }

    @Test
    void anUnknownWildcardStopsTheBatchBeforeAnyImage() {
        Path output = dir.resolve("unknown");
        BatchOptions o = new BatchOptions(null, null, "1girl, __hair__", 1, 2, output.toString(), model.toString(), null, null,
                Map.of(), 1, Map.of("color", List.of("red")));
        assertThatThrownBy(() -> BatchJob.run(SparkTestSession.get(), o, null)).isInstanceOf(InvalidArgumentException.class)
                .hasMessage("__hair__: no wildcard list of that name (have: color)");
        assertThat(output).doesNotExist();
    }

    @Test
    void badRowsAreRecordedAndTheRestGoesOn() {
        assertThat(first.count("failed")).isEqualTo(2);
        Map<String, String> errors = new HashMap<>();
        List<Row> table = SparkTestSession.get().read().parquet(first.table()).collectAsList();
        assertThat(table).hasSize(14);
        for (Row r : table) if (r.getString(r.fieldIndex("status")).equals("failed")) errors.put(r.getString(0), r.getString(r.fieldIndex("error")));
        assertThat(errors).hasSize(2);
        assertThat(errors.get("bad-steps")).contains("steps must be at least 1 (got 0)");
        assertThat(errors.get("bad-sampler")).startsWith("sampler is invalid").contains("nope");
        assertThat(out.resolve("images/bad-steps.png")).doesNotExist();
    }

    @Test
    void aRerunKeepsFinishedRowsAndRetriesFailedOnes() throws IOException {
        Map<String, FileTime> before = new HashMap<>();
        for (int i = 0; i < 12; i++) before.put("r" + i, Files.getLastModifiedTime(out.resolve("images/r" + i + ".png")));
        BatchJob.Outcome again = BatchJob.run(SparkTestSession.get(), options(requests, out, 2), null);
        assertThat(again.count("done")).isEqualTo(12);
        assertThat(again.count("failed")).isEqualTo(2);
        assertThat(again.table()).isNotEqualTo(first.table());
        for (int i = 0; i < 12; i++) assertThat(Files.getLastModifiedTime(out.resolve("images/r" + i + ".png"))).isEqualTo(before.get("r" + i));
        BatchResult r0 = again.results().stream().filter(r -> r.id().equals("r0")).findFirst().orElseThrow();
        assertThat(r0.seed()).isEqualTo(100L);
        assertThat(r0.parameters()).contains("Seed: 100");
    }

    @Test
    void aKilledRunResumes() throws Exception {
        Path in = dir.resolve("slow.jsonl");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 12; i++) lines.add(good(i).replace("\"steps\": " + steps, "\"steps\": " + 40));
        Files.write(in, lines);
        Path killed = dir.resolve("killed");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream().filter(a -> !a.startsWith("-agentlib")).toList());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.animagine.spark.cli.SparkMain", "batch",
                "--input", in.toString(), "--output", killed.toString(), "--model", model.toString(), "--master", "local[1]", "--no-progress"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        Path images = killed.resolve("images");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        while (p.isAlive() && System.nanoTime() < deadline && count(images, ".json") == 0) Thread.sleep(20);
        p.destroyForcibly();
        p.waitFor();
        long doneBefore = count(images, ".json");
        assertThat(doneBefore).as(Files.readString(dir.resolve("child.log"))).isBetween(1L, 11L);

        BatchJob.Outcome resumed = BatchJob.run(SparkTestSession.get(), options(in, killed, 2), null);
        assertThat(resumed.count("done")).isEqualTo(doneBefore);
        assertThat(resumed.count("generated")).isEqualTo(12 - doneBefore);
        assertThat(count(images, ".png")).isEqualTo(12);
        try (Stream<Path> s = Files.list(images)) {
            assertThat(s.map(f -> f.getFileName().toString())).noneMatch(n -> n.contains(".tmp-"));
        }
    }

    private static long count(Path images, String suffix) throws IOException {
        if (!Files.isDirectory(images)) return 0;
        try (Stream<Path> s = Files.list(images)) {
            return s.filter(f -> f.getFileName().toString().endsWith(suffix) && !f.getFileName().toString().startsWith(".")).count();
        }
    }
}
