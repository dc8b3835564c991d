package dev.animagine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.animagine.core.testing.ModelFiles;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code animagine bench --deepcache N --cfg-cutoff R} on the miniature model: the image with and
 * without the savings in one run, FLOPs counted by the kernels; bad values are usage errors.
 */
class BenchSavingsCommandTest {
    private static JsonNode bench(String... extra) throws Exception {
        String[] base = {"bench", "--model", ModelFiles.diffusersFolder().toString(), "--size", "64x48", "--steps", "6", "--json"};
        String[] args = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        CliRun r = CliRun.of(args);
        assertThat(r.exit()).as(r.err()).isZero();
        return new ObjectMapper().readTree(r.out()).get("savings");
    }

    @Test
    void savingsAreTimedAgainstTheSameImageWithout() throws Exception {
        JsonNode dc = bench("--deepcache", "3");
        assertThat(dc.get("deepcache_interval").asInt()).isEqualTo(3);
        double base = dc.get("base_denoise_gflop").asDouble(), with = dc.get("denoise_gflop").asDouble();
        assertThat(with).isPositive().isLessThan(base);
        assertThat(dc.get("flop_reduction_percent").asDouble()).isCloseTo(100 * (1 - with / base), Offset.offset(1e-6));
        // 6 steps: 2 full and 4 shallow calls, so at most 4/6 of the FLOPs are saved
        assertThat(dc.get("flop_reduction_percent").asDouble()).isBetween(0.0, 100.0 * 4 / 6);
        assertThat(dc.get("speedup").asDouble()).isPositive();
        assertThat(dc.get("denoise_cpu_seconds").asDouble()).isPositive();

        JsonNode cut = bench("--cfg-cutoff", "0.5");
        // int(6 * 0.5) = 3: steps 4 and 5 run one row instead of two: at most 2 of 12 latent evaluations saved
        assertThat(cut.get("cfg_cutoff").asDouble()).isEqualTo(0.5);
        assertThat(cut.get("flop_reduction_percent").asDouble()).isGreaterThan(10).isLessThanOrEqualTo(100.0 * 2 / 12 + 1e-9);
    }

    @Test
    void badValuesAreUsageErrors() {
        String model = ModelFiles.diffusersFolder().toString();
        CliRun dc = CliRun.of("bench", "--model", model, "--deepcache", "0");
        assertThat(dc.exit()).isEqualTo(2);
        assertThat(dc.err()).contains("--deepcache");
        CliRun cut = CliRun.of("bench", "--model", model, "--cfg-cutoff", "2");
        assertThat(cut.exit()).isEqualTo(2);
        assertThat(cut.err()).contains("--cfg-cutoff");
    }
}
