package dev.animagine.cli;

import dev.animagine.core.pipeline.PngFiles;
import dev.animagine.core.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code generate --deepcache N --cfg-cutoff R}: written to the infotext, redone from the PNG (same
 * bytes, in both modes), and bad values are one-line errors naming the flag.
 */
class StepSavingsCommandTest {
    @TempDir
    Path tmp;

    private static Path model() {
        return Fixtures.path("models").resolve(Fixtures.models().getFirst().getFileName()).resolve("diffusers");
    }

    @Test
    void savingsSurviveARoundTripThroughThePng() throws Exception {
        for (String compat : new String[] {"a1111", "diffusers"}) {
            Path first = tmp.resolve(compat + ".png"), second = tmp.resolve(compat + "-again.png");
            CliRun a = CliRun.of("generate", "--model", model().toString(), "--quiet", "--compat", compat, "--steps", "5", "--size", "64x64",
                    "--seed", "7", "--cfg", "5", "--negative", "lowres", "--deepcache", "3", "--cfg-cutoff", "0.5", "--output", first.toString(),
                    "1girl, solo");
            assertThat(a.exit()).as(a.err()).isZero();
            assertThat(PngFiles.readText(first).get("parameters")).contains("DeepCache: 3", "CFG cutoff: 0.5");
            CliRun b = CliRun.of("generate", "--model", model().toString(), "--quiet", "--from-png", first.toString(), "--output", second.toString());
            assertThat(b.exit()).as(b.err()).isZero();
            assertThat(b.err()).doesNotContain("DeepCache: not understood").doesNotContain("CFG cutoff: not understood");
            assertThat(Files.readAllBytes(second)).as(compat).isEqualTo(Files.readAllBytes(first));
        }
    }

    @Test
    void badValuesNameTheFlag() {
        for (String[] bad : new String[][] {{"--deepcache", "0"}, {"--deepcache", "-2"}, {"--cfg-cutoff", "1.5"}, {"--cfg-cutoff", "-0.1"}}) {
            CliRun r = CliRun.of("generate", "--model", model().toString(), "--quiet", bad[0], bad[1], "--output", tmp.resolve("x.png").toString(), "1girl");
            assertThat(r.exit()).as(String.join(" ", bad)).isNotZero();
            assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
            assertThat(r.err()).contains(bad[0]).contains(bad[1]);
        }
    }
}
