package dev.animagine.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code animagine serve}: its options and its usage errors (the server itself is tested in the server module). */
class ServeCommandTest {
    @Test
    void helpListsTheIssuesOptions() {
        CliRun r = CliRun.of("serve", "--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("--model", "--models-dir", "--lora-dir", "--port", "--listen", "--api-auth", "--cors-allow-origins",
                "--queue-size", "--outputs");
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
