package dev.animagine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.animagine.core.testing.Fixtures;
import dev.animagine.core.testing.ModelFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

class InfoCommandTest {
    @TempDir
    Path dir;

    @Test
    void jsonReportsLayoutArchitectureParamsAndUNetShapeForEveryFixtureModel() throws Exception {
        JsonNode models = Fixtures.json("index.json").get("models");
        for (Map.Entry<String, JsonNode> m : models.properties()) {
            Path diffusers = Fixtures.resolveIndexPath(m.getValue().get("diffusers").asText());
            for (String[] args : new String[][] {{"info", diffusers.toString(), "--json"}}) {
                CliRun r = CliRun.of(args);
                assertThat(r.exit()).as(r.err()).isZero();
                JsonNode j = new ObjectMapper().readTree(r.out());
                assertThat(j.get("architecture").asText()).isEqualTo("sdxl");
                assertThat(j.get("layout").asText()).isEqualTo("diffusers");
                assertThat(j.get("dtype").asText()).isEqualTo("F16");
                for (Map.Entry<String, JsonNode> pc : m.getValue().get("param_counts").properties())
                    assertThat(j.at("/params/" + pc.getKey()).asLong()).as(pc.getKey()).isEqualTo(pc.getValue().asLong());
                JsonNode unetCfg = m.getValue().at("/config/unet");
                assertThat(j.at("/unet/block_out_channels")).isEqualTo(unetCfg.get("block_out_channels"));
                assertThat(j.at("/unet/transformer_layers_per_block")).isEqualTo(unetCfg.get("transformer_layers_per_block"));
                assertThat(j.at("/unet/cross_attention_dim").asInt())
                        .isEqualTo(m.getValue().at("/config/clip_l/width").asInt() + m.getValue().at("/config/clip_g/width").asInt());
                assertThat(j.has("short_hash")).isFalse();
            }
        }
    }

    @Test
    void singleFileWithHashAndConfig() throws Exception {
        CliRun r = CliRun.of("info", ModelFiles.singleFile().toString(), "--json", "--hash", "--config", ModelFiles.diffusersFolder().toString());
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("layout").asText()).isEqualTo("single-file");
        assertThat(j.get("short_hash").asText()).matches("[0-9a-f]{10}");
        assertThat(j.get("file_size").asLong()).isEqualTo(ModelFiles.singleFile().toFile().length());
    }

    @Test
    void textOutput() {
        CliRun r = CliRun.of("info", ModelFiles.diffusersFolder().toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("layout:", "diffusers", "architecture:", "SDXL", "unet:", "text_encoder_2:", "file size:");
    }

    /** Each bad input: exit code 1 and one line on stderr naming the file and the reason. */
    @Test
    void badModelsFailWithOneLineAndExitCode1() {
        Map<String, Function<Path, Path>> cases = new java.util.LinkedHashMap<>();
        cases.put("Stable Diffusion 1.x", ModelFiles::sd1);
        cases.put("Stable Diffusion 2.x", ModelFiles::sd2);
        cases.put("Stable Diffusion 3", ModelFiles::sd3);
        cases.put("Flux", ModelFiles::flux);
        cases.put("VAE on its own", ModelFiles::vaeOnly);
        cases.put("truncated", ModelFiles::truncated);
        cases.put("no text encoders", ModelFiles::noTextEncoders);
        cases.put("pickle", ModelFiles::pickle);
        cases.forEach((reason, make) -> {
            Path bad = make.apply(dir);
            CliRun r = CliRun.of("info", bad.toString(), "--config", ModelFiles.diffusersFolder().toString());
            assertThat(r.exit()).as(reason + ": " + r.err()).isEqualTo(1);
            assertThat(r.out()).isEmpty();
            assertThat(r.err().strip()).as(reason).startsWith("animagine: " + bad).contains(reason).doesNotContain("\n").doesNotContain("Exception");
        });
        Path partial = ModelFiles.diffusersWithout(dir, "text_encoder");
        CliRun r = CliRun.of("info", partial.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err().strip()).contains("text_encoder/ folder is missing").doesNotContain("\n");
    }

    /** An adapter file is described, not refused (see LoraCommandsTest for the facts). */
    @Test
    void adapterFilesAreDescribed() {
        for (Path lora : new Path[] {ModelFiles.lora(dir), ModelFiles.lycoris(dir)}) {
            CliRun r = CliRun.of("info", lora.toString());
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out()).contains("format:", "kohya", "A1111 hash:", "unmatched:");
        }
    }

    @Test
    void usageErrorsExitWith2() {
        CliRun missing = CliRun.of("info", dir.resolve("nothing-here.safetensors").toString());
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("nothing-here.safetensors", "no such file");
        assertThat(CliRun.of("info").exit()).isEqualTo(2);
        assertThat(CliRun.of("info", ModelFiles.diffusersFolder().toString(), "--bogus").exit()).isEqualTo(2);
        CliRun badConfig = CliRun.of("info", ModelFiles.singleFile().toString(), "--config", dir.resolve("nope").toString());
        assertThat(badConfig.exit()).isEqualTo(2);
        assertThat(badConfig.err()).contains("--config");
    }

    @Test
    void helpWorks() {
        CliRun r = CliRun.of("info", "--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("--json", "--hash", "--config", "--vae");
    }

    @Test
    void recognisesATaesdDecoderInBothLayouts() throws Exception {
        for (var layout : dev.animagine.core.vae.tiny.TinyAutoencoderDecoder.Layout.values()) {
            Path file = dev.animagine.core.vae.tiny.RandomTinyAutoencoder.write(dir.resolve(layout + ".safetensors"), layout, 1);
            CliRun r = CliRun.of("info", file.toString(), "--json");
            assertThat(r.exit()).as(r.err()).isZero();
            JsonNode j = new ObjectMapper().readTree(r.out());
            assertThat(j.get("kind").asText()).isEqualTo("taesd_decoder");
            assertThat(j.get("layout").asText()).isEqualTo(layout == dev.animagine.core.vae.tiny.TinyAutoencoderDecoder.Layout.DIFFUSERS ? "diffusers" : "taesd");
            assertThat(j.get("latent_channels").asInt()).isEqualTo(4);
            assertThat(j.get("upscale").asInt()).isEqualTo(8);
            // conv(4,64) 2,368 + 10 blocks x 3 x 36,928 + 3 bias-free 36,864 + conv(64,3) 1,731
            assertThat(j.get("params").asLong()).isEqualTo(1_222_531L);
            CliRun text = CliRun.of("info", file.toString());
            assertThat(text.out()).contains("TAESD decoder", "--taesd");
        }
    }
}
