package dev.animagine.core.sampling;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.animagine.core.testing.Close;
import dev.animagine.core.testing.Fixtures;
import dev.animagine.core.testing.PipelineCases;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The noise side of every end-to-end case in {@code pipeline/index.json}, as the command line will
 * build it: the model's own {@code scheduler/scheduler_config.json} through the {@link Sampler}
 * registry gives the pipeline's timesteps (exact) and sigmas (1e-5), and the seeded generator times
 * {@code init_noise_sigma} gives its initial latents (1e-6; measured bit-exact).
 */
class PipelineScheduleTest {
    @TestFactory
    Stream<DynamicTest> everyPipelineCase() throws IOException {
        JsonNode index = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build()
                .readTree(Fixtures.path("pipeline/index.json").toFile());
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : index.get("cases")) tests.add(DynamicTest.dynamicTest(c.get("id").asText(), () -> check(c)));
        return tests.stream();
    }

    private static void check(JsonNode c) {
        String id = c.get("id").asText();
        Path file = Fixtures.resolveIndexPath(c.get("model").get("path").asText()).resolve("scheduler/scheduler_config.json");
        SchedulerJson modelConfig = SchedulerConfig.readJson(file);
        Sampler sampler = PipelineCases.sampler(c);
        ScheduleType schedule = PipelineCases.schedule(c);
        JsonNode args = c.get("pipeline_args");
        Scheduler s = sampler.create(modelConfig, schedule, file.toString(), args.get("num_inference_steps").asInt());

        double[] wantT = doubles(c.get("timesteps"));
        float[] t = s.timesteps();
        assertThat(t.length).as(id + " steps").isEqualTo(wantT.length);
        for (int i = 0; i < t.length; i++) assertThat((double) t[i]).as(id + " t" + i).isEqualTo(wantT[i]);
        if (c.has("sigmas")) {
            double[] ws = doubles(c.get("sigmas"));
            float[] want = new float[ws.length];
            for (int i = 0; i < ws.length; i++) want[i] = (float) ws[i];
            Close.assertClose(id + " sigmas", s.sigmas(), want, 1e-5, 0);
        }

        String tensors = "pipeline/pipeline.safetensors";
        var initial = Fixtures.tensor(tensors, c.get("expected").get("initial_latents").asText());
        long[] shape = initial.shape();
        float[] x = new TorchGenerator(PipelineCases.seed(c)).randn(shape);
        float sigma = s.initNoiseSigma();
        for (int i = 0; i < x.length; i++) x[i] = x[i] * sigma;
        Close.assertClose(id + " initial latents", x, initial.toFloats(), 1e-6, 0);
    }

    private static double[] doubles(JsonNode a) {
        double[] d = new double[a.size()];
        for (int i = 0; i < d.length; i++) d[i] = a.get(i).asDouble();
        return d;
    }
}
