package dev.animagine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.animagine.core.io.SafetensorsFile;
import dev.animagine.core.pipeline.PngFiles;
import dev.animagine.core.testing.Close;
import dev.animagine.core.testing.Fixtures;
import dev.animagine.core.testing.PngCompare;
import dev.animagine.core.testing.PipelineCases;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code animagine generate} end to end: every pipeline fixture case run through the command line in
 * diffusers-compatible mode reproduces the reference PNG within 1/255 and its final latents within
 * 1e-3 (read back from --dump); bad input gives one line and exit 2.
 */
class GenerateCommandTest {
    @TempDir
    Path tmp;

    @TestFactory
    List<DynamicTest> reproducesThePipelineFixtures() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : Fixtures.cases("pipeline")) {
            Path folder = Fixtures.resolveIndexPath(c.get("model").get("path").asText());
            tests.add(DynamicTest.dynamicTest(c.get("id").asText(), () -> run(c, folder, List.of())));
            // the same model as a single file (the fp16 one holds the same weights), heads from --config
            try (var files = Files.list(folder.getParent().resolve("single_file"))) {
                files.filter(f -> f.getFileName().toString().contains("fp16")).forEach(f -> tests.add(DynamicTest.dynamicTest(
                        c.get("id").asText() + " single file", () -> run(c, f, List.of("--config", folder.toString())))));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return tests;
    }

    private void run(JsonNode c, Path model, List<String> extra) throws Exception {
        JsonNode a = c.get("pipeline_args");
        String name = c.get("id").asText() + (extra.isEmpty() ? "" : "-single");
        Path out = tmp.resolve(name + ".png"), dump = tmp.resolve(name);
        List<String> args = new ArrayList<>(List.of("generate", "--model", model.toString(), "--compat", "diffusers", "--quiet",
                "--sampler", PipelineCases.sampler(c).id(), "--schedule", PipelineCases.schedule(c).id(),
                "--steps", a.get("num_inference_steps").asText(), "--cfg", a.get("guidance_scale").asText(),
                "--width", a.get("width").asText(), "--height", a.get("height").asText(),
                "--seed", String.valueOf(PipelineCases.seed(c)), "--output", out.toString(), "--dump", dump.toString(),
                "--prompt", a.get("prompt").asText()));
        if (!a.get("negative_prompt").isNull()) args.addAll(List.of("--negative", a.get("negative_prompt").asText()));
        if (!a.get("original_size").isNull())
            args.addAll(List.of("--original-size", a.get("original_size").get(1).asInt() + "x" + a.get("original_size").get(0).asInt()));
        if (!a.get("target_size").isNull())
            args.addAll(List.of("--target-size", a.get("target_size").get(1).asInt() + "x" + a.get("target_size").get(0).asInt()));
        JsonNode crop = a.get("crops_coords_top_left");
        args.addAll(List.of("--crop", crop.get(0).asInt() + "," + crop.get(1).asInt()));
        args.addAll(extra);

        CliRun r = CliRun.of(args.toArray(String[]::new));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out().strip()).isEqualTo(out.toString());

        PngCompare.assertWithinOneLevel(out, Fixtures.resolveIndexPath(c.get("expected").get("png").asText()));

        try (SafetensorsFile latents = SafetensorsFile.open(dump.resolve("latents.safetensors"));
             SafetensorsFile cond = SafetensorsFile.open(dump.resolve("conditioning.safetensors"))) {
            Close.assertClose("final latents", latents.tensor("latents").toFloats(),
                    Fixtures.tensor("pipeline/pipeline.safetensors", c.get("expected").get("final_latents").get("key").asText()).toFloats(), 1e-3, 0);
            assertThat(cond.tensors()).containsKeys("prompt_embeds", "pooled_prompt_embeds");
            if (a.get("guidance_scale").asDouble() > 1)
                assertThat(cond.tensors()).containsKeys("negative_prompt_embeds", "negative_pooled_prompt_embeds");
        }
        String params = PngFiles.readText(out).get("parameters");
        assertThat(params).startsWith(a.get("prompt").asText() + "\n")
                .contains("Steps: " + a.get("num_inference_steps").asText(), "Seed: " + String.valueOf(PipelineCases.seed(c)),
                        "Size: " + a.get("width").asText() + "x" + a.get("height").asText(), "Model hash: ");
    }

    @Test
    void neverOverwritesAndNumbersFilesInAFolder() throws Exception {
        Path model = Fixtures.path("models").resolve(Fixtures.models().getFirst().getFileName()).resolve("diffusers");
        String[] base = {"generate", "--model", model.toString(), "--quiet", "--steps", "1", "--size", "64x64", "--seed", "5", "1girl"};
        Path dir = tmp.resolve("out");
        for (int i = 0; i < 2; i++) {
            String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(base), java.util.stream.Stream.of("--output", dir.toString())).toArray(String[]::new);
            assertThat(CliRun.of(args).exit()).isZero();
        }
        try (var s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString()).sorted()).containsExactly("00000-5.png", "00001-5.png");
        }
        Path file = dir.resolve("00000-5.png");
        byte[] before = Files.readAllBytes(file);
        String[] again = java.util.stream.Stream.concat(java.util.Arrays.stream(base), java.util.stream.Stream.of("--output", file.toString())).toArray(String[]::new);
        CliRun r = CliRun.of(again);
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("already exists").doesNotContain("Exception");
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
    }

    @Test
    void batchSizeAndCountNumberSeedsAsA1111AndMatchSingleImages() throws Exception {
        Path model = Fixtures.path("models").resolve(Fixtures.models().getFirst().getFileName()).resolve("diffusers");
        Path dir = tmp.resolve("batch");
        CliRun r = CliRun.of("generate", "--model", model.toString(), "--quiet", "--steps", "2", "--size", "64x64", "--seed", "5",
                "--batch-count", "2", "--batch-size", "2", "--output", dir.toString(), "1girl");
        assertThat(r.exit()).as(r.err()).isZero();
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted())
                    .containsExactly("00000-5.png", "00001-6.png", "00002-7.png", "00003-8.png");
        }
        assertThat(PngFiles.readText(dir.resolve("00002-7.png")).get("parameters")).contains("Seed: 7,").doesNotContain("Batch");
        Path alone = tmp.resolve("alone-7.png");
        assertThat(CliRun.of("generate", "--model", model.toString(), "--quiet", "--steps", "2", "--size", "64x64", "--seed", "7",
                "--output", alone.toString(), "1girl").exit()).isZero();
        BufferedImage a = ImageIO.read(alone.toFile()), b = ImageIO.read(dir.resolve("00002-7.png").toFile());
        for (int y = 0; y < a.getHeight(); y++)
            for (int x = 0; x < a.getWidth(); x++) assertThat(b.getRGB(x, y)).isEqualTo(a.getRGB(x, y));
    }

    @Test
    void badInputIsAOneLineUsageError() {
        Path model = Fixtures.path("models").resolve(Fixtures.models().getFirst().getFileName()).resolve("diffusers");
        String m = model.toString();
        String[][] cases = {
                {"--size", "65x64", "x"}, {"--steps", "0", "x"}, {"--compat", "diffusers", "--sampler", "heun", "x"}, {"--cfg", "-1", "x"},
                {"--prompt-file", tmp.resolve("missing.txt").toString()}, {"--crop", "a,b", "x"},
                {"--compat", "diffusers", "--schedule", "karras", "--sampler", "euler_a", "x"},
                {"--compat", "diffusers", "--rng", "gpu", "x"}, {"--width", "64", "x"}, {"--compat", "comfy", "x"},
                {"--sampler", "heun++", "x"}, {"--schedule", "fancy", "x"}, {"--rng", "quantum", "x"}, {"--subseed-strength", "2", "x"},
                {"--seed-resize-from", "0x64", "x"}, {"--s-min-uncond", "-1", "x"}, {"--infotext", "x", "--from-png", "y.png"},
                {"--from-png", tmp.resolve("missing.png").toString()}, {"--batch-size", "0", "x"},
        };
        String[] expected = {"65x64", "--steps must be at least 1 (got 0)", "valid: euler, euler_a, dpmpp_2m, ddim, unipc", "--cfg", "missing.txt",
                "--crop", "--schedule karras", "--rng must be cpu (got 'gpu')", "--height", "--compat must be a1111 or diffusers (got 'comfy')",
                "--sampler is invalid: unknown sampler 'heun++'", "--schedule is invalid: unknown schedule type 'fancy'",
                "--rng is invalid: unknown rng source 'quantum'", "--subseed-strength must be between 0 and 1 (got 2.0)",
                "--seed-resize-from 0x64", "--s-min-uncond must be a non-negative number (got -1.0)", "--infotext or --from-png, not both",
                "missing.png: file not found", "--batch-size must be at least 1 (got 0)"};
        for (int i = 0; i < cases.length; i++) {
            List<String> args = new ArrayList<>(List.of("generate", "--model", m, "--quiet", "--output", tmp.resolve("never.png").toString()));
            args.addAll(List.of(cases[i]));
            CliRun r = CliRun.of(args.toArray(String[]::new));
            assertThat(r.exit()).as(String.join(" ", cases[i]) + ": " + r.err()).isEqualTo(2);
            assertThat(r.err().strip().lines().filter(l -> l.startsWith("animagine:")).toList()).as(r.err()).hasSize(1);
            assertThat(r.err()).contains(expected[i]).doesNotContain("Exception").doesNotContain("\tat ");
        }
        CliRun missingModel = CliRun.of("generate", "--model", tmp.resolve("nope.safetensors").toString(), "--quiet", "x");
        assertThat(missingModel.exit()).isEqualTo(2);
        assertThat(missingModel.err()).contains("nope.safetensors").doesNotContain("vocabulary").doesNotContain("tokenizer");
        assertThat(Files.exists(tmp.resolve("never.png"))).isFalse();
    }
}
