package dev.animagine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.animagine.core.testing.ModelFiles;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code animagine bench} on the miniature fixture model: every figure present and consistent. */
class BenchCommandTest {
    @Test
    void jsonHasEveryFigureAndTheyAgree() throws Exception {
        CliRun r = CliRun.of("bench", "--model", ModelFiles.diffusersFolder().toString(), "--size", "64x48", "--steps", "2", "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("peak_gflops").asDouble()).isPositive();
        JsonNode unet = j.get("unet");
        assertThat(unet.get("evals").asInt()).isEqualTo(4); // CFG: two evaluations per step
        double seconds = unet.get("seconds_per_eval").asDouble(), gflop = unet.get("gflop_per_eval").asDouble();
        assertThat(seconds).isPositive();
        assertThat(unet.get("seconds_per_eval_min").asDouble()).isPositive().isLessThanOrEqualTo(seconds * 1.0001);
        assertThat(gflop).isPositive();
        assertThat(unet.get("gflops").asDouble()).isCloseTo(gflop / seconds, org.assertj.core.data.Percentage.withPercentage(1e-6));
        assertThat(unet.get("percent_of_peak").asDouble())
                .isCloseTo(100 * unet.get("gflops").asDouble() / j.get("peak_gflops").asDouble(), org.assertj.core.data.Percentage.withPercentage(1e-6));
        for (String key : new String[] {"text_encode_seconds", "text_encode_first_seconds", "vae_decode_seconds", "load_seconds", "image_seconds"})
            assertThat(j.get(key).asDouble()).as(key).isPositive();
        assertThat(j.get("rss_peak_bytes").asLong()).isGreaterThan(1 << 20);
        assertThat(j.get("vae").get("gflop").asDouble()).isPositive();
        assertThat(j.get("text_encode_gflop").asDouble()).isPositive();
    }

    @Test
    void batchSizeComparesDenoisingTimePerImage() throws Exception {
        CliRun r = CliRun.of("bench", "--model", ModelFiles.diffusersFolder().toString(), "--size", "64x48", "--steps", "2", "--json",
                "--batch-size", "3");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("batch_size").asInt()).isEqualTo(3);
        double one = j.get("denoise_seconds_per_image_batch_1").asDouble(), n = j.get("denoise_seconds_per_image_batch_n").asDouble();
        assertThat(one).isPositive();
        assertThat(n).isPositive();
        assertThat(j.get("saving_percent").asDouble()).isCloseTo(100 * (1 - n / one), org.assertj.core.data.Offset.offset(1e-6));
        assertThat(j.get("denoise_cpu_seconds_per_image_batch_n").asDouble()).isPositive();
        // one evaluation of the batch does three images' work
        double ratio = j.get("batch_n").get("unet").get("gflop_per_eval").asDouble() / j.get("batch_1").get("unet").get("gflop_per_eval").asDouble();
        assertThat(ratio).isBetween(2.5, 3.0);
        assertThat(j.get("batch_n").get("unet").get("evals").asInt()).isEqualTo(j.get("batch_1").get("unet").get("evals").asInt());
        assertThat(CliRun.of("bench", "--model", ModelFiles.diffusersFolder().toString(), "--batch-size", "0").err()).contains("--batch-size");
    }

    @Test
    void profileSplitsEachStageByKernelFamily() throws Exception {
        CliRun r = CliRun.of("bench", "--model", ModelFiles.diffusersFolder().toString(), "--size", "64x48", "--steps", "1", "--json", "--profile");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        JsonNode profile = j.get("profile");
        assertThat(profile).isNotNull();
        for (String stage : new String[] {"text", "unet", "vae"}) {
            JsonNode s = profile.get(stage);
            assertThat(s).as(stage).isNotNull();
            double total = s.get("seconds").asDouble(), families = 0;
            for (String f : new String[] {"gemm", "convolution", "attention", "normalisation", "elementwise", "data_movement"}) {
                assertThat(s.get(f).asDouble()).as(stage + " " + f).isGreaterThanOrEqualTo(0);
                families += s.get(f).asDouble();
            }
            assertThat(families).as(stage).isPositive().isLessThanOrEqualTo(total);
            assertThat(s.get("other").asDouble()).isCloseTo(total - families, org.assertj.core.data.Offset.offset(1e-9));
        }
        assertThat(profile.get("text").get("gemm").asDouble()).isPositive();
        assertThat(profile.get("text").get("convolution").asDouble()).isZero();
        assertThat(profile.get("unet").get("convolution").asDouble()).isPositive();
        assertThat(profile.get("unet").get("attention").asDouble()).isPositive();
        assertThat(profile.get("vae").get("convolution").asDouble()).isPositive();
        // executed FLOPs never exceed the direct-equivalent count
        assertThat(j.get("unet").get("executed_gflop_per_eval").asDouble()).isPositive()
                .isLessThanOrEqualTo(j.get("unet").get("gflop_per_eval").asDouble() * 1.0001);
        // without --profile there is no profile and the kernels are not timed
        CliRun plain = CliRun.of("bench", "--model", ModelFiles.diffusersFolder().toString(), "--size", "64x48", "--steps", "1", "--json");
        assertThat(new ObjectMapper().readTree(plain.out()).get("profile")).isNull();
    }

    @Test
    void img2imgReportsTheVaeEncode() throws Exception {
        CliRun r = CliRun.of("bench", "--model", ModelFiles.diffusersFolder().toString(), "--size", "64x48", "--steps", "4", "--img2img",
                "--strength", "0.5", "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("img2img").asBoolean()).isTrue();
        assertThat(j.get("vae_encode_seconds").asDouble()).isPositive();
        assertThat(j.get("vae_encode_gflop").asDouble()).isPositive();
        assertThat(j.get("unet").get("evals").asInt()).isEqualTo(2 * 3); // A1111: int(0.5 * 4) + 1 steps, CFG
        assertThat(j.get("rss_peak_bytes").asLong()).isGreaterThan(1 << 20);
    }

    @Test
    void withALoraBothImagesAreTimedInOneRun() throws Exception {
        java.nio.file.Path lora = dev.animagine.core.testing.Fixtures.path("lora").resolve("kohya_lora_sgm.safetensors");
        CliRun r = CliRun.of("bench", "--model", ModelFiles.diffusersFolder().toString(), "--size", "64x48", "--steps", "2", "--json",
                "--lora", lora.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("unet").get("evals").asInt()).isEqualTo(4);
        JsonNode l = j.get("lora");
        assertThat(l.get("file_bytes").asLong()).isEqualTo(java.nio.file.Files.size(lora));
        double base = l.get("base_seconds_per_eval_min").asDouble(), with = l.get("seconds_per_eval_min").asDouble();
        assertThat(base).isPositive().isLessThanOrEqualTo(j.get("unet").get("seconds_per_eval_min").asDouble());
        assertThat(with).isPositive();
        assertThat(l.get("slowdown_percent").asDouble()).isCloseTo(100 * (with / base - 1), org.assertj.core.data.Offset.offset(1e-6));
        assertThat(l.get("cpu_seconds_per_eval").asDouble()).isPositive();
        assertThat(l.get("base_cpu_seconds_per_eval").asDouble()).isPositive();
        // the side paths add FLOPs the kernels count
        assertThat(l.get("gflop_per_eval").asDouble()).isGreaterThan(j.get("unet").get("gflop_per_eval").asDouble());
        assertThat(l.get("rss_peak_with_bytes").asLong()).isGreaterThan(1 << 20);
        assertThat(l.get("rss_peak_without_bytes").asLong()).isGreaterThan(1 << 20);
        assertThat(l.get("rss_growth_bytes").asLong()).isEqualTo(l.get("rss_peak_with_bytes").asLong() - l.get("rss_peak_without_bytes").asLong());
        assertThat(CliRun.of("bench", "--model", ModelFiles.diffusersFolder().toString(), "--size", "64x48", "--steps", "1",
                "--lora", lora.resolveSibling("sd15_lora_reject.safetensors").toString()).exit()).isEqualTo(2);
    }

    @Test
    void badSizesAndStepsAreUsageErrors() {
        String model = ModelFiles.diffusersFolder().toString();
        CliRun size = CliRun.of("bench", "--model", model, "--size", "big");
        assertThat(size.exit()).isEqualTo(2);
        assertThat(size.err()).contains("--size 'big'");
        assertThat(CliRun.of("bench", "--model", model, "--steps", "0").exit()).isEqualTo(2);
        assertThat(CliRun.of("bench", "--model", model, "--size", "60x60").exit()).isEqualTo(2);
    }
}
