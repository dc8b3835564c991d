package dev.animagine.core.service;

import dev.animagine.core.pipeline.Stage;
import dev.animagine.core.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The service in its default A1111 mode: A1111's sampler behind the pipeline keeps per-step events
 * and cancellation before a UNet evaluation; GPU (NV) noise by default, written as A1111 writes it
 * (no RNG key); a batch with a variation strength keeps the seed and counts the variation seed up;
 * the same request twice gives the same latents.
 */
class A1111ServiceTest {
    private static String model() {
        return "shared/fixtures/models/" + Fixtures.models().getFirst().getFileName() + "/diffusers";
    }

    private static ImageRequest.Builder request() {
        return ImageRequest.builder().prompt("1girl, solo").negativePrompt("lowres").verbatim(true).size(64, 64).steps(3)
                .sampler("DPM++ 2M SDE").seed(77);
    }

    @Test
    void eventsCancellationBatchSeedsAndInfotext() {
        try (GenerationService service = GenerationServiceTest.service(model())) {
            List<GenerationEvent> events = new CopyOnWriteArrayList<>();
            GenerationResult r = service.generate(request().build(), new RunControl(events::add));
            assertThat(r.status()).isEqualTo(GenerationResult.Status.DONE);
            List<Integer> steps = events.stream().filter(e -> e instanceof GenerationEvent.StepDone).map(e -> ((GenerationEvent.StepDone) e).step()).toList();
            assertThat(steps).containsExactly(1, 2, 3);
            String params = r.images().getFirst().parameters();
            assertThat(params).contains("Sampler: DPM++ 2M SDE, Schedule type: Exponential,", "Seed: 77,").doesNotContain("RNG:");
            assertThat(service.generate(request().build(), RunControl.silent()).images().getFirst().result().latents().data())
                    .isEqualTo(r.images().getFirst().result().latents().data());

            RunControl[] control = new RunControl[1];
            List<GenerationEvent> seen = new CopyOnWriteArrayList<>();
            control[0] = new RunControl(e -> {
                seen.add(e);
                if (e instanceof GenerationEvent.StepDone s && s.step() == 1) control[0].cancel();
            });
            GenerationResult cancelled = service.generate(request().build(), control[0]);
            assertThat(cancelled.status()).isEqualTo(GenerationResult.Status.CANCELLED);
            assertThat(seen).noneMatch(e -> e instanceof GenerationEvent.PhaseStarted p && p.stage() == Stage.VAE_DECODING);

            GenerationResult batch = service.generate(request().steps(1).batchCount(2).rng("cpu")
                    .sampling(new SamplingOptions(500, 0.5, 0, 0, 0, 0, null, 1, 0, 0, 0)).build(), RunControl.silent());
            assertThat(batch.images()).extracting(GeneratedImage::seed).containsExactly(77L, 77L);
            assertThat(batch.images().get(0).parameters()).contains("Variation seed: 500,", "Variation seed strength: 0.5", "RNG: CPU");
            assertThat(batch.images().get(1).parameters()).contains("Variation seed: 501,");
            assertThat(batch.images().get(0).result().latents().data()).isNotEqualTo(batch.images().get(1).result().latents().data());
        }
    }
}
