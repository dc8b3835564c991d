package dev.animagine.core.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.animagine.core.infotext.GenerationParameters;
import dev.animagine.core.infotext.PngParameters;
import dev.animagine.core.sampling.a1111.A1111Sampler;
import dev.animagine.core.sampling.a1111.SigmaSchedule;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every infotext of the corpus ({@code infotext/corpus}: A1111, Forge, civitai, the Animagine space,
 * ComfyUI) maps onto a valid A1111-mode request that carries what it states (prompts verbatim, steps,
 * CFG, seed, size, sampler and schedule under A1111's names, RNG, variation seed, ENSD...), with one
 * warning per key not understood; explicit fields win; a model hash that is not the loaded one is a
 * warning naming both.
 */
class ParametersRequestTest {
    private static final String DIR = "/dev/animagine/core/infotext/corpus/";

    private static String read(String file) throws IOException {
        try (InputStream in = ParametersRequestTest.class.getResourceAsStream(DIR + file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @TestFactory
    List<DynamicTest> everyCorpusInfotextMapsToAValidRequest() throws IOException {
        JsonNode cases;
        try (InputStream in = ParametersRequestTest.class.getResourceAsStream(DIR + "index.json")) {
            cases = new ObjectMapper().readTree(in).get("cases");
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : cases) tests.add(DynamicTest.dynamicTest(c.get("file").asText(), () -> check(read(c.get("file").asText()))));
        assertThat(tests).hasSizeGreaterThanOrEqualTo(20);
        return tests;
    }

    private static void check(String text) {
        GenerationParameters p = PngParameters.fromText(text);
        ImageRequest base = ImageRequest.builder().build();
        ParametersRequest.Applied a = ParametersRequest.apply(p, base, Set.of(), null, Map.of());
        ImageRequest r = a.request().validate();
        ImageRequest.Resolved res = r.resolve();
        assertThat(r.verbatim()).isTrue();
        assertThat(r.prompt()).isEqualTo(p.prompt());
        assertThat(r.negativePrompt()).isEqualTo(p.negativePrompt().isEmpty() ? null : p.negativePrompt());
        if (p.steps() != null) assertThat(r.steps()).isEqualTo(p.steps());
        if (p.cfgScale() != null) assertThat(r.cfgScale()).isEqualTo(p.cfgScale());
        if (p.seed() != null) assertThat(r.seed()).isEqualTo(p.seed());
        if (p.size() != null) assertThat(r.size().width()).isEqualTo(p.size().width());
        if (p.sampler() != null) assertThat(res.a1111().sampler().label()).isEqualTo(p.sampler());
        String schedule = ParametersRequest.schedule(p);
        assertThat(res.a1111().schedule()).isEqualTo(SigmaSchedule.byName(schedule));
        assertThat(res.rngSource().a1111Name()).isEqualTo(p.rng().toUpperCase(Locale.ROOT));
        if (p.ensd() != null) assertThat(r.sampling().ensd()).isEqualTo(p.ensd());
        if (p.variationSeedStrength() != null) assertThat(r.sampling().subseedStrength()).isEqualTo(p.variationSeedStrength());
        if (p.seedResizeFrom() != null && p.seedResizeFrom().width() > 0)
            assertThat(r.sampling().seedResizeFromW()).isEqualTo(p.seedResizeFrom().width());
        for (String key : p.unknownKeys())
            assertThat(a.warnings().stream().filter(w -> w.startsWith(key + ": not understood"))).as(key).hasSize(1);
        // a lora named in the text is not loaded here: a warning names it and its hash
        p.loraHashes().forEach((name, hash) -> assertThat(a.warnings()).anyMatch(w -> w.contains(name) && w.contains(hash)));
    }

    @Test
    void scheduleOptionsAreApplied() throws IOException {
        GenerationParameters p = PngParameters.fromText(read("24-a1111-110-schedule-options.txt"));
        ParametersRequest.Applied a = ParametersRequest.apply(p, ImageRequest.builder().build(), Set.of("rho"), null, Map.of());
        SamplingOptions o = a.request().validate().sampling();
        assertThat(o.discardPenultimateSigma()).isTrue();
        assertThat(o.betaAlpha()).isEqualTo(0.6);
        assertThat(o.sMinUncond()).isEqualTo(2.0);
        assertThat(o.rho()).as("explicit").isZero();
        assertThat(a.warnings()).noneMatch(w -> w.contains("sigma") || w.contains("Beta") || w.contains("NGMS"));
        assertThat(ParametersRequest.apply(p, ImageRequest.builder().build(), Set.of(), null, Map.of()).request().sampling().rho()).isEqualTo(5.0);
    }

    @Test
    void explicitFieldsWinAndMismatchesAreNamed() {
        String text = "1girl, solo\nNegative prompt: lowres\nSteps: 28, Sampler: DPM++ 2M Karras, CFG scale: 7, Seed: 123, Size: 832x1216, "
                + "Model hash: abcdef1234, Model: animagine-xl-4.0, Variation seed: 5, Variation seed strength: 0.3, ENSD: 31337, "
                + "RNG: NV, NGMS: 1.5, Eta: 0.7, Lora hashes: \"detail: 0123456789ab\", ADetailer model: face_yolov8n.pt, Version: v1.10.1";
        GenerationParameters p = PngParameters.fromText(text);
        ImageRequest base = ImageRequest.builder().steps(4).sampler("Euler").build();
        ParametersRequest.Applied a = ParametersRequest.apply(p, base, Set.of("steps"), "1111aaaa22", Map.of("detail", "ffffffffffff"));
        ImageRequest r = a.request().validate();
        assertThat(r.steps()).isEqualTo(4);
        assertThat(r.resolve().a1111()).isEqualTo(new A1111Sampler.Choice(A1111Sampler.DPMPP_2M, SigmaSchedule.KARRAS));
        assertThat(r.cfgScale()).isEqualTo(7);
        assertThat(r.seed()).isEqualTo(123);
        assertThat(r.rng()).isEqualTo("nv");
        assertThat(r.sampling()).isEqualTo(new SamplingOptions(5, 0.3, 0, 0, 31337, 1.5, 0.7, 1, 0, 0, 0));
        assertThat(a.warnings()).anyMatch(w -> w.contains("abcdef1234") && w.contains("1111aaaa22"));
        assertThat(a.warnings()).anyMatch(w -> w.contains("detail") && w.contains("0123456789ab") && w.contains("ffffffffffff"));
        assertThat(a.warnings()).containsOnlyOnce("ADetailer model: not understood, ignored");
    }
    @Test
    void hiresAndImg2ImgSettingsArePastedWhenTheyCanRun() {
        String hires = "1girl\nNegative prompt: lowres\nSteps: 6, Sampler: Euler a, Schedule type: Automatic, CFG scale: 5, Seed: 3, Size: 64x64, "
                + "Denoising strength: 0.6, Hires upscale: 1.5, Hires steps: 3, Hires upscaler: Latent (nearest-exact), Hires sampler: DPM++ 2M SDE";
        ParametersRequest.Applied a = ParametersRequest.apply(PngParameters.fromText(hires), ImageRequest.builder().build(), Set.of(), null, Map.of());
        assertThat(a.warnings()).isEmpty();
        HiresSettings h = a.request().validate().hires();
        assertThat(h.scale()).isEqualTo(1.5);
        assertThat(h.steps()).isEqualTo(3);
        assertThat(h.denoise()).isEqualTo(0.6);
        assertThat(h.upscaler()).isEqualTo("Latent (nearest-exact)");
        assertThat(h.sampler()).isEqualTo("DPM++ 2M SDE");
        // explicit hires flags win
        ImageRequest flags = ImageRequest.builder().hiresSteps(5).build();
        assertThat(ParametersRequest.apply(PngParameters.fromText(hires), flags, Set.of("hiresSteps"), null, Map.of()).request().hires().steps()).isEqualTo(5);

        String inpaint = "1girl\nSteps: 6, Sampler: Euler a, CFG scale: 5, Seed: 3, Size: 64x64, Denoising strength: 0.45, Mask blur: 2, "
                + "Mask mode: Inpaint not masked, Masked content: latent nothing, Inpaint area: Only masked, Masked area padding: 12";
        GenerationParameters p = PngParameters.fromText(inpaint);
        assertThat(p.unknownKeys()).isEmpty();
        // without the pictures: txt2img, with a warning
        assertThat(ParametersRequest.apply(p, ImageRequest.builder().build(), Set.of(), null, Map.of()).warnings())
                .singleElement().asString().startsWith("Denoising strength:");
        var picture = dev.animagine.core.image.InitImage.of(dev.animagine.core.testing.Fixtures.path("inpaint").resolve("inputs").resolve("init_variant0_64x64.png"));
        ImageRequest withPictures = ImageRequest.builder().initImage(picture).mask(picture).build();
        ParametersRequest.Applied ip = ParametersRequest.apply(p, withPictures, Set.of("initImage", "mask"), null, Map.of());
        assertThat(ip.warnings()).isEmpty();
        ImageRequest r = ip.request();
        assertThat(r.strength()).isEqualTo(0.45);
        assertThat(r.maskBlur()).isEqualTo(2);
        assertThat(r.maskInvert()).isTrue();
        assertThat(r.inpaintFill()).isEqualTo("latent nothing");
        assertThat(r.onlyMasked()).isTrue();
        assertThat(r.inpaintPadding()).isEqualTo(12);
    }
}
