package dev.animagine.core.sampling;

import com.fasterxml.jackson.databind.JsonNode;
import dev.animagine.core.testing.Close;
import dev.animagine.core.testing.Fixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * k-diffusion's math against {@code kdiffusion/index.json} without the UNet: the Karras sigmas and
 * the fractional (or quantized) model timesteps of every case, the seeded initial noise, and the
 * sampler updates, replaying the reference's stored denoised estimates step by step while the
 * samples stay ours. Tolerances: sigmas 1e-5 absolute, t 1e-3 (a fraction of a timestep; quantized
 * exact), latents 1e-5 absolute + 1e-5 relative (measured worst printed).
 */
class KDiffusionSamplingTest {
    private static final String FILE = "kdiffusion/kdiffusion.safetensors";

    private static DiscreteEpsDDPMDenoiser denoiser(EpsModel model, boolean quantize) {
        SchedulerConfig sdxl = SchedulerConfig.fromJson(SchedulerType.EULER_DISCRETE, SchedulerConfig.sdxlJson(), "sdxl");
        return new DiscreteEpsDDPMDenoiser(model, NoiseSchedule.of(sdxl).alphasCumprod(), quantize);
    }

    @TestFactory
    Stream<DynamicTest> everyFixtureCase() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : Fixtures.cases("kdiffusion"))
            tests.add(DynamicTest.dynamicTest(c.get("id").asText(), () -> replay(c)));
        return tests.stream();
    }

    private static void replay(JsonNode c) {
        String id = c.get("id").asText();
        JsonNode in = c.get("inputs");
        boolean quantize = in.get("quantize").asBoolean();
        DiscreteEpsDDPMDenoiser den = denoiser((x, t) -> {
            throw new AssertionError("the replay does not call the model");
        }, quantize);
        assertThat((double) den.sigmaMin()).as(id + " sigma_min").isEqualTo(in.get("sigma_min").asDouble());
        assertThat((double) den.sigmaMax()).as(id + " sigma_max").isEqualTo(in.get("sigma_max").asDouble());

        int steps = in.get("steps").asInt();
        float[] sigmas = KDiffusionSampling.getSigmasKarras(steps, den.sigmaMin(), den.sigmaMax(), in.get("rho").asDouble());
        Close.assertClose(id + " sigmas", sigmas, Fixtures.tensor(FILE, c.get("expected").get("sigmas").asText()).toFloats(), 1e-5, 0);

        JsonNode st = c.get("steps");
        for (int i = 0; i < st.size(); i++) {
            double want = st.get(i).get("t").asDouble();
            float t = den.sigmaToT(sigmas[i]);
            if (quantize) assertThat((double) t).as(id + " t at step " + i).isEqualTo(want);
            else assertThat((double) t).as(id + " t at step " + i).isCloseTo(want, within(1e-3));
        }

        long[] shape = {1, 4, in.get("height").asInt() / 8, in.get("width").asInt() / 8};
        TorchGenerator g = new TorchGenerator(in.get("seed").asLong());
        float[] noise = g.randn(shape);
        Close.assertClose(id + " noise", noise, Fixtures.tensor(FILE, c.get("expected").get("noise").asText()).toFloats(), 0, 0);
        float[] x = new float[noise.length];
        for (int i = 0; i < x.length; i++) x[i] = noise[i] * sigmas[0];

        double[] worst = {0};
        int[] calls = {0};
        KDenoiser stored = (xi, sigma) -> {
            int i = calls[0]++;
            JsonNode s = st.get(i);
            assertThat((double) sigma).as(id + " sigma at step " + i).isEqualTo(s.get("sigma").asDouble());
            float[] want = Fixtures.tensor(FILE, s.get("x").asText()).toFloats();
            Close.assertClose(id + " x at step " + i, xi, want, 1e-5, 1e-5);
            worst[0] = Math.max(worst[0], Close.maxAbsDiff(xi, want));
            return Fixtures.tensor(FILE, s.get("denoised").asText()).toFloats();
        };
        float[] out = switch (c.get("sampler").asText()) {
            case "k_diffusion.sampling.sample_euler_ancestral" -> KDiffusionSampling.sampleEulerAncestral(stored, x, sigmas, null,
                    (float) in.get("eta").asDouble(), (float) in.get("s_noise").asDouble(), KDiffusionSampling.NoiseSampler.of(g, x.length));
            case "k_diffusion.sampling.sample_dpmpp_2m" -> KDiffusionSampling.sampleDpmpp2m(stored, x, sigmas, null);
            case "k_diffusion.sampling.sample_euler" -> KDiffusionSampling.sampleEuler(stored, x, sigmas, null);
            default -> throw new AssertionError("unknown sampler " + c.get("sampler"));
        };
        assertThat(calls[0]).isEqualTo(steps);
        float[] want = Fixtures.tensor(FILE, c.get("expected").get("final_latents").asText()).toFloats();
        Close.assertClose(id + " final latents", out, want, 1e-5, 1e-5);
        System.out.printf("%s: worst |diff| of x %.3g, final %.3g%n", id, Math.max(worst[0], Close.maxAbsDiff(out, want)), Close.maxAbsDiff(out, want));
    }

    /** D(x; σ) = x − σ·ε(x/sqrt(σ² + 1), t(σ)) with the model seeing the scaled input and t(σ). */
    @Test
    void denoiserScalesInputAndOutput() {
        float sigma = 3f;
        float[] seen = new float[2];
        DiscreteEpsDDPMDenoiser den = denoiser((xIn, t) -> {
            seen[0] = xIn[0];
            seen[1] = t;
            return new float[] {0.5f};
        }, false);
        float[] d = den.denoise(new float[] {2f}, sigma);
        assertThat(seen[0]).isCloseTo((float) (2 / Math.sqrt(10)), within(1e-6f));
        assertThat(seen[1]).isEqualTo(den.sigmaToT(sigma));
        assertThat(d[0]).isCloseTo(2f - 3f * 0.5f, within(1e-6f));
    }

    /** t(σ) inverts the training table: each training σ maps to its own timestep, quantized or not. */
    @Test
    void sigmaToTInvertsTheTable() {
        DiscreteEpsDDPMDenoiser den = denoiser(null, false), q = denoiser(null, true);
        float[] s = den.sigmas();
        for (int t : new int[] {0, 1, 250, 500, 998, 999}) {
            assertThat(den.sigmaToT(s[t])).as("t " + t).isCloseTo(t, within(1e-3f));
            assertThat(q.sigmaToT(s[t])).isEqualTo(t);
        }
        // between two table entries, in log sigma: halfway in log space gives t + 0.5
        float mid = (float) Math.exp((Math.log(s[400]) + Math.log(s[401])) / 2);
        assertThat(den.sigmaToT(mid)).isCloseTo(400.5f, within(1e-2f));
        // beyond the table: clamped
        assertThat(den.sigmaToT(s[999] * 2)).isEqualTo(999f);
        assertThat(den.sigmaToT(s[0] / 2)).isEqualTo(0f);
    }

    /** With an oracle denoiser returning the true x0, every sampler ends exactly at x0 (last σ is 0). */
    @Test
    void oracleDenoiserEndsAtTheCleanSample() {
        float[] x0 = {0.3f, -1.2f, 2.5f, 0f};
        float[] sigmas = KDiffusionSampling.getSigmasKarras(9, 0.0292, 14.6146, 7);
        assertThat(sigmas[9]).isZero();
        for (int i = 0; i < 9; i++) assertThat(sigmas[i]).isGreaterThan(sigmas[i + 1]);
        assertThat(sigmas[0]).isCloseTo(14.6146f, within(1e-4f));
        assertThat(sigmas[8]).isCloseTo(0.0292f, within(1e-6f));
        KDenoiser oracle = (x, s) -> x0.clone();
        TorchGenerator g = new TorchGenerator(3);
        float[] start = g.randn(4);
        for (int i = 0; i < 4; i++) start[i] = x0[i] + start[i] * sigmas[0];
        Close.assertClose("dpm++ 2m", KDiffusionSampling.sampleDpmpp2m(oracle, start, sigmas, null), x0, 1e-5, 0);
        Close.assertClose("euler", KDiffusionSampling.sampleEuler(oracle, start, sigmas, null), x0, 1e-5, 0);
        Close.assertClose("euler a", KDiffusionSampling.sampleEulerAncestral(oracle, start, sigmas, null, 1f, 1f,
                KDiffusionSampling.NoiseSampler.of(g, 4)), x0, 1e-5, 0);
        float[] du = KDiffusionSampling.ancestralStep(2f, 1f, 1f);
        assertThat(du[0] * du[0] + du[1] * du[1]).isCloseTo(1f, within(1e-6f));
        assertThat(KDiffusionSampling.ancestralStep(2f, 1f, 0f)).containsExactly(1f, 0f);
    }
}
