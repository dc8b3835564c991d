package dev.animagine.cli;

import dev.animagine.core.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code animagine serve}: its options and its usage errors (the server itself is tested in the server module). */
class ServeCommandTest {
    @Test
    void helpListsTheIssuesOptions() {
        CliRun r = CliRun.of("serve", "--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("--model", "--models-dir", "--lora-dir", "--port", "--listen", "--api-auth", "--cors-allow-origins",
                "--queue-size", "--outputs", "--taesd");
    }

    @Test
    void aBadTaesdFileIsOneLineNamingIt(@TempDir Path dir) throws Exception {
        Path bad = Files.writeString(dir.resolve("taesdxl_decoder.safetensors"), "not a safetensors file at all");
        Path model = Fixtures.models().getFirst().resolve("diffusers");
        CliRun r = CliRun.of("serve", "--model", model.toString(), "--taesd", bad.toString(), "--no-warm-up", "--port", "0");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err().strip()).startsWith("animagine: " + bad).doesNotContain("\n");
    }

    @Test
    void usageErrorsAreOneLineWithExitCode2() {
        CliRun none = CliRun.of("serve");
        assertThat(none.exit()).isEqualTo(2);
        assertThat(none.err()).contains("--model or --models-dir");
        CliRun auth = CliRun.of("serve", "--model", "x.safetensors", "--api-auth", "nopassword");
        assertThat(auth.exit()).isEqualTo(2);
        assertThat(auth.err()).contains("--api-auth");
        CliRun missing = CliRun.of("serve", "--models-dir", "/no/such/dir");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("--models-dir /no/such/dir");
        CliRun queue = CliRun.of("serve", "--model", "x", "--queue-size", "0");
        assertThat(queue.exit()).isEqualTo(2);
        assertThat(queue.err()).contains("--queue-size");
    }
}
