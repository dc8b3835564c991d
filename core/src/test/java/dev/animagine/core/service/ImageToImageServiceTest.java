package dev.animagine.core.service;

import dev.animagine.core.image.ImageFiles;
import dev.animagine.core.image.InitImage;
import dev.animagine.core.image.PixelImage;
import dev.animagine.core.pipeline.Stage;
import dev.animagine.core.sampling.a1111.A1111Sampler;
import dev.animagine.core.sampling.a1111.DiscreteSchedule;
import dev.animagine.core.sampling.a1111.SamplerSigmas;
import dev.animagine.core.sampling.a1111.SigmaSchedule;
import dev.animagine.core.testing.Fixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A1111-mode img2img, inpainting and hires through the service, against what A1111's code does
 * (modules/processing.py, sd_samplers_common.setup_img2img_steps, sample_hr_pass, masking.py):
 * the step counts, the hires schedule tail, the composite outside the mask, "only masked" paste-back
 * into the full picture, masked-content modes, the phases and cancellation, the infotext keys.
 */
class ImageToImageServiceTest {
    static GenerationService service;
    static final Path INPUTS = Fixtures.path("inpaint").resolve("inputs");

    @BeforeAll
    static void open() {
        service = GenerationServiceTest.service(Fixtures.cases("img2img").getFirst().get("model").get("path").asText());
    }

    @AfterAll
    static void close() {
        service.close();
    }

    static ImageRequest.Builder base() {
        return ImageRequest.builder().prompt("1girl, solo").negativePrompt("lowres").verbatim(true).steps(10).cfgScale(5)
                .sampler("euler_a").seed(42);
    }

    static ImageRequest.Builder img2img(String init) {
        return base().initImage(InitImage.of(INPUTS.resolve(init)));
    }

    record Run(GenerationResult result, List<GenerationEvent> events) {
        List<GenerationEvent.StepDone> steps() {
            return events.stream().filter(e -> e instanceof GenerationEvent.StepDone).map(e -> (GenerationEvent.StepDone) e).toList();
        }

        List<Stage> phases() {
            return events.stream().filter(e -> e instanceof GenerationEvent.PhaseStarted).map(e -> ((GenerationEvent.PhaseStarted) e).stage()).toList();
        }

        GeneratedImage image() {
            return result.images().getFirst();
        }
    }

    @Test
    void img2imgWithABatchSizeMakesItsImagesOneAtATimeWithA1111Seeds() {
        Run batch = run(img2img("init_variant0_64x64.png").steps(4).strength(0.5).batchSize(2).build());
        assertThat(batch.result().images()).extracting(GeneratedImage::seed).containsExactly(42L, 43L);
        Run alone = run(img2img("init_variant0_64x64.png").steps(4).strength(0.5).seed(43).build());
        assertThat(batch.result().images().get(1).result().image().data()).isEqualTo(alone.image().result().image().data());
        assertThat(batch.result().images().get(1).parameters()).isEqualTo(alone.image().parameters());
    }

    static Run run(ImageRequest r) {
        List<GenerationEvent> events = new CopyOnWriteArrayList<>();
        GenerationResult result = service.generate(r, new RunControl(events::add));
        return new Run(result, events);
    }

    @Test
    void img2imgRunsIntDTimesStepsPlusOneStepsOfTheFullSchedule() {
        // setup_img2img_steps with img2img_fix_steps off: t_enc = int(min(d, 0.999) * steps), t_enc + 1 steps run
        int[][] stepsStrengthRun = {{10, 55, 6}, {8, 75, 7}, {5, 100, 5}, {7, 30, 3}};
        for (int[] c : stepsStrengthRun) {
            Run r = run(img2img("init_variant0_64x64.png").steps(c[0]).strength(c[1] / 100.0).build());
            assertThat(r.steps()).as(c[0] + " steps at " + c[1] / 100.0).hasSize(c[2]);
            assertThat(r.steps().getFirst().steps()).isEqualTo(c[2]);
            // the tail sigmas[steps - t_enc - 1:] of A1111's steps-long schedule (Euler a: the model's own sigmas)
            float[] full = a1111Sigmas(c[0]);
            assertThat(r.steps().getFirst().sigma()).isEqualTo(full[c[0] - c[2]]);
        }
    }

    @Test
    void phasesAndDefaultSize() {
        Run r = run(img2img("init_variant2_96x64.png").strength(0.5).build());
        assertThat(r.phases()).containsExactly(Stage.TEXT_ENCODING, Stage.VAE_ENCODING, Stage.DENOISING, Stage.VAE_DECODING);
        assertThat(r.image().width()).isEqualTo(96);
        assertThat(r.image().height()).isEqualTo(64);
        assertThat(r.image().parameters()).contains("Size: 96x64", "Denoising strength: 0.5");
    }

    @Test
    void inpaintingKeepsTheOriginalOutsideTheMask() {
        PixelImage init = ImageFiles.read(INPUTS.resolve("init_variant0_64x64.png"));
        PixelImage mask = ImageFiles.read(INPUTS.resolve("mask_rect_offgrid_64x64.png"));
        Run r = run(img2img("init_variant0_64x64.png").mask(InitImage.of(INPUTS.resolve("mask_rect_offgrid_64x64.png")))
                .maskBlur(0).strength(0.75).build());
        PixelImage out = pixels(r.image());
        int changedInside = 0;
        for (int y = 0; y < 64; y++)
            for (int x = 0; x < 64; x++)
                for (int ch = 0; ch < 3; ch++) {
                    if (mask.get(0, x, y) == 0) assertThat(out.get(ch, x, y)).as("(%d, %d)", x, y).isEqualTo(init.get(ch, x, y));
                    else if (out.get(ch, x, y) != init.get(ch, x, y)) changedInside++;
                }
        assertThat(changedInside).isPositive();
        assertThat(r.image().parameters()).contains("Denoising strength: 0.75", "Mask blur: 0");
        var parsed = dev.animagine.core.infotext.InfotextParser.parse(r.image().parameters());
        assertThat(parsed.maskBlur()).isEqualTo(0);
        assertThat(parsed.unknownKeys()).isEmpty();
    }

    @Test
    void onlyMaskedWorksAtTheSizeAndPastesBackIntoTheFullPicture() {
        PixelImage init = ImageFiles.read(INPUTS.resolve("init_variant2_96x64.png"));
        PixelImage mask = ImageFiles.read(INPUTS.resolve("mask_rect_offgrid_96x64.png"));
        Run r = run(img2img("init_variant2_96x64.png").mask(InitImage.of(INPUTS.resolve("mask_rect_offgrid_96x64.png")))
                .maskBlur(0).inpaintArea("masked").inpaintPadding(8).size(64, 64).strength(0.6).build());
        PixelImage out = pixels(r.image());
        assertThat(out.width()).isEqualTo(96);
        assertThat(out.height()).isEqualTo(64);
        for (int y = 0; y < 64; y++)
            for (int x = 0; x < 96; x++)
                if (mask.get(0, x, y) == 0)
                    for (int ch = 0; ch < 3; ch++) assertThat(out.get(ch, x, y)).isEqualTo(init.get(ch, x, y));
        assertThat(r.image().parameters()).contains("Inpaint area: Only masked", "Masked area padding: 8");
    }

    @Test
    void maskedContentChangesOnlyTheMaskedArea() {
        ImageRequest.Builder b = img2img("init_variant0_64x64.png").mask(InitImage.of(INPUTS.resolve("mask_rect_offgrid_64x64.png")))
                .maskBlur(0).strength(0.5);
        PixelImage original = pixels(run(b.inpaintFill("original").build()).image());
        Run nothing = run(b.inpaintFill("latent-nothing").build());
        Run fill = run(b.inpaintFill("fill").build());
        assertThat(nothing.image().parameters()).contains("Masked content: latent nothing");
        assertThat(fill.image().parameters()).contains("Masked content: fill");
        PixelImage mask = ImageFiles.read(INPUTS.resolve("mask_rect_offgrid_64x64.png"));
        for (PixelImage other : List.of(pixels(nothing.image()), pixels(fill.image()))) {
            int differInside = 0;
            for (int y = 0; y < 64; y++)
                for (int x = 0; x < 64; x++)
                    for (int ch = 0; ch < 3; ch++) {
                        if (mask.get(0, x, y) == 0) assertThat(other.get(ch, x, y)).isEqualTo(original.get(ch, x, y));
                        else if (other.get(ch, x, y) != original.get(ch, x, y)) differInside++;
                    }
            assertThat(differInside).isPositive();
        }
    }

    @Test
    void hiresRunsExactlyHiresStepsOnTheTailOfALongerSchedule() {
        // sample_hr_pass passes steps = hr_second_pass_steps or steps: schedule int(S / d), t_enc = S - 1
        Run r = run(base().size(64, 64).steps(6).hiresScale(1.5).hiresSteps(4).hiresDenoise(0.7).build());
        assertThat(r.phases()).containsExactly(Stage.TEXT_ENCODING, Stage.DENOISING, Stage.HIRES, Stage.VAE_DECODING);
        List<GenerationEvent.StepDone> steps = r.steps();
        assertThat(steps).hasSize(6 + 4);
        assertThat(steps.get(6).steps()).isEqualTo(4);
        float[] schedule = a1111Sigmas(5); // int(4 / 0.7) = 5
        assertThat(steps.get(6).sigma()).isEqualTo(schedule[1]); // 5 - (4 - 1) - 1
        assertThat(steps.get(6).latents().height()).isEqualTo(12);
        assertThat(r.image().width()).isEqualTo(96); // int(64 * 1.5)
        assertThat(r.image().parameters()).contains("Size: 64x64", "Denoising strength: 0.7", "Hires upscale: 1.5", "Hires steps: 4",
                "Hires upscaler: Latent");

        // what png-info --json reads back
        var parsed = dev.animagine.core.infotext.InfotextParser.parse(r.image().parameters());
        assertThat(parsed.denoisingStrength()).isEqualTo(0.7);
        assertThat(parsed.hires().upscale()).isEqualTo(1.5);
        assertThat(parsed.hires().steps()).isEqualTo(4);
        assertThat(parsed.hires().upscaler()).isEqualTo("Latent");
        assertThat(parsed.unknownKeys()).isEmpty();

        Run same = run(base().size(64, 64).steps(6).hiresScale(1.5).hiresDenoise(0.7).build());
        assertThat(same.steps()).hasSize(6 + 6);
        assertThat(same.image().parameters()).doesNotContain("Hires steps");
    }

    @Test
    void animagineUpscalePresetAndCancelInEveryPhase() {
        Run preset = run(base().size(64, 64).steps(4).animagineUpscale(true).compat(Compat.DIFFUSERS).build());
        assertThat(preset.image().parameters()).contains("Denoising strength: 0.55", "Hires upscale: 1.5", "Hires upscaler: Latent (nearest-exact)");
        assertThat(preset.image().width()).isEqualTo(96);

        for (Stage at : List.of(Stage.VAE_ENCODING, Stage.DENOISING, Stage.HIRES, Stage.VAE_DECODING)) {
            List<GenerationEvent> events = new CopyOnWriteArrayList<>();
            RunControl[] control = new RunControl[1];
            control[0] = new RunControl(e -> {
                events.add(e);
                if (e instanceof GenerationEvent.PhaseStarted p && p.stage() == at) control[0].cancel();
            });
            ImageRequest req = at == Stage.HIRES ? base().size(64, 64).steps(3).hiresScale(1.5).build()
                    : img2img("init_variant0_64x64.png").steps(3).strength(0.7).build();
            GenerationResult r = service.generate(req, control[0]);
            assertThat(r.cancelled()).as(at.name()).isTrue();
            assertThat(r.images()).isEmpty();
            assertThat(events.getLast()).isInstanceOf(GenerationEvent.RunCancelled.class);
            assertThat(events).filteredOn(e -> e instanceof GenerationEvent.StepDone s && at != Stage.VAE_DECODING && at != Stage.HIRES).isEmpty();
        }
    }

    @Test
    void uniPcImg2ImgAndHiresNeedThreeStepsRun() {
        // A1111's UniPC (order 3) runs t_enc = int(d * steps) steps in img2img, hires steps - 1 in a hires pass
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> service.prepare(img2img("init_variant0_64x64.png").sampler("UniPC")
                .steps(10).strength(0.25).build()))).isInstanceOf(dev.animagine.core.InvalidRequestException.class).hasMessageContaining("strength")
                .hasMessageContaining("= 2 steps");
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> service.prepare(base().size(64, 64).hiresScale(1.5).hiresSteps(3)
                .hiresSampler("UniPC").build()))).isInstanceOf(dev.animagine.core.InvalidRequestException.class).hasMessageContaining("hiresSteps");
        Run ok = run(img2img("init_variant0_64x64.png").sampler("UniPC").steps(10).strength(0.3).build());
        assertThat(ok.steps()).hasSize(3);
        assertThat(ok.image().parameters()).contains("Sampler: UniPC,", "Denoising strength: 0.3");
    }

    /** A1111's Euler a schedule of {@code steps} steps for SDXL (the model's own sigmas, A1111's default). */
    static float[] a1111Sigmas(int steps) {
        return SamplerSigmas.of(A1111Sampler.EULER_A, SigmaSchedule.AUTOMATIC, steps, new DiscreteSchedule(DiscreteSchedule.sdxlAlphasCumprod())).sigmas();
    }

    static PixelImage pixels(GeneratedImage image) {
        int w = image.width(), h = image.height();
        float[] d = image.result().image().data();
        int[] px = new int[3 * w * h];
        for (int i = 0; i < px.length; i++) px[i] = (int) Math.rint(Math.clamp(d[i], 0f, 1f) * 255f);
        return new PixelImage(w, h, 3, px);
    }
}
