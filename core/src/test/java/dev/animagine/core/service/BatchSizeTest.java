package dev.animagine.core.service;

import dev.animagine.core.InvalidRequestException;
import dev.animagine.core.pipeline.Stage;
import dev.animagine.core.tensor.FlopCounter;
import dev.animagine.core.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Batch size (A1111's batch_size, diffusers' num_images_per_prompt): every image of a batch equals
 * the image made alone with its seed (seed + i; with a variation strength the seed stays and the
 * variation seed counts up), in A1111 mode (ancestral noise from the image RNG, Brownian trees per
 * seed) and in diffusers mode (one generator per image); batch count continues the seeds; the text
 * encoders run once per distinct prompt and not at all for a repeated request; DeepCache and the CFG
 * cutoff in a batch give the images made alone with them.
 * <p>
 * Tolerance: bit-identical latents and pixels are expected (each image's rows of the batched
 * matrix products are computed in the same order as alone); the test states the max difference.
 */
class BatchSizeTest {
    private static final long SEED = 1234;

    private static List<String> models() {
        List<String> m = new ArrayList<>();
        for (Path p : Fixtures.models()) m.add("shared/fixtures/models/" + p.getFileName() + "/diffusers");
        assertThat(m).isNotEmpty();
        return m;
    }

    private static ImageRequest.Builder request(String sampler) {
        return ImageRequest.builder().prompt("1girl, solo").negativePrompt("lowres").verbatim(true).size(64, 64).steps(4).cfgScale(5)
                .sampler(sampler).seed(SEED);
    }

    @Test
    void a1111AncestralBatchEqualsSeparateImages() {
        for (String model : models()) assertBatchEqualsSeparate(model, request("Euler a"), 3, false);
    }

    @Test
    void a1111BrownianTreeBatchEqualsSeparateImages() {
        for (String model : models()) assertBatchEqualsSeparate(model, request("DPM++ 2M SDE").rng("cpu"), 3, false);
    }

    @Test
    void a1111VariationSeedBatchEqualsSeparateImages() {
        SamplingOptions variation = new SamplingOptions(500, 0.4, 0, 0, 31337, 0, null, 1, 0, 0, 0);
        for (String model : models()) assertBatchEqualsSeparate(model, request("Euler a").sampling(variation), 3, true);
    }

    @Test
    void diffusersBatchEqualsSeparateImages() {
        for (String model : models()) {
            assertBatchEqualsSeparate(model, request("euler_a").compat(Compat.DIFFUSERS), 3, false);
            // without guidance the UNet batch is the N prompts alone
            assertBatchEqualsSeparate(model, request("euler_a").compat(Compat.DIFFUSERS).cfgScale(1), 2, false);
        }
    }

    private static void assertBatchEqualsSeparate(String model, ImageRequest.Builder builder, int n, boolean variation) {
        ImageRequest base = builder.build();
        try (GenerationService service = GenerationServiceTest.service(model)) {
            GenerationResult batch = service.generate(base.toBuilder().batchSize(n).build(), RunControl.silent());
            assertThat(batch.status()).isEqualTo(GenerationResult.Status.DONE);
            assertThat(batch.images()).hasSize(n);
            double maxLatent = 0, maxPixel = 0;
            for (int i = 0; i < n; i++) {
                ImageRequest.Builder alone = base.toBuilder().batchSize(1);
                if (variation) {
                    SamplingOptions o = base.sampling();
                    alone.sampling(o.withSubseed(o.subseed() + i)).seed(SEED);
                } else {
                    alone.seed(SEED + i);
                }
                GeneratedImage single = service.generate(alone.build(), RunControl.silent()).images().getFirst();
                GeneratedImage b = batch.images().get(i);
                assertThat(b.index()).isEqualTo(i);
                assertThat(b.seed()).isEqualTo(variation ? SEED : SEED + i);
                assertThat(b.parameters()).isEqualTo(single.parameters());
                maxLatent = Math.max(maxLatent, maxDiff(b.result().latents().data(), single.result().latents().data()));
                maxPixel = Math.max(maxPixel, maxDiff(b.result().image().data(), single.result().image().data()));
                assertThat(maxDiff(b.result().initialNoise(), single.result().initialNoise())).isZero();
            }
            System.out.printf("batch of %d (%s, %s, CFG %s): max |batch - alone| latents %.3g, pixels %.3g%n", n, base.sampler(),
                    base.compat(), base.cfgScale(), maxLatent, maxPixel);
            assertThat(maxLatent).isEqualTo(0.0);
            assertThat(maxPixel).isEqualTo(0.0);
            // the images of a batch differ from each other
            assertThat(maxDiff(batch.images().get(0).result().latents().data(), batch.images().get(1).result().latents().data())).isPositive();
        }
    }

    /**
     * Step savings in a batch: a batch of 2 with DeepCache 3, with CFG cutoff 0.5, and with both equals the two
     * images made alone with the same savings (bit for bit), and its denoising does the FLOPs of the two alone
     * (so the batch runs the same shallow and unguided calls: after the cutoff, the N-row prompt-only calls
     * reuse the prompts' rows of DeepCache's 2N-row feature). A1111 mode (cutoff in the CFG denoiser, NGMS-style
     * rows) and diffusers mode (cutoff in the pipeline's guidance).
     */
    @Test
    void stepSavingsInABatchEqualTheImagesAlone() {
        for (String model : models()) {
            for (ImageRequest.Builder b : List.of(request("Euler a"), request("euler_a").compat(Compat.DIFFUSERS))) {
                ImageRequest.Builder six = b.steps(6);
                assertSavingsBatchEqualsSeparate(model, six.build().toBuilder().deepCacheInterval(3));
                assertSavingsBatchEqualsSeparate(model, six.build().toBuilder().cfgCutoff(0.5));
                assertSavingsBatchEqualsSeparate(model, six.build().toBuilder().deepCacheInterval(3).cfgCutoff(0.5));
            }
        }
    }

    private static void assertSavingsBatchEqualsSeparate(String model, ImageRequest.Builder builder) {
        ImageRequest base = builder.build();
        int n = 2;
        try (GenerationService service = GenerationServiceTest.service(model)) {
            long[] plainFlops = new long[1], batchFlops = new long[1], aloneFlops = new long[n];
            GenerationResult plain = service.generate(base.toBuilder().deepCacheInterval(0).cfgCutoff(1).batchSize(n).build(),
                    flopsOfDenoising(plainFlops, 0));
            GenerationResult batch = service.generate(base.toBuilder().batchSize(n).build(), flopsOfDenoising(batchFlops, 0));
            assertThat(batch.images()).hasSize(n);
            double maxLatent = 0, maxPixel = 0;
            for (int i = 0; i < n; i++) {
                GeneratedImage single = service.generate(base.toBuilder().batchSize(1).seed(SEED + i).build(), flopsOfDenoising(aloneFlops, i))
                        .images().getFirst();
                GeneratedImage b = batch.images().get(i);
                assertThat(b.parameters()).isEqualTo(single.parameters());
                maxLatent = Math.max(maxLatent, maxDiff(b.result().latents().data(), single.result().latents().data()));
                maxPixel = Math.max(maxPixel, maxDiff(b.result().image().data(), single.result().image().data()));
                // the savings changed the image (they ran)
                assertThat(maxDiff(b.result().latents().data(), plain.images().get(i).result().latents().data())).isPositive();
            }
            System.out.printf("batch of %d (%s, %s, DeepCache %d, CFG cutoff %s): max |batch - alone| latents %.3g, pixels %.3g; "
                            + "denoising FLOPs batch %d, alone %d + %d, without savings %d%n", n, base.sampler(), base.compat(),
                    base.deepCacheInterval(), base.cfgCutoff(), maxLatent, maxPixel, batchFlops[0], aloneFlops[0], aloneFlops[1], plainFlops[0]);
            assertThat(maxLatent).isEqualTo(0.0);
            assertThat(maxPixel).isEqualTo(0.0);
            assertThat(batchFlops[0]).isEqualTo(aloneFlops[0] + aloneFlops[1]);
            assertThat(batchFlops[0]).isLessThan(plainFlops[0]);
        }
    }

    /** Records the FLOPs counted between the denoising and VAE decoding phases (the UNet's work). */
    private static RunControl flopsOfDenoising(long[] out, int slot) {
        long[] start = new long[1];
        return new RunControl(e -> {
            if (!(e instanceof GenerationEvent.PhaseStarted p)) return;
            if (p.stage() == Stage.DENOISING) start[0] = FlopCounter.total();
            if (p.stage() == Stage.VAE_DECODING) out[slot] = FlopCounter.total() - start[0];
        });
    }

    private static double maxDiff(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs((double) a[i] - b[i]));
        return m;
    }

    @Test
    void batchCountContinuesSeedsAcrossBatches() {
        try (GenerationService service = GenerationServiceTest.service(models().getFirst())) {
            List<GenerationEvent> events = new CopyOnWriteArrayList<>();
            GenerationResult r = service.generate(request("Euler a").steps(2).batchCount(2).batchSize(2).build(), new RunControl(events::add));
            assertThat(r.images()).extracting(GeneratedImage::seed).containsExactly(SEED, SEED + 1, SEED + 2, SEED + 3);
            assertThat(r.images()).extracting(GeneratedImage::parameters)
                    .allSatisfy(p -> assertThat(p).doesNotContain("Batch size"));
            assertThat(r.images().get(3).parameters()).contains("Seed: " + (SEED + 3) + ",");
            assertThat(events.stream().filter(e -> e instanceof GenerationEvent.ImageFinished).map(GenerationEvent::image))
                    .containsExactly(0, 1, 2, 3);
            // two batches of two steps: each batch reports its steps once
            assertThat(events.stream().filter(e -> e instanceof GenerationEvent.StepDone)).hasSize(4);
            GeneratedImage third = service.generate(request("Euler a").steps(2).seed(SEED + 2).build(), RunControl.silent()).images().getFirst();
            assertThat(maxDiff(r.images().get(2).result().latents().data(), third.result().latents().data())).isZero();
        }
    }

    @Test
    void skipEndsTheCurrentBatch() {
        try (GenerationService service = GenerationServiceTest.service(models().getFirst())) {
            List<GenerationEvent> events = new CopyOnWriteArrayList<>();
            RunControl[] control = new RunControl[1];
            control[0] = new RunControl(e -> {
                events.add(e);
                if (e instanceof GenerationEvent.StepDone s && s.image() == 0 && s.step() == 1) control[0].skip();
            });
            GenerationResult r = service.generate(request("Euler a").steps(2).batchCount(2).batchSize(2).build(), control[0]);
            assertThat(r.status()).isEqualTo(GenerationResult.Status.DONE);
            assertThat(events.stream().filter(e -> e instanceof GenerationEvent.ImageSkipped).map(GenerationEvent::image)).containsExactly(0, 1);
            assertThat(r.images()).extracting(GeneratedImage::seed).containsExactly(SEED + 2, SEED + 3);
        }
    }

    @Test
    void textEncodersRunOncePerDistinctPromptAndNotForARepeatedRequest() {
        try (GenerationService service = GenerationServiceTest.service(models().getFirst())) {
            long before = service.pipeline().textEncodings();
            long[] encoderFlops = new long[2];
            GenerationResult first = service.generate(request("Euler a").steps(2).batchSize(3).build(), flopsOfTextEncoding(encoderFlops, 0));
            assertThat(service.pipeline().textEncodings() - before).isEqualTo(1);
            assertThat(encoderFlops[0]).isPositive();

            GenerationResult again = service.generate(request("Euler a").steps(2).build(), flopsOfTextEncoding(encoderFlops, 1));
            assertThat(service.pipeline().textEncodings() - before).isEqualTo(1);
            assertThat(encoderFlops[1]).isZero();
            assertThat(maxDiff(again.images().getFirst().result().image().data(), first.images().getFirst().result().image().data())).isZero();

            service.generate(request("Euler a").prompt("1boy").steps(1).build(), RunControl.silent());
            assertThat(service.pipeline().textEncodings() - before).isEqualTo(2);
        }
    }

    /** Records the FLOPs counted between the text-encoding and denoising phases (the text encoders' work). */
    private static RunControl flopsOfTextEncoding(long[] out, int slot) {
        long[] start = new long[1];
        return new RunControl(e -> {
            if (!(e instanceof GenerationEvent.PhaseStarted p)) return;
            if (p.stage() == Stage.TEXT_ENCODING) start[0] = FlopCounter.total();
            if (p.stage() == Stage.DENOISING) out[slot] = FlopCounter.total() - start[0];
        });
    }

    @Test
    void batchSizeIsValidated() {
        assertThatThrownBy(() -> request("Euler a").batchSize(0).build().validate()).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("batchSize");
        assertThatThrownBy(() -> request("Euler a").batchSize(ImageRequest.MAX_BATCH_SIZE + 1).build().validate())
                .hasMessageContaining("batchSize");
        assertThatThrownBy(() -> request("Euler a").batchSize(64).batchCount(1000).build().validate()).hasMessageContaining("batchSize");
    }
}
