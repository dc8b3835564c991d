package dev.animagine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.animagine.core.pipeline.PngFiles;
import dev.animagine.core.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code animagine batch} against {@code animagine generate} on the first miniature pipeline model:
 * a requests file and a seed range give the PNGs (pixels and infotext) generate writes for the same
 * flags. The batch semantics (resume, failed rows, kill) are tested in the spark module.
 */
class BatchCommandTest {
    @TempDir
    Path dir;

    @Test
    void batchRowsAndSeedRangesMatchGenerate() throws IOException {
        JsonNode c = Fixtures.cases("pipeline").getFirst();
        String model = Fixtures.resolveIndexPath(c.get("model").get("path").asText()).toString();
        String size = c.get("pipeline_args").get("width").asInt() + "x" + c.get("pipeline_args").get("height").asInt();
        String steps = c.get("pipeline_args").get("num_inference_steps").asText();
        Path requests = dir.resolve("requests.csv");
        Files.write(requests, List.of("id,prompt,seed,sampler,cfg_scale", "a,\"1girl, smile\",7,dpmpp_2m,6"));

        CliRun batch = CliRun.of("batch", "--input", requests.toString(), "--output", dir.resolve("b").toString(), "--model", model,
                "--master", "local[1]", "--no-progress", "--steps", steps, "--size", size);
        assertThat(batch.exit()).as(batch.err()).isZero();
        assertThat(batch.out()).contains("1 requests: 1 generated, 0 done before, 0 failed");
        CliRun gen = CliRun.of("generate", "--model", model, "--quiet", "--steps", steps, "--size", size, "--seed", "7",
                "--sampler", "dpmpp_2m", "--cfg", "6", "--output", dir.resolve("a.png").toString(), "1girl, smile");
        assertThat(gen.exit()).as(gen.err()).isZero();
        assertSame(dir.resolve("b/images/a.png"), dir.resolve("a.png"));

        CliRun range = CliRun.of("batch", "--prompt", "1girl, night", "--seeds", "3-4", "--output", dir.resolve("r").toString(),
                "--model", model, "--master", "local[1]", "--no-progress", "--steps", steps, "--size", size);
        assertThat(range.exit()).as(range.err()).isZero();
        CliRun gen4 = CliRun.of("generate", "--model", model, "--quiet", "--steps", steps, "--size", size, "--seed", "4",
                "--output", dir.resolve("s4.png").toString(), "1girl, night");
        assertThat(gen4.exit()).as(gen4.err()).isZero();
        assertSame(dir.resolve("r/images/seed-4.png"), dir.resolve("s4.png"));
        assertThat(dir.resolve("r/images/seed-3.png")).exists();
    }

    /**
     * A template with two wildcard lists over seeds 1-4 on local[2]: each row draws what generate
     * --wildcards --seed S draws (same pixels and infotext), and the draws differ between seeds.
     */
    @Test
    void wildcardTemplateOverSeedsMatchesGenerate() throws IOException {
        JsonNode c = Fixtures.cases("pipeline").getFirst();
        String model = Fixtures.resolveIndexPath(c.get("model").get("path").asText()).toString();
        String size = c.get("pipeline_args").get("width").asInt() + "x" + c.get("pipeline_args").get("height").asInt();
        String steps = c.get("pipeline_args").get("num_inference_steps").asText();
        Path lists = Files.createDirectory(dir.resolve("lists"));
        Files.write(lists.resolve("character.txt"), List.of("1girl, arima kana, oshi no ko", "1boy, gojou satoru, jujutsu kaisen",
                "1girl, souryuu asuka langley, neon genesis evangelion", "1girl, frieren, sousou no frieren"));
        Path color = Files.write(dir.resolve("color.txt"), List.of("red", "blue", "green", "white", "black", "silver"));
        String template = "__character__, __color__ hair, smile";

        CliRun batch = CliRun.of("batch", "--prompt", template, "--seeds", "1-4", "--wildcards", lists.toString(), "--wildcards", color.toString(),
                "--output", dir.resolve("w").toString(), "--model", model, "--master", "local[2]", "--no-progress", "--steps", steps, "--size", size);
        assertThat(batch.exit()).as(batch.err()).isZero();
        assertThat(batch.out()).contains("4 requests: 4 generated, 0 done before, 0 failed");
        Set<String> prompts = new HashSet<>();
        for (int seed = 1; seed <= 4; seed++) {
            Path png = dir.resolve("g" + seed + ".png");
            CliRun gen = CliRun.of("generate", "--model", model, "--quiet", "--steps", steps, "--size", size, "--seed", Integer.toString(seed),
                    "--wildcards", lists.toString(), "--wildcards", color.toString(), "--output", png.toString(), template);
            assertThat(gen.exit()).as(gen.err()).isZero();
            assertSame(dir.resolve("w/images/seed-" + seed + ".png"), png);
            String parameters = PngFiles.readText(png).get("parameters");
            assertThat(parameters).doesNotContain("__");
            prompts.add(parameters.lines().findFirst().orElseThrow());
        }
        assertThat(prompts).as("the seeds draw different lines").hasSizeGreaterThan(1);
    }

    @Test
    void unknownWildcardOrMissingFileIsOneLineNamingIt() throws IOException {
        String model = Fixtures.resolveIndexPath(Fixtures.cases("pipeline").getFirst().get("model").get("path").asText()).toString();
        Path color = Files.write(dir.resolve("color.txt"), List.of("red", "blue"));
        CliRun unknown = CliRun.of("batch", "--prompt", "1girl, __hair__, __color__ eyes", "--seeds", "1-2", "--wildcards", color.toString(),
                "--output", dir.resolve("u").toString(), "--model", model, "--master", "local[1]", "--no-progress");
        assertThat(unknown.exit()).isEqualTo(Main.EXIT_USAGE);
        assertOneLine(unknown.err(), "__hair__: no wildcard list of that name (have: color)");
        assertThat(dir.resolve("u/images/seed-1.png")).doesNotExist();

        Path requests = Files.write(dir.resolve("r.jsonl"), List.of("{\"id\": \"a\", \"prompt\": \"1girl, __color__ eyes\"}",
                "{\"id\": \"b\", \"prompt\": \"1girl, __pose__\"}"));
        CliRun inRows = CliRun.of("batch", "--input", requests.toString(), "--wildcards", color.toString(),
                "--output", dir.resolve("v").toString(), "--model", model, "--master", "local[1]", "--no-progress");
        assertThat(inRows.exit()).isEqualTo(Main.EXIT_USAGE);
        assertOneLine(inRows.err(), requests + ": b: __pose__: no wildcard list of that name");

        String missing = dir.resolve("nope.txt").toString();
        CliRun file = CliRun.of("batch", "--prompt", "1girl, __nope__", "--seeds", "1-2", "--wildcards", missing,
                "--output", dir.resolve("m").toString(), "--model", model, "--no-progress");
        assertThat(file.exit()).isEqualTo(Main.EXIT_USAGE);
        assertOneLine(file.err(), "--wildcards " + missing + ": no such file or folder");
    }

    private static void assertOneLine(String err, String message) {
        List<String> lines = new ArrayList<>(err.lines().filter(l -> l.contains(message)).toList());
        assertThat(lines).as(err).hasSize(1);
        assertThat(err).as(err).doesNotContain("\tat ").doesNotContain("Exception");
    }

    private static void assertSame(Path batch, Path generate) throws IOException {
        BufferedImage a = ImageIO.read(batch.toFile());
        BufferedImage b = ImageIO.read(generate.toFile());
        assertThat(a.getWidth()).isEqualTo(b.getWidth());
        assertThat(a.getHeight()).isEqualTo(b.getHeight());
        for (int y = 0; y < b.getHeight(); y++)
            for (int x = 0; x < b.getWidth(); x++) assertThat(a.getRGB(x, y)).isEqualTo(b.getRGB(x, y));
        assertThat(PngFiles.readText(batch).get("parameters")).isEqualTo(PngFiles.readText(generate).get("parameters"));
    }

    @Test
    void usageErrors() {
        CliRun none = CliRun.of("batch", "--output", dir.resolve("x").toString(), "--model", "m");
        assertThat(none.exit()).isEqualTo(Main.EXIT_USAGE);
        assertThat(none.err()).contains("give --input REQUESTS, or --prompt TEMPLATE with --seeds FROM-TO");
        CliRun seeds = CliRun.of("batch", "--prompt", "1girl", "--seeds", "x", "--output", dir.resolve("x").toString(), "--model", "m");
        assertThat(seeds.exit()).isEqualTo(Main.EXIT_USAGE);
        assertThat(seeds.err()).contains("--seeds x: expected FROM-TO");
    }
}
