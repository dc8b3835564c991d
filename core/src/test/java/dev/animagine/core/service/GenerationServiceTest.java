package dev.animagine.core.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.animagine.core.InvalidRequestException;
import dev.animagine.core.animagine.ImageSize;
import dev.animagine.core.io.Checkpoint;
import dev.animagine.core.testing.Close;
import dev.animagine.core.testing.Fixtures;
import dev.animagine.core.testing.PipelineCases;
import dev.animagine.core.testing.TestModels;
import dev.animagine.core.text.TokenizerLocator;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The generation service on one loaded model: several requests in a row, a cancelled one in
 * between, and the same request again all give diffusers' results (pipeline fixtures, final latents
 * within 1e-3): nothing of one run leaks into the next.
 */
class GenerationServiceTest {
    static final String FILE = "pipeline/pipeline.safetensors";

    /** The request a pipeline fixture case asked diffusers for, as a front end would send it. */
    static ImageRequest request(JsonNode c) {
        JsonNode a = c.get("pipeline_args");
        JsonNode orig = a.get("original_size"), target = a.get("target_size"), crop = a.get("crops_coords_top_left");
        int w = a.get("width").asInt(), h = a.get("height").asInt();
        ImageRequest.Builder b = ImageRequest.builder()
                .prompt(a.get("prompt").asText())
                .negativePrompt(a.get("negative_prompt").isNull() ? null : a.get("negative_prompt").asText())
                .compat(Compat.DIFFUSERS)
                .size(w, h)
                .steps(a.get("num_inference_steps").asInt())
                .cfgScale(a.get("guidance_scale").asDouble())
                .sampler(PipelineCases.sampler(c).id())
                .schedule(PipelineCases.schedule(c).id())
                .seed(PipelineCases.seed(c))
                .crop(crop.get(0).asInt(), crop.get(1).asInt());
        if (!orig.isNull()) b.originalSize(orig.get(1).asInt(), orig.get(0).asInt());
        if (!target.isNull()) b.targetSize(target.get(1).asInt(), target.get(0).asInt());
        return b.build();
    }

    static GenerationService service(String modelPath) {
        Checkpoint ckpt = TestModels.open(modelPath);
        Path folder = ckpt.layout().equals("diffusers") ? ckpt.path() : TestModels.diffusersFolderOf(ckpt.path());
        return new GenerationService(ckpt, TokenizerLocator.find(folder, null));
    }

    static void assertFixture(JsonNode c, GenerationResult r) {
        assertThat(r.status()).isEqualTo(GenerationResult.Status.DONE);
        assertThat(r.images()).hasSize(1);
        String key = c.get("expected").get("final_latents").get("key").asText();
        Close.assertClose(c.get("id").asText() + " final latents", r.images().getFirst().result().latents().data(),
                Fixtures.tensor(FILE, key).toFloats(), 1e-3, 0);
    }

    @Test
    void oneModelServesRequestsInTurnIncludingACancelledOne() {
        List<JsonNode> cases = Fixtures.cases("pipeline");
        // two different requests on the same model (diffusers folder), one of them with CFG and several steps
        Map<String, List<JsonNode>> byModel = cases.stream().collect(Collectors.groupingBy(c -> c.get("model").get("path").asText()));
        List<JsonNode> same = byModel.values().stream().filter(l -> l.size() >= 2).findFirst().orElseThrow();
        JsonNode first = same.stream().filter(c -> c.get("pipeline_args").get("num_inference_steps").asInt() >= 3
                && c.get("pipeline_args").get("guidance_scale").asDouble() > 1).findFirst().orElseThrow();
        JsonNode second = same.stream().filter(c -> c != first).findFirst().orElseThrow();

        try (GenerationService service = service(first.get("model").get("path").asText())) {
            assertFixture(first, service.generate(request(first), RunControl.silent()));
            assertFixture(second, service.generate(request(second), RunControl.silent()));

            List<GenerationEvent> events = new CopyOnWriteArrayList<>();
            RunControl[] control = new RunControl[1];
            control[0] = new RunControl(e -> {
                events.add(e);
                if (e instanceof GenerationEvent.StepDone s && s.step() == 2) control[0].cancel();
            });
            GenerationResult cancelled = service.generate(request(first), control[0]);
            assertThat(cancelled.status()).isEqualTo(GenerationResult.Status.CANCELLED);
            assertThat(cancelled.images()).isEmpty();
            List<Integer> steps = events.stream().filter(e -> e instanceof GenerationEvent.StepDone).map(e -> ((GenerationEvent.StepDone) e).step()).toList();
            assertThat(steps).containsExactly(1, 2);
            assertThat(events.getLast()).isInstanceOf(GenerationEvent.RunCancelled.class);
            assertThat(events).noneMatch(e -> e instanceof GenerationEvent.PhaseStarted p && p.stage() == dev.animagine.core.pipeline.Stage.VAE_DECODING);

            assertFixture(first, service.generate(request(first), RunControl.silent()));
        }
    }

    @Test
    void skipEndsOneImageOfABatchAndTheRunGoesOn() {
        JsonNode c = Fixtures.cases("pipeline").getFirst();
        try (GenerationService service = service(c.get("model").get("path").asText())) {
            List<GenerationEvent> events = new ArrayList<>();
            RunControl[] control = new RunControl[1];
            control[0] = new RunControl(e -> {
                events.add(e);
                if (e instanceof GenerationEvent.StepDone s && s.image() == 0 && s.step() == 1) control[0].skip();
            });
            ImageRequest twoImages = request(c).toBuilder().steps(2).batchCount(2).build();
            GenerationResult r = service.generate(twoImages, control[0]);
            assertThat(r.status()).isEqualTo(GenerationResult.Status.DONE);
            assertThat(r.images()).extracting(GeneratedImage::index).containsExactly(1);
            assertThat(r.images().getFirst().seed()).isEqualTo(PipelineCases.seed(c) + 1);
            assertThat(events).anyMatch(e -> e instanceof GenerationEvent.ImageSkipped s && s.image() == 0);
            assertThat(r.images().getFirst().parameters()).contains("Seed: " + (PipelineCases.seed(c) + 1));
            assertThat(r.images().getFirst().png()).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
        }
    }

    @Test
    void invalidFieldsAreNamedWithTheirValue() {
        ImageRequest ok = ImageRequest.builder().prompt("1girl").size(64, 64).build();
        Object[][] cases = {
                {ok.toBuilder().steps(0).build(), "steps", "steps must be at least 1 (got 0)"},
                {ok.toBuilder().cfgScale(-1).build(), "cfgScale", "(got -1.0)"},
                {ok.toBuilder().batchCount(0).build(), "batchCount", "(got 0)"},
                {ok.toBuilder().clipSkip(0).build(), "clipSkip", "(got 0)"},
                {ok.toBuilder().sampler("heun++").build(), "sampler", "heun++"},
                {ok.toBuilder().schedule("karras").sampler("euler_a").compat(Compat.DIFFUSERS).build(), "schedule", "karras"},
                {ok.toBuilder().schedule("fancy").build(), "schedule", "fancy"},
                {ok.toBuilder().sampler("UniPC").steps(2).build(), "steps", "at least 3 for UniPC (got 2)"},
                {ok.toBuilder().rng("gpu").compat(Compat.DIFFUSERS).build(), "rng", "gpu"},
                {ok.toBuilder().sampling(new SamplingOptions(-1, 1.5, 0, 0, 0, 0, null, 1, 0, 0, 0)).build(), "subseedStrength", "1.5"},
                {ok.toBuilder().sampling(new SamplingOptions(-1, 0, 64, 0, 0, 0, null, 1, 0, 0, 0)).build(), "seedResizeFrom", "64x0"},
                {ok.toBuilder().sampling(new SamplingOptions(-1, 0, 0, 0, 0, -2, null, 1, 0, 0, 0)).build(), "sMinUncond", "-2"},
                {ok.toBuilder().sampling(new SamplingOptions(-1, 0, 0, 0, 0, 0, -0.5, 1, 0, 0, 0)).build(), "eta", "-0.5"},
                {ok.toBuilder().rng("quantum").build(), "rng", "quantum"},
                {ok.toBuilder().emphasis("loud").build(), "emphasis", "loud"},
                {ok.toBuilder().originalSize(-5, 10).build(), "originalSize", "-5x10"},
                {ok.toBuilder().crop(-1, 0).build(), "crop", "-1,0"},
        };
        for (Object[] c : cases) {
            ImageRequest r = (ImageRequest) c[0];
            assertThatThrownBy(r::validate).isInstanceOf(InvalidRequestException.class)
                    .hasMessageStartingWith((String) c[1] + " ").hasMessageContaining((String) c[2])
                    .satisfies(e -> assertThat(((InvalidRequestException) e).field()).isEqualTo(c[1]));
        }
        assertThat(ok.validate()).isSameAs(ok);
        assertThat(new ImageSize(64, 64)).isEqualTo(ok.size());
    }
}
