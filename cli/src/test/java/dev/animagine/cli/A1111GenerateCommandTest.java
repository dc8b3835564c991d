package dev.animagine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.animagine.core.io.SafetensorsFile;
import dev.animagine.core.pipeline.PngFiles;
import dev.animagine.core.sampling.a1111.A1111Sampler;
import dev.animagine.core.sampling.a1111.SigmaSchedule;
import dev.animagine.core.testing.Close;
import dev.animagine.core.testing.Fixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code animagine generate} in its default A1111 mode: every {@code a1111_sampling} pipeline case (A1111's own
 * samplers, schedules, CFG denoiser and RNG sources around the miniature model) through the command line
 * reproduces the initial noise (1e-6 NV / 2e-6 CPU) and the final latents (1e-3 relative to max(1, max|ref|))
 * read back from --dump, and writes the infotext entries A1111 writes; and every sampler/schedule pair
 * survives a round trip through its own PNG (--from-png gives the same bytes).
 */
class A1111GenerateCommandTest {
    static final String FILE = "a1111_sampling/a1111_sampling.safetensors";

    @TempDir
    Path tmp;

    @TestFactory
    List<DynamicTest> reproducesA1111SamplingCases() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : Fixtures.cases("a1111_sampling")) tests.add(DynamicTest.dynamicTest(c.get("id").asText(), () -> run(c)));
        assertThat(tests).hasSizeGreaterThan(0);
        return tests;
    }

    private void run(JsonNode c) throws Exception {
        String id = c.get("id").asText();
        JsonNode in = c.get("inputs"), e = c.get("expected");
        Path model = Fixtures.resolveIndexPath(c.get("model").get("path").asText());
        Path out = tmp.resolve(id + ".png"), dump = tmp.resolve(id);
        List<String> args = new ArrayList<>(List.of("generate", "--model", model.toString(), "--quiet", "--verbatim",
                "--sampler", in.get("sampler").asText(), "--schedule", in.get("schedule").asText(), "--rng", in.get("rng").asText(),
                "--seed", in.get("seed").asText(), "--steps", in.get("steps").asText(), "--cfg", in.get("cfg_scale").asText(),
                "-W", in.get("width").asText(), "-H", in.get("height").asText(), "--prompt", in.get("prompt").asText(),
                "--negative", in.get("negative_prompt").asText(), "--eta", in.get("eta").asText(), "--s-noise", in.get("s_noise").asText(),
                "--output", out.toString(), "--dump", dump.toString()));
        if (in.get("eta_noise_seed_delta").asLong() != 0) args.addAll(List.of("--ensd", in.get("eta_noise_seed_delta").asText()));
        if (!in.get("subseed").isNull())
            args.addAll(List.of("--subseed", in.get("subseed").asText(), "--subseed-strength", in.get("subseed_strength").asText()));
        JsonNode resize = in.get("seed_resize_from_h_w");
        if (!resize.isNull()) args.addAll(List.of("--seed-resize-from", resize.get(1).asInt() + "x" + resize.get(0).asInt()));
        if (in.get("s_min_uncond").asDouble() != 0) args.addAll(List.of("--s-min-uncond", in.get("s_min_uncond").asText()));
        assertThat(in.get("s_min_uncond_all").asBoolean()).as("NGMS all steps has no flag").isFalse();

        CliRun r = CliRun.of(args.toArray(String[]::new));
        assertThat(r.exit()).as(r.err()).isZero();
        try (SafetensorsFile latents = SafetensorsFile.open(dump.resolve("latents.safetensors"))) {
            float[] noise = latents.tensor("initial_noise").toFloats();
            double noiseTol = in.get("rng").asText().equals("cpu") ? 2e-6 : 1e-6;
            Close.assertClose(id + " initial noise", noise, Fixtures.tensor(FILE, e.get("initial_noise").get("key").asText()).toFloats(), noiseTol, 0);
            float[] want = Fixtures.tensor(FILE, e.get("latents").get("key").asText()).toFloats();
            float[] got = latents.tensor("latents").toFloats();
            double tol = 1e-3 * Math.max(1, maxAbs(want));
            Close.assertClose(id + " final latents", got, want, tol, 0);
            System.out.printf("%s via generate: latents max |diff| %.3g (tolerance %.3g)%n", id, Close.maxAbsDiff(got, want), tol);
        }
        String params = PngFiles.readText(out).get("parameters");
        assertThat(params).startsWith(in.get("prompt").asText() + "\nNegative prompt: ")
                .contains("Sampler: " + in.get("sampler").asText() + ",", "Seed: " + in.get("seed").asText() + ",");
        c.get("a1111").get("infotext_params").properties().forEach(p -> {
            String v = p.getValue().isNumber() ? number(p.getValue().asDouble()) : p.getValue().asText();
            assertThat(params).as(id + " infotext").contains(p.getKey() + ": " + v);
        });
        if (!c.get("a1111").get("infotext_params").has("Schedule type")) assertThat(params).doesNotContain("Schedule type");
        assertThat(params).contains(in.get("rng").asText().equals("cpu") ? "RNG: CPU" : "RNG: NV");
        if (in.get("subseed_strength").asDouble() != 0) assertThat(params).contains("Variation seed: " + in.get("subseed").asText());
        if (!resize.isNull()) assertThat(params).contains("Seed resize from: " + resize.get(1).asInt() + "x" + resize.get(0).asInt());
        if (in.get("eta_noise_seed_delta").asLong() != 0) assertThat(params).contains("ENSD: " + in.get("eta_noise_seed_delta").asText());
    }

    private static String number(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    private static double maxAbs(float[] v) {
        double m = 0;
        for (float f : v) m = Math.max(m, Math.abs(f));
        return m;
    }

    /**
     * Every sampler with every schedule type (tiny size, 2 steps (UniPC: its minimum, 3), CFG with a negative prompt, GPU noise by
     * default and a variation seed): generate, read the PNG back with --from-png, generate again: the same bytes.
     */
    @Test
    void everySamplerAndScheduleSurvivesARoundTripThroughItsPng() throws Exception {
        Path model = Fixtures.path("models").resolve(Fixtures.models().getFirst().getFileName()).resolve("diffusers");
        int pairs = 0;
        for (A1111Sampler sampler : A1111Sampler.values()) {
            for (SigmaSchedule schedule : SigmaSchedule.values()) {
                Path first = tmp.resolve("rt-" + sampler.id() + "-" + schedule.id() + ".png");
                CliRun a = CliRun.of("generate", "--model", model.toString(), "--quiet", "--sampler", sampler.label(), "--schedule", schedule.label(),
                        "--steps", sampler == A1111Sampler.UNIPC ? "3" : "2", "--size", "64x64", "--seed", String.valueOf(100 + pairs), "--cfg", "4.5", "--negative", "lowres",
                        "--subseed", "9", "--subseed-strength", "0.25", "--output", first.toString(), "1girl, solo");
                assertThat(a.exit()).as(sampler.label() + " / " + schedule.label() + ": " + a.err()).isZero();
                Path second = tmp.resolve("rt-" + sampler.id() + "-" + schedule.id() + "-again.png");
                CliRun b = CliRun.of("generate", "--model", model.toString(), "--quiet", "--from-png", first.toString(), "--output", second.toString());
                assertThat(b.exit()).as(b.err()).isZero();
                // nothing of the parameters goes unreproduced (the prompt linter's note on the tiny size aside)
                assertThat(b.err().lines().filter(l -> l.contains("warning") && !l.contains("trained sizes")))
                        .as(sampler.label() + " / " + schedule.label()).isEmpty();
                assertThat(Files.readAllBytes(second)).as(sampler.label() + " / " + schedule.label() + " round trip").isEqualTo(Files.readAllBytes(first));
                pairs++;
            }
        }
        assertThat(pairs).isEqualTo(A1111Sampler.values().length * SigmaSchedule.values().length);
    }

    /** A1111's sampler and schedule settings are written to the infotext and read back: the same bytes again. */
    @Test
    void samplerSettingsSurviveARoundTrip() throws Exception {
        Path model = Fixtures.path("models").resolve(Fixtures.models().getFirst().getFileName()).resolve("diffusers");
        String[][] settings = {
                {"--sampler", "DPM++ 2M", "--schedule", "Karras", "--rho", "5", "--sigma-min", "0.05", "--sigma-max", "10", "--discard-penultimate-sigma"},
                {"--sampler", "DPM++ 2M", "--schedule", "Beta", "--beta-alpha", "0.5", "--beta-beta", "0.7", "--s-min-uncond", "3", "--s-min-uncond-all"},
                {"--sampler", "Euler", "--s-churn", "0.5", "--s-tmin", "0.1", "--s-tmax", "10", "--s-noise", "0.9", "--ensd", "31337", "--rng", "cpu"},
                {"--sampler", "Euler a", "--eta", "0.6", "--ensd", "31337", "--seed-resize-from", "96x80"},
                {"--sampler", "DDIM", "--eta", "0.3"},
        };
        String[][] written = {
                {"Schedule type: Karras", "Schedule min sigma: 0.05", "Schedule max sigma: 10", "Schedule rho: 5", "Discard penultimate sigma: True"},
                {"Schedule type: Beta", "Beta schedule alpha: 0.5", "Beta schedule beta: 0.7", "NGMS: 3", "NGMS all steps: True"},
                {"Sigma churn: 0.5", "Sigma tmin: 0.1", "Sigma tmax: 10", "Sigma noise: 0.9", "RNG: CPU"},
                {"Eta: 0.6", "ENSD: 31337", "Seed resize from: 96x80"},
                {"Sampler: DDIM", "Eta DDIM: 0.3"},
        };
        for (int k = 0; k < settings.length; k++) {
            String[] s = settings[k];
            Path first = tmp.resolve("settings-" + String.join("", s).replaceAll("[^a-z0-9]", "") + ".png");
            List<String> args = new ArrayList<>(List.of("generate", "--model", model.toString(), "--quiet", "--steps", "2", "--size", "64x64",
                    "--seed", "3", "--negative", "lowres", "--output", first.toString()));
            args.addAll(List.of(s));
            args.add("1girl");
            CliRun a = CliRun.of(args.toArray(String[]::new));
            assertThat(a.exit()).as(String.join(" ", s) + ": " + a.err()).isZero();
            assertThat(PngFiles.readText(first).get("parameters")).contains(written[k]);
            Path second = tmp.resolve("again-" + first.getFileName());
            CliRun b = CliRun.of("generate", "--model", model.toString(), "--quiet", "--from-png", first.toString(), "--output", second.toString());
            assertThat(b.exit()).as(b.err()).isZero();
            assertThat(b.err().lines().filter(l -> l.contains("warning") && !l.contains("trained sizes"))).as(String.join(" ", s)).isEmpty();
            assertThat(Files.readAllBytes(second)).as(String.join(" ", s)).isEqualTo(Files.readAllBytes(first));
        }
    }
}
