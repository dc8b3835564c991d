package dev.animagine.cli;

import dev.animagine.core.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a new user has: a single-file checkpoint alone in a folder, no vocabulary anywhere (no
 * --tokenizer, no $ANIMAGINE_TOKENIZER, no Hugging Face cache in a fresh home directory). The
 * command runs in a child JVM with that clean environment and makes an image with the CLIP
 * vocabulary shipped in the jar.
 */
class FreshMachineTest {
    @TempDir
    Path tmp;

    @Test
    void aSingleFileAloneGeneratesWithTheBuiltInVocabulary() throws Exception {
        Path models = Fixtures.path("models").resolve(Fixtures.models().getFirst().getFileName());
        Path single;
        try (Stream<Path> s = Files.list(models.resolve("single_file"))) {
            single = s.filter(p -> p.toString().endsWith(".safetensors")).sorted().findFirst().orElseThrow();
        }
        Path alone = Files.createDirectories(tmp.resolve("downloads")).resolve(single.getFileName());
        Files.createSymbolicLink(alone, single);
        // the miniature model's attention heads come from config.json files only (a real SDXL file
        // needs none): a config folder without any tokenizer
        Path home = Files.createDirectories(tmp.resolve("home"));
        Path out = tmp.resolve("image.png");
        Path config = tmp.resolve("config");
        for (String part : List.of("unet", "vae", "text_encoder", "text_encoder_2")) {
            Files.createDirectories(config.resolve(part));
            Files.copy(models.resolve("diffusers").resolve(part).resolve("config.json"), config.resolve(part).resolve("config.json"));
        }
        Files.copy(models.resolve("diffusers/model_index.json"), config.resolve("model_index.json"));

        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Duser.home=" + home,
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "generate", "--model", alone.toString(), "--config", config.toString(), "--size", "64x64", "--steps", "2",
                "--seed", "1", "--quiet", "--output", out.toString(), "1girl, solo"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).directory(tmp.toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("HF_") || k.equals("ANIMAGINE_TOKENIZER") || k.startsWith("XDG_"));
        env.put("HOME", home.toString());
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(out).exists();
        assertThat(Files.size(out)).isGreaterThan(100);
        assertThat(tokenizerFiles(tmp)).as("no vocabulary file anywhere but in the jar").isEmpty();
    }

    private static List<Path> tokenizerFiles(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(f -> {
                String n = f.getFileName().toString();
                return n.equals("vocab.json") || n.equals("merges.txt") || n.startsWith("bpe_simple_vocab");
            }).toList();
        }
    }
}
