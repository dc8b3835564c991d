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
 * {@code animagine generate --lora}: every pipeline case of lora/index.json run as its {@code cli}
 * entry says ({@code --compat diffusers --lora FILE:WEIGHT --dump DIR}) reproduces diffusers:
 * conditioning within 1e-4, final latents within 1e-3·max(1, max|ref|), PNG within 1/255; the
 * infotext records the adapter as a {@code <lora:...>} tag and its A1111 hash. Prompt tags resolved
 * in {@code --lora-dir} give the same image; unknown keys are reported once; an SD 1.5 LoRA is
 * rejected in one line.
 */
class GenerateLoraTest {
    static final String FILE = "lora/lora.safetensors";

    @TempDir
    Path tmp;

    static List<JsonNode> cases() {
        List<JsonNode> cases = new ArrayList<>();
        Fixtures.json("lora/index.json").get("pipeline_cases").forEach(cases::add);
        return cases;
    }

    @TestFactory
    List<DynamicTest> reproducesTheLoraPipelineFixtures() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : cases()) tests.add(DynamicTest.dynamicTest(c.get("id").asText(), () -> run(c)));
        assertThat(tests).isNotEmpty();
        return tests;
    }

    /** The command line a case's {@code cli} entry describes, with fixture paths resolved. */
    private List<String> args(JsonNode c, Path out, Path dump) {
        JsonNode cli = c.get("cli");
        List<String> args = new ArrayList<>(List.of("generate", "--model", Fixtures.resolveIndexPath(cli.get("model").asText()).toString(),
                "--compat", cli.get("compat").asText(), "--quiet",
                "--sampler", PipelineCases.sampler(c).id(), "--schedule", PipelineCases.schedule(c).id(),
                "--steps", cli.get("steps").asText(), "--cfg", cli.get("guidance_scale").asText(),
                "--width", cli.get("width").asText(), "--height", cli.get("height").asText(),
                "--seed", cli.get("seed").asText(), "--output", out.toString(), "--dump", dump.toString(),
                "--prompt", cli.get("prompt").asText()));
        if (!cli.get("negative_prompt").isNull()) args.addAll(List.of("--negative", cli.get("negative_prompt").asText()));
        for (JsonNode l : cli.get("lora")) {
            String spec = l.asText();
            int colon = spec.lastIndexOf(':');
            args.addAll(List.of("--lora", Fixtures.resolveIndexPath(spec.substring(0, colon)) + spec.substring(colon)));
        }
        return args;
    }

    private void run(JsonNode c) throws Exception {
        String id = c.get("id").asText();
        Path out = tmp.resolve(id + ".png"), dump = tmp.resolve(id);
        CliRun r = CliRun.of(args(c, out, dump).toArray(String[]::new));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out().strip()).isEqualTo(out.toString());

        JsonNode e = c.get("expected");
        PngCompare.assertWithinOneLevel(out, Fixtures.resolveIndexPath(e.get("png").asText()));

        try (SafetensorsFile latents = SafetensorsFile.open(dump.resolve("latents.safetensors"));
             SafetensorsFile cond = SafetensorsFile.open(dump.resolve("conditioning.safetensors"))) {
            float[] refLatents = Fixtures.tensor(FILE, e.get("final_latents").get("key").asText()).toFloats();
            double maxRef = 1;
            for (float v : refLatents) maxRef = Math.max(maxRef, Math.abs(v));
            Close.assertClose("final latents", latents.tensor("latents").toFloats(), refLatents, 1e-3 * maxRef, 0);
            e.get("conditioning").fields().forEachRemaining(f -> Close.assertClose(f.getKey(), cond.tensor(f.getKey()).toFloats(),
                    Fixtures.tensor(FILE, f.getValue().get("key").asText()).toFloats(), 1e-4, 0));
        }

        String params = PngFiles.readText(out).get("parameters");
        String prompt = c.get("cli").get("prompt").asText();
        StringBuilder tags = new StringBuilder();
        StringBuilder hashes = new StringBuilder();
        for (JsonNode l : c.get("loras")) {
            String name = Path.of(l.get("file").asText()).getFileName().toString().replace(".safetensors", "");
            tags.append(" <lora:").append(name).append(":").append(l.get("weight").asText()).append(">");
            hashes.append(hashes.isEmpty() ? "" : ", ").append(name).append(": ");
        }
        assertThat(params).startsWith(prompt + tags + "\n").contains("Lora hashes: \"" + hashes);
    }

    @Test
    void promptTagsInTheLoraFolderGiveTheSameImage() throws Exception {
        JsonNode c = cases().getFirst();
        Path byFlag = tmp.resolve("flag.png"), byTag = tmp.resolve("tag.png");
        CliRun flag = CliRun.of(args(c, byFlag, tmp.resolve("flag")).toArray(String[]::new));
        assertThat(flag.exit()).as(flag.err()).isZero();
        List<String> args = args(c, byTag, tmp.resolve("tag"));
        int at = args.indexOf("--lora");
        String spec = args.get(at + 1);
        args.subList(at, at + 2).clear();
        Path file = Path.of(spec.substring(0, spec.lastIndexOf(':')));
        String tag = "<lora:" + file.getFileName().toString().replace(".safetensors", "") + spec.substring(spec.lastIndexOf(':')) + ">";
        int p = args.indexOf("--prompt");
        args.set(p + 1, args.get(p + 1) + " " + tag);
        args.addAll(List.of("--lora-dir", file.getParent().toString()));
        CliRun tagged = CliRun.of(args.toArray(String[]::new));
        assertThat(tagged.exit()).as(tagged.err()).isZero();
        try (SafetensorsFile a = SafetensorsFile.open(tmp.resolve("flag").resolve("latents.safetensors"));
             SafetensorsFile b = SafetensorsFile.open(tmp.resolve("tag").resolve("latents.safetensors"))) {
            assertThat(b.tensor("latents").toFloats()).isEqualTo(a.tensor("latents").toFloats());
        }
        assertThat(PngFiles.readText(byTag).get("parameters")).isEqualTo(PngFiles.readText(byFlag).get("parameters"));

        // pasting the image's parameters resolves its LoRA again and checks the recorded hash
        String model = args.get(args.indexOf("--model") + 1);
        CliRun again = CliRun.of("generate", "--model", model, "--from-png", byTag.toString(), "--lora-dir", file.getParent().toString(),
                "--quiet", "--output", tmp.resolve("again.png").toString());
        assertThat(again.exit()).as(again.err()).isZero();
        assertThat(again.err()).doesNotContain("not loaded").doesNotContain("Lora hash");
        // the same name for another file: a warning naming both hashes
        Path other = java.nio.file.Files.createDirectories(tmp.resolve("other"));
        Path otherFile;
        try (var files = java.nio.file.Files.list(file.getParent())) {
            otherFile = files.filter(f -> f.toString().endsWith(".safetensors") && !f.equals(file) && f.getFileName().toString().startsWith("kohya_lora"))
                    .sorted().findFirst().orElseThrow();
        }
        java.nio.file.Files.createSymbolicLink(other.resolve(file.getFileName()), otherFile.toAbsolutePath());
        CliRun mismatch = CliRun.of("generate", "--model", model, "--from-png", byTag.toString(), "--lora-dir", other.toString(),
                "--quiet", "--output", tmp.resolve("mismatch.png").toString());
        assertThat(mismatch.err()).contains(file.getFileName().toString().replace(".safetensors", ""));
        assertThat(mismatch.err()).contains("was made with [");
    }

    @Test
    void loraSpecsTakeAnOptionalWeightAfterTheLastColon() {
        assertThat(GenerateCommand.parseLora("a/b.safetensors")).isEqualTo(new dev.animagine.core.lora.LoraStack.Request(Path.of("a/b.safetensors"), 1f, 1f));
        assertThat(GenerateCommand.parseLora("a/b.safetensors:0.6")).isEqualTo(new dev.animagine.core.lora.LoraStack.Request(Path.of("a/b.safetensors"), 0.6f, 0.6f));
        assertThat(GenerateCommand.parseLora("x:y.safetensors")).isEqualTo(new dev.animagine.core.lora.LoraStack.Request(Path.of("x:y.safetensors"), 1f, 1f));
        assertThat(GenerateCommand.parseLora("x.safetensors:-1.5")).isEqualTo(new dev.animagine.core.lora.LoraStack.Request(Path.of("x.safetensors"), -1.5f, -1.5f));
    }

    @Test
    void unknownKeysAreReportedOnceAndAnotherBaseIsRejected() {
        JsonNode c = cases().getFirst();
        Path dir = Fixtures.resolveIndexPath(c.get("loras").get(0).get("file").asText()).getParent();
        String model = Fixtures.resolveIndexPath(c.get("cli").get("model").asText()).toString();

        CliRun unknown = CliRun.of("generate", "--model", model, "--quiet", "--steps", "1", "--size", "64x64", "--seed", "1",
                "--output", tmp.resolve("u.png").toString(), "--lora", dir.resolve("kohya_unknown_keys.safetensors") + ":0.5", "1girl");
        assertThat(unknown.exit()).as(unknown.err()).isZero();
        assertThat(unknown.err().lines().filter(l -> l.contains("kohya_unknown_keys")).toList()).as(unknown.err()).hasSize(1);

        CliRun sd15 = CliRun.of("generate", "--model", model, "--quiet", "--steps", "1", "--size", "64x64",
                "--output", tmp.resolve("never.png").toString(), "--lora", dir.resolve("sd15_lora_reject.safetensors").toString(), "1girl");
        assertThat(sd15.exit()).isEqualTo(2);
        assertThat(sd15.err().strip().lines().toList()).as(sd15.err()).hasSize(1);
        assertThat(sd15.err()).contains("sd15_lora_reject.safetensors").doesNotContain("Exception");

        CliRun missing = CliRun.of("generate", "--model", model, "--quiet", "--output", tmp.resolve("never.png").toString(),
                "--lora", tmp.resolve("nope.safetensors") + ":0.7", "1girl");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("--lora", "nope.safetensors").doesNotContain("Exception");
        assertThat(Files.exists(tmp.resolve("never.png"))).isFalse();
    }
}
