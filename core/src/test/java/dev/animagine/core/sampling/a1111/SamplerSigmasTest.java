package dev.animagine.core.sampling.a1111;

import com.fasterxml.jackson.databind.JsonNode;
import dev.animagine.core.InvalidArgumentException;
import dev.animagine.core.testing.Close;
import dev.animagine.core.testing.Fixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A1111's schedule types against every {@code sigma_cases} entry of {@code a1111_sampling/index.json}:
 * sigmas within 1e-6 relative (the fixture's tolerance), the UNet timesteps of the non-zero sigmas
 * within 1e-4 of a timestep, the infotext entries exactly; and the model tables against {@code const/*}.
 */
class SamplerSigmasTest {
    static final String FILE = "a1111_sampling/a1111_sampling.safetensors";

    static float[] t(String key) {
        return Fixtures.tensor(FILE, key).toFloats();
    }

    static List<JsonNode> sigmaCases() {
        List<JsonNode> out = new ArrayList<>();
        Fixtures.json("a1111_sampling/index.json").get("sigma_cases").forEach(out::add);
        return out;
    }

    static ScheduleOptions options(JsonNode o) {
        ScheduleOptions d = ScheduleOptions.DEFAULTS;
        return new ScheduleOptions(o.path("sigma_min").asDouble(d.sigmaMin()), o.path("sigma_max").asDouble(d.sigmaMax()),
                o.path("rho").asDouble(d.rho()), o.path("always_discard_next_to_last_sigma").asBoolean(d.alwaysDiscardNextToLastSigma()),
                o.path("use_old_karras_scheduler_sigmas").asBoolean(d.useOldKarrasSchedulerSigmas()),
                o.path("beta_dist_alpha").asDouble(d.betaDistAlpha()), o.path("beta_dist_beta").asDouble(d.betaDistBeta()));
    }

    static SigmaModel model(String denoiser) {
        float[] ac = t("const/alphas_cumprod");
        return switch (denoiser) {
            case "CompVisDenoiser" -> new DiscreteSchedule(ac);
            case "LCMCompVisDenoiser" -> LcmSchedule.of(ac);
            default -> throw new AssertionError("unknown denoiser " + denoiser);
        };
    }

    @TestFactory
    List<DynamicTest> everySigmaCase() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : sigmaCases()) tests.add(DynamicTest.dynamicTest(c.get("id").asText(), () -> check(c)));
        assertThat(tests).hasSizeGreaterThan(0);
        return tests;
    }

    private static void check(JsonNode c) {
        String id = c.get("id").asText();
        A1111Sampler sampler = A1111Sampler.byName(c.get("sampler").asText());
        SigmaSchedule schedule = SigmaSchedule.byName(c.get("schedule").asText());
        assertThat(sampler.discardNextToLastSigma() || c.get("options").path("always_discard_next_to_last_sigma").asBoolean())
                .isEqualTo(c.get("discard_next_to_last_sigma").asBoolean());
        SigmaModel m = model(c.get("denoiser").asText());
        SamplerSigmas s = SamplerSigmas.of(sampler, schedule, c.get("steps").asInt(), m, options(c.get("options")));
        float[] want = t(c.get("expected").get("sigmas").asText());
        assertThat(s.sigmas().length).as(id + " length").isEqualTo(c.get("n").asInt());
        Close.assertClose(id + " sigmas", s.sigmas(), want, 0, 1e-6);
        float[] wantT = t(c.get("expected").get("t_for_nonzero_sigmas").asText());
        float[] gotT = new float[wantT.length];
        for (int i = 0; i < gotT.length; i++) gotT[i] = m.sigmaToT(want[i]);
        Close.assertClose(id + " t", gotT, wantT, 1e-4, 0);
        Map<String, Object> info = new LinkedHashMap<>();
        c.get("infotext_params").properties().forEach(e -> info.put(e.getKey(),
                e.getValue().isBoolean() ? e.getValue().asBoolean() : e.getValue().isNumber() ? e.getValue().asDouble() : e.getValue().asText()));
        assertThat(s.infotext()).as(id + " infotext").isEqualTo(info);
    }

    @Test
    void modelTablesMatchA1111() {
        float[] ac = DiscreteSchedule.sdxlAlphasCumprod();
        Close.assertClose("alphas_cumprod", ac, t("const/alphas_cumprod"), 0, 1e-6);
        DiscreteSchedule d = new DiscreteSchedule(t("const/alphas_cumprod"));
        Close.assertClose("sigmas", d.sigmas(), t("const/sigmas"), 0, 1e-6);
        Close.assertClose("log_sigmas", d.logSigmas(), t("const/log_sigmas"), 1e-6, 1e-6);
        Close.assertClose("lcm sigmas", LcmSchedule.of(t("const/alphas_cumprod")).sigmas(), t("const/lcm_sigmas"), 0, 1e-6);
        JsonNode k = Fixtures.json("a1111_sampling/index.json").get("constants");
        assertThat((double) d.sigmaMin()).isEqualTo(k.get("sigma_min").asDouble());
        assertThat((double) d.sigmaMax()).isEqualTo(k.get("sigma_max").asDouble());
    }

    @Test
    void namesResolveLikeA1111() {
        assertThat(A1111Sampler.parse("DPM++ 2M Karras", null)).isEqualTo(new A1111Sampler.Choice(A1111Sampler.DPMPP_2M, SigmaSchedule.KARRAS));
        assertThat(A1111Sampler.parse("DPM++ 2M", "Exponential")).isEqualTo(new A1111Sampler.Choice(A1111Sampler.DPMPP_2M, SigmaSchedule.EXPONENTIAL));
        assertThat(A1111Sampler.parse("Euler a SGMUniform", null).schedule()).isEqualTo(SigmaSchedule.SGM_UNIFORM);
        assertThat(A1111Sampler.byName("DPM++ 2M SDE Heun")).isEqualTo(A1111Sampler.DPMPP_2M_SDE_HEUN);
        assertThat(A1111Sampler.byName("dpmpp_2m")).isEqualTo(A1111Sampler.DPMPP_2M);
        assertThat(A1111Sampler.byName("sample_dpmpp_2m")).isEqualTo(A1111Sampler.DPMPP_2M);
        assertThat(A1111Sampler.byName("sample_euler_ancestral")).isEqualTo(A1111Sampler.EULER_A);
        assertThat(A1111Sampler.byName("euler_ancestral")).isEqualTo(A1111Sampler.EULER_A);
        assertThat(A1111Sampler.byName("k_euler_a")).isEqualTo(A1111Sampler.EULER_A);
        assertThat(A1111Sampler.byName("euler_a")).isEqualTo(A1111Sampler.EULER_A);
        assertThat(A1111Sampler.byName("Euler")).isEqualTo(A1111Sampler.EULER);
        assertThat(A1111Sampler.byName("UniPC")).isEqualTo(A1111Sampler.UNIPC);
        assertThat(SigmaSchedule.byName("sgm_uniform")).isEqualTo(SigmaSchedule.SGM_UNIFORM);
        assertThat(SigmaSchedule.byName("Align Your Steps")).isEqualTo(SigmaSchedule.ALIGN_YOUR_STEPS);
        assertThatThrownBy(() -> A1111Sampler.byName("Eulr a")).isInstanceOf(InvalidArgumentException.class)
                .hasMessageStartingWith("unknown sampler 'Eulr a' (valid: Euler a, Euler, LMS").hasMessageNotContaining("\n");
        assertThatThrownBy(() -> A1111Sampler.parse("Euler", "Karas")).isInstanceOf(InvalidArgumentException.class)
                .hasMessageStartingWith("unknown schedule type 'Karas'");
    }

    @Test
    void betaQuantilesMatchKnownValues() {
        // Beta(1, 1) is uniform; Beta(2, 2) has cdf 3x² − 2x³; Beta(0.5, 0.5) is the arcsine law
        assertThat(BetaDistribution.ppf(0.3, 1, 1)).isCloseTo(0.3, org.assertj.core.api.Assertions.within(1e-14));
        assertThat(BetaDistribution.cdf(0.3, 2, 2)).isCloseTo(3 * 0.09 - 2 * 0.027, org.assertj.core.api.Assertions.within(1e-14));
        double x = BetaDistribution.ppf(0.25, 0.5, 0.5);
        assertThat(2 / Math.PI * Math.asin(Math.sqrt(x))).isCloseTo(0.25, org.assertj.core.api.Assertions.within(1e-13));
    }
}
