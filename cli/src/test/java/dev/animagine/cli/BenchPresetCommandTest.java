package dev.animagine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.animagine.core.testing.ModelFiles;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

/** {@code bench --preset animagine} and {@code bench --text-only} on the miniature fixture model. */
class BenchPresetCommandTest {
    private static final String MODEL = ModelFiles.diffusersFolder().toString();

    @Test
    void presetJsonProjectsTheImageFromItsMeasuredPieces() throws Exception {
        CliRun r = CliRun.of("bench", "--model", MODEL, "--preset", "animagine", "--size", "64x96", "--steps", "4",
                "--fidelity-size", "32x48", "--fidelity-steps", "2", "--seed", "7", "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("preset").asText()).isEqualTo("animagine");
        assertThat(j.get("width").asInt()).isEqualTo(64);
        assertThat(j.get("height").asInt()).isEqualTo(96);
        assertThat(j.get("steps").asInt()).isEqualTo(4);
        assertThat(j.get("unet_evals").asInt()).isEqualTo(8);
        assertThat(j.get("sampler").asText()).isEqualTo("Euler a");
        assertThat(j.get("cfg_scale").asDouble()).isEqualTo(5.0);
        JsonNode m = j.get("measured");
        double text = m.get("text_encode_seconds").asDouble(), step = m.get("step_seconds").asDouble(), decode = m.get("vae_decode_seconds").asDouble();
        assertThat(text).isPositive();
        assertThat(decode).isPositive();
        assertThat(step).isCloseTo(2 * m.get("unet_eval_seconds").asDouble(), offset(1e-9));
        JsonNode f = j.get("fidelity");
        assertThat(f.get("width").asInt()).isEqualTo(32);
        assertThat(f.get("height").asInt()).isEqualTo(48);
        assertThat(f.get("steps").asInt()).isEqualTo(2);
        assertThat(f.get("seed").asLong()).isEqualTo(7);
        assertThat(f.get("full_denoise_seconds").asDouble()).isPositive();
        JsonNode full = j.get("projections").get(0);
        assertThat(full.get("saving").asText()).isEqualTo("none");
        assertThat(full.get("projected_seconds").asDouble()).isCloseTo(text + 4 * step + decode, offset(1e-9));
        // each saving is projected or listed as not wired
        assertThat(j.get("projections").size() - 1 + j.get("not_wired").size()).isEqualTo(3);
    }

    @Test
    void presetTextNamesTheFidelitySize() {
        CliRun r = CliRun.of("bench", "--model", MODEL, "--preset", "Animagine", "--size", "32x48", "--steps", "2",
                "--fidelity-size", "32x48", "--fidelity-steps", "1", "--savings", "deepcache");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("preset         animagine: 32x48, 2 steps, Euler a, CFG 5 (4 UNet evaluations)");
        assertThat(r.out()).contains("fidelity       1 steps at 32x48, seed 0");
        assertThat(r.out()).doesNotContain("cfg-cutoff").doesNotContain("batch4");
    }

    @Test
    void presetOptionErrorsAreUsageErrorsNamingTheValue() {
        CliRun unknown = CliRun.of("bench", "--model", MODEL, "--preset", "pony");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("--preset 'pony'").contains("animagine");
        CliRun saving = CliRun.of("bench", "--model", MODEL, "--preset", "animagine", "--savings", "deepcache,tome");
        assertThat(saving.exit()).isEqualTo(2);
        assertThat(saving.err()).contains("'tome'");
        CliRun size = CliRun.of("bench", "--model", MODEL, "--preset", "animagine", "--fidelity-size", "256");
        assertThat(size.exit()).isEqualTo(2);
        assertThat(size.err()).contains("--fidelity-size '256'");
        CliRun odd = CliRun.of("bench", "--model", MODEL, "--preset", "animagine", "--fidelity-size", "260x384");
        assertThat(odd.exit()).isEqualTo(2);
        assertThat(odd.err()).contains("260");
        CliRun steps = CliRun.of("bench", "--model", MODEL, "--preset", "animagine", "--fidelity-steps", "0");
        assertThat(steps.exit()).isEqualTo(2);
        assertThat(steps.err()).contains("--fidelity-steps");
        CliRun both = CliRun.of("bench", "--model", MODEL, "--preset", "animagine", "--text-only");
        assertThat(both.exit()).isEqualTo(2);
        assertThat(both.err()).contains("--text-only");
    }

    @Test
    void textOnlyReportsTheFirstAndSecondEncoding() throws Exception {
        CliRun r = CliRun.of("bench", "--model", MODEL, "--text-only", "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        double first = j.get("text_encode_first_seconds").asDouble(), second = j.get("text_encode_seconds").asDouble();
        assertThat(first).isPositive();
        assertThat(second).isPositive();
        assertThat(j.get("first_to_second").asDouble()).isCloseTo(first / second, offset(1e-9));
        // a miniature model's encoding can take less process CPU time than the clock resolves
        double firstCpu = j.get("text_encode_first_cpu_seconds").asDouble(), secondCpu = j.get("text_encode_cpu_seconds").asDouble();
        assertThat(firstCpu).isGreaterThanOrEqualTo(0);
        assertThat(secondCpu).isGreaterThanOrEqualTo(0);
        if (secondCpu > 0) assertThat(j.get("first_to_second_cpu").asDouble()).isCloseTo(firstCpu / secondCpu, offset(1e-9));
        assertThat(j.get("jvm_uptime_at_first_encoding_seconds").asDouble()).isGreaterThanOrEqualTo(j.get("jvm_uptime_at_open_seconds").asDouble());
        assertThat(j.get("process_cpu_seconds").asDouble()).isGreaterThanOrEqualTo(j.get("text_encode_first_cpu_seconds").asDouble());
    }
}
