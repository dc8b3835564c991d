package dev.animagine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.animagine.core.testing.ModelFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class RandomCheckpointCommandTest {
    @TempDir
    Path dir;

    @Test
    void writesBothLayoutsLikeAModelAndInfoReadsThemBack() throws Exception {
        Path folder = dir.resolve("rand-diffusers"), single = dir.resolve("rand.safetensors");
        CliRun a = CliRun.of("dev", "random-checkpoint", "--like", ModelFiles.diffusersFolder().toString(), "--layout", "diffusers",
                "--dtype", "bf16", "--out", folder.toString(), "--seed", "3");
        assertThat(a.exit()).as(a.err()).isZero();
        assertThat(a.out()).contains("wrote", folder.toString());
        CliRun b = CliRun.of("dev", "random-checkpoint", "--like", ModelFiles.diffusersFolder().toString(), "--layout", "single-file",
                "--dtype", "f32", "--out", single.toString());
        assertThat(b.exit()).as(b.err()).isZero();
        JsonNode ref = json("info", ModelFiles.diffusersFolder().toString(), "--json");
        JsonNode x = json("info", folder.toString(), "--json");
        JsonNode y = json("info", single.toString(), "--json", "--config", folder.toString());
        for (JsonNode j : new JsonNode[] {x, y}) {
            assertThat(j.get("params")).isEqualTo(ref.get("params"));
            assertThat(j.get("unet")).isEqualTo(ref.get("unet"));
            assertThat(j.get("text_encoder_2")).isEqualTo(ref.get("text_encoder_2"));
        }
        assertThat(x.get("dtype").asText()).isEqualTo("BF16");
        assertThat(y.get("dtype").asText()).isEqualTo("F32");
    }

    @Test
    void refusesToOverwrite() throws Exception {
        Path out = Files.writeString(dir.resolve("taken.safetensors"), "x");
        CliRun r = CliRun.of("dev", "random-checkpoint", "--like", ModelFiles.diffusersFolder().toString(), "--layout", "single-file",
                "--out", out.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("already exists");
        assertThat(Files.readString(out)).isEqualTo("x");
    }

    @Test
    void badFlagsAreUsageErrors() {
        String out = dir.resolve("o.safetensors").toString();
        assertThat(CliRun.of("dev", "random-checkpoint", "--preset", "sdxl", "--layout", "zip", "--out", out).exit()).isEqualTo(2);
        assertThat(CliRun.of("dev", "random-checkpoint", "--preset", "sdxl", "--layout", "diffusers", "--dtype", "int8", "--out", out).exit()).isEqualTo(2);
        assertThat(CliRun.of("dev", "random-checkpoint", "--preset", "sd15", "--layout", "diffusers", "--out", out).exit()).isEqualTo(2);
        assertThat(CliRun.of("dev", "random-checkpoint", "--layout", "diffusers", "--out", out).exit()).isEqualTo(2);
        assertThat(CliRun.of("dev", "random-checkpoint", "--preset", "sdxl", "--like", "x", "--layout", "diffusers", "--out", out).exit()).isEqualTo(2);
        assertThat(CliRun.of("dev").exit()).isEqualTo(2);
        assertThat(Files.exists(Path.of(out))).isFalse();
    }

    private static JsonNode json(String... args) throws Exception {
        CliRun r = CliRun.of(args);
        assertThat(r.exit()).as(r.err()).isZero();
        return new ObjectMapper().readTree(r.out());
    }
}
