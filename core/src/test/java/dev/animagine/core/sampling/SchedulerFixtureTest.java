package dev.animagine.core.sampling;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.animagine.core.testing.Close;
import dev.animagine.core.testing.Fixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every case of {@code schedulers/index.json} (diffusers v0.27.2): the scheduler is built from the
 * case's resolved config, timesteps must be exact, sigmas and init_noise_sigma within 1e-5 (the
 * fixture README's scheduler tolerance). Sampling loops run the fake denoiser
 * {@code eps = 0.8 x_in + 0.1 cos(0.01 t)} on our own outputs from step 0 to the end, with initial and
 * ancestral noise from one seeded {@link TorchGenerator}; every step's model input, eps and
 * prev_sample and the final latents must be within 1e-5 absolute (measured worst: printed).
 */
class SchedulerFixtureTest {
    private static final String FILE = "schedulers/schedulers.safetensors";
    private static final double TOL = 1e-5;

    @TestFactory
    Stream<DynamicTest> everyFixtureCase() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : cases()) {
            String kind = c.get("kind").asText();
            tests.add(DynamicTest.dynamicTest(c.get("id").asText(), () -> {
                switch (kind) {
                    case "set_timesteps" -> checkTimesteps(c);
                    case "sampling_loop" -> checkLoop(c);
                    default -> throw new AssertionError("unknown case kind " + kind);
                }
            }));
        }
        return tests.stream();
    }

    /** The index's cases; read leniently because Python's json writes {@code -Infinity} (lambda_min_clipped). */
    static List<JsonNode> cases() {
        try {
            JsonNode index = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build()
                    .readTree(Fixtures.path("schedulers/index.json").toFile());
            List<JsonNode> out = new ArrayList<>();
            index.get("cases").forEach(out::add);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Scheduler create(JsonNode c) {
        String cls = c.get("scheduler").asText();
        SchedulerType type = SchedulerType.fromClassName(cls).orElseThrow(() -> new AssertionError("no scheduler " + cls));
        return type.create(SchedulerConfig.fromJson(type, c.get("resolved_config"), c.get("id").asText()));
    }

    private static void checkTimesteps(JsonNode c) {
        Scheduler s = create(c);
        s.setTimesteps(c.get("num_inference_steps").asInt());
        JsonNode e = c.get("expected");
        String id = c.get("id").asText();
        assertThat(toDoubles(s.timesteps())).as(id + " timesteps").containsExactly(doubles(e.get("timesteps").get("values")));
        if (e.has("sigmas")) {
            float[] want = Fixtures.tensor(FILE, e.get("sigmas").get("key").asText()).toFloats();
            Close.assertClose(id + " sigmas", s.sigmas(), want, TOL, 0);
            System.out.printf("%s: sigmas max |diff| %.3g%n", id, Close.maxAbsDiff(s.sigmas(), want));
        }
        assertThat((double) s.initNoiseSigma()).as(id + " init_noise_sigma")
                .isCloseTo(e.get("init_noise_sigma").asDouble(), org.assertj.core.data.Offset.offset(TOL));
    }

    private static void checkLoop(JsonNode c) {
        String id = c.get("id").asText();
        Scheduler s = create(c);
        s.setTimesteps(c.get("num_inference_steps").asInt());
        TorchGenerator g = new TorchGenerator(c.get("seed").asLong());
        long[] shape = longs(c.get("shape"));
        float[] x = g.randn(shape);
        float sigma0 = s.initNoiseSigma();
        for (int i = 0; i < x.length; i++) x[i] = x[i] * sigma0;
        double worst = compare(id + " initial_latents", x, c.get("expected").get("initial_latents").asText());

        float[] t = s.timesteps();
        JsonNode steps = c.get("steps");
        assertThat(t.length).as(id + " step count").isEqualTo(steps.size());
        for (int i = 0; i < t.length; i++) {
            JsonNode st = steps.get(i);
            assertThat((double) t[i]).as(id + " t at step " + i).isEqualTo(st.get("t").asDouble());
            float[] in = s.scaleModelInput(x, i);
            worst = Math.max(worst, compare(id + " step " + i + " model_input", in, st.get("keys").get("model_input").asText()));
            float[] eps = fakeDenoiser(in, t[i]);
            worst = Math.max(worst, compare(id + " step " + i + " eps", eps, st.get("keys").get("eps").asText()));
            x = s.step(eps, i, x, g);
            worst = Math.max(worst, compare(id + " step " + i + " prev_sample", x, st.get("keys").get("prev_sample").asText()));
        }
        worst = Math.max(worst, compare(id + " final", x, c.get("expected").get("final").asText()));
        System.out.printf("%s: worst |diff| over the loop %.3g%n", id, worst);
    }

    /** The fixture's model-free denoiser, in float32: eps = 0.8·x_in + 0.1·cos(0.01·t). */
    static float[] fakeDenoiser(float[] xIn, float t) {
        float bias = 0.1f * (float) Math.cos(0.01f * t);
        float[] eps = new float[xIn.length];
        for (int i = 0; i < eps.length; i++) eps[i] = 0.8f * xIn[i] + bias;
        return eps;
    }

    private static double compare(String what, float[] actual, String key) {
        float[] want = Fixtures.tensor(FILE, key).toFloats();
        Close.assertClose(what, actual, want, TOL, 0);
        return Close.maxAbsDiff(actual, want);
    }

    private static double[] toDoubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    private static double[] doubles(JsonNode a) {
        double[] d = new double[a.size()];
        for (int i = 0; i < d.length; i++) d[i] = a.get(i).asDouble();
        return d;
    }

    private static long[] longs(JsonNode a) {
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).asLong();
        return out;
    }
}
