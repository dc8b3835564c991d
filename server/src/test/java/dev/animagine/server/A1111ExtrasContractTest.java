package dev.animagine.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.animagine.core.io.CheckpointOptions;
import dev.animagine.core.service.GenerationResult;
import dev.animagine.core.service.GenerationService;
import dev.animagine.core.service.ImageRequest;
import dev.animagine.core.service.RunControl;
import dev.animagine.core.service.SamplingOptions;
import dev.animagine.core.image.InitImage;
import dev.animagine.core.testing.Fixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;

import static dev.animagine.server.A1111ContractTest.error;
import static dev.animagine.server.A1111ContractTest.ok;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The A1111 fields issue 13 left at 422: variation seeds (subseed, subseed_strength, seed_resize_from_w/h),
 * the model-free image hires upscalers (None, Lanczos, Nearest) and img2img resize_mode 3. Each image
 * is compared with what the engine's service makes for the same request (the server adds nothing).
 */
class A1111ExtrasContractTest {
    static final TestServer S = TestServer.get();
    static GenerationService service;

    @BeforeAll
    static void open() throws Exception {
        Path model = Fixtures.models().getFirst();
        Path single;
        try (Stream<Path> s = Files.list(model.resolve("single_file"))) {
            single = s.filter(p -> p.toString().endsWith(".safetensors")).sorted().findFirst().orElseThrow();
        }
        service = GenerationService.open(single, CheckpointOptions.DEFAULT.withConfigDirectory(model.resolve("diffusers")), Fixtures.clipVocabulary());
    }

    @AfterAll
    static void close() {
        service.close();
    }

    @BeforeEach
    void idle() {
        S.awaitIdle();
    }

    static final String BASE = "{\"prompt\":\"1girl, solo\",\"seed\":1234,\"steps\":2,\"width\":64,\"height\":64,\"sampler_name\":\"Euler\"";

    /** The A1111 API's mapping of BASE, as an engine request. */
    static ImageRequest.Builder base() {
        return ImageRequest.builder().prompt("1girl, solo").negativePrompt("").verbatim(true).size(64, 64).steps(2).cfgScale(7)
                .sampler("euler").seed(1234);
    }

    static int[] apiPixels(JsonNode r, int i) {
        return pixels(Img2ImgContractTest.image(r.get("images").get(i).asText()));
    }

    static int[] servicePixels(ImageRequest request) {
        GenerationResult g = service.generate(request, new RunControl(e -> {}));
        assertThat(g.status()).isEqualTo(GenerationResult.Status.DONE);
        return pixels(g.images().getFirst().toBufferedImage());
    }

    static int[] pixels(BufferedImage im) {
        return im.getRGB(0, 0, im.getWidth(), im.getHeight(), null, 0, im.getWidth());
    }

    static JsonNode info(JsonNode r) {
        return TestServer.json(new A1111ContractTest.Fake(r.get("info").asText()));
    }

    @Test
    void variationSeedGivesTheServicesImageAndA1111sInfo() {
        JsonNode r = ok(S.post("/sdapi/v1/txt2img", BASE + ",\"subseed\":99,\"subseed_strength\":0.4,\"batch_size\":2}"));
        JsonNode info = info(r);
        assertThat(info.get("subseed").asLong()).isEqualTo(99);
        assertThat(info.get("subseed_strength").asDouble()).isEqualTo(0.4);
        // A1111: with a variation strength every image has the seed and the subseeds count up
        assertThat(info.get("all_seeds").toString()).isEqualTo("[1234,1234]");
        assertThat(info.get("all_subseeds").toString()).isEqualTo("[99,100]");
        assertThat(info.get("seed_resize_from_w").asInt()).isEqualTo(-1);
        assertThat(info.get("infotexts").get(0).asText()).contains("Variation seed: 99", "Variation seed strength: 0.4");
        assertThat(info.get("infotexts").get(1).asText()).contains("Variation seed: 100", "Seed: 1234");

        int[] expected = servicePixels(base().sampling(new SamplingOptions(99, 0.4, 0, 0, 0, 0, null, 1, 0, 0, 0)).build());
        assertThat(apiPixels(r, 0)).isEqualTo(expected);
        int[] plain = apiPixels(ok(S.post("/sdapi/v1/txt2img", BASE + "}")), 0);
        assertThat(plain).isNotEqualTo(expected);
        assertThat(plain).isEqualTo(servicePixels(base().build()));
        // strength 0: the subseed changes nothing (A1111 ignores it)
        assertThat(apiPixels(ok(S.post("/sdapi/v1/txt2img", BASE + ",\"subseed\":99}")), 0)).isEqualTo(plain);
    }

    @Test
    void randomSubseedIsPickedAndReported() {
        JsonNode info = info(ok(S.post("/sdapi/v1/txt2img", BASE + ",\"subseed\":-1,\"subseed_strength\":0.5}")));
        long subseed = info.get("subseed").asLong();
        assertThat(subseed).isNotEqualTo(-1);
        assertThat(info.get("infotexts").get(0).asText()).contains("Variation seed: " + subseed);
    }

    @Test
    void seedResizeFromGivesTheServicesImage() {
        JsonNode r = ok(S.post("/sdapi/v1/txt2img", BASE + ",\"seed_resize_from_w\":96,\"seed_resize_from_h\":48}"));
        JsonNode info = info(r);
        assertThat(info.get("seed_resize_from_w").asInt()).isEqualTo(96);
        assertThat(info.get("seed_resize_from_h").asInt()).isEqualTo(48);
        assertThat(info.get("infotexts").get(0).asText()).contains("Seed resize from: 96x48");
        int[] expected = servicePixels(base().sampling(new SamplingOptions(-1, 0, 96, 48, 0, 0, null, 1, 0, 0, 0)).build());
        assertThat(apiPixels(r, 0)).isEqualTo(expected);
        int[] plain = servicePixels(base().build());
        assertThat(expected).isNotEqualTo(plain);
        // A1111 resizes the seed only when both sides are positive
        JsonNode oneSide = ok(S.post("/sdapi/v1/txt2img", BASE + ",\"seed_resize_from_w\":96,\"seed_resize_from_h\":-1}"));
        assertThat(apiPixels(oneSide, 0)).isEqualTo(plain);
        assertThat(info(oneSide).get("infotexts").get(0).asText()).doesNotContain("Seed resize from");
    }

    @Test
    void imageHiresUpscalersRunAndAreWrittenInTheInfotext() {
        String hr = BASE + ",\"enable_hr\":true,\"hr_scale\":1.5,\"hr_second_pass_steps\":1,\"denoising_strength\":0.6";
        JsonNode r = ok(S.post("/sdapi/v1/txt2img", hr + ",\"hr_upscaler\":\"Lanczos\"}"));
        BufferedImage im = Img2ImgContractTest.image(r.get("images").get(0).asText());
        assertThat(im.getWidth()).isEqualTo(96);
        assertThat(im.getHeight()).isEqualTo(96);
        assertThat(info(r).get("infotexts").get(0).asText()).contains("Hires upscaler: Lanczos", "Hires upscale: 1.5");
        ImageRequest.Builder b = base().hiresScale(1.5).hiresSteps(1).hiresDenoise(0.6);
        int[] lanczos = servicePixels(b.hiresUpscaler("lanczos").build());
        assertThat(apiPixels(r, 0)).isEqualTo(lanczos);
        assertThat(lanczos).isNotEqualTo(servicePixels(b.hiresUpscaler("latent").build()));
        for (String name : List.of("Nearest", "None")) {
            JsonNode n = ok(S.post("/sdapi/v1/txt2img", hr + ",\"hr_upscaler\":\"" + name + "\"}"));
            assertThat(info(n).get("infotexts").get(0).asText()).contains("Hires upscaler: " + name);
        }
    }

    @Test
    void upscalersListsTheModelFreeOnesInA1111sShape() {
        JsonNode list = ok(S.get("/sdapi/v1/upscalers"));
        assertThat(list.findValuesAsText("name")).containsExactly("None", "Lanczos", "Nearest");
        for (JsonNode u : list) assertThat(u.fieldNames()).toIterable().containsExactlyInAnyOrder("name", "model_name", "model_path", "model_url", "scale");
    }

    @Test
    void modelUpscalersAnswer422NamingThemAndTheAvailableOnes() {
        JsonNode e = error(S.post("/sdapi/v1/txt2img", BASE + ",\"enable_hr\":true,\"hr_upscaler\":\"R-ESRGAN 4x+\"}"), 422, "hr_upscaler");
        assertThat(e.get("detail").asText()).contains("'R-ESRGAN 4x+'", "Lanczos", "Nearest", "Latent (nearest-exact)");
        // the native API in diffusers mode (the Animagine space) upscales latents only
        JsonNode n = NativeAndOpenAiContractTest.status(S.post("/api/v1/jobs", "{\"prompt\":\"x\",\"size\":\"64x64\",\"compat\":\"diffusers\","
                + "\"enable_hr\":true,\"hr_upscaler\":\"Lanczos\"}"), 422);
        assertThat(n.toString()).contains("hr_upscaler");
    }

    @Test
    void variationSeedsAnswer422InDiffusersModeAndApplyToImg2Img() {
        JsonNode n = NativeAndOpenAiContractTest.status(S.post("/api/v1/jobs", "{\"prompt\":\"x\",\"size\":\"64x64\",\"compat\":\"diffusers\","
                + "\"subseed\":5,\"subseed_strength\":0.3}"), 422);
        assertThat(n.toString()).contains("subseed_strength");
        String png = Base64.getEncoder().encodeToString(Img2ImgContractTest.gradient(64, 64));
        // img2img draws its noise from A1111's image RNG, so a variation seed changes the picture there too
        String img2img = BASE + ",\"init_images\":[\"" + png + "\"]";
        JsonNode varied = ok(S.post("/sdapi/v1/img2img", img2img + ",\"subseed\":5,\"subseed_strength\":0.3}"));
        assertThat(info(varied).get("infotexts").get(0).asText()).contains("Variation seed: 5", "Variation seed strength: 0.3");
        assertThat(apiPixels(varied, 0)).isNotEqualTo(apiPixels(ok(S.post("/sdapi/v1/img2img", img2img + "}")), 0));
        // the native API takes the same fields in A1111 mode
        JsonNode accepted = NativeAndOpenAiContractTest.status(S.post("/api/v1/jobs", "{\"prompt\":\"x\",\"size\":\"64x64\",\"steps\":1,"
                + "\"subseed\":5,\"subseed_strength\":0.3,\"save\":false}"), 202);
        S.awaitIdle();
        JsonNode job = NativeAndOpenAiContractTest.status(S.get("/api/v1/jobs/" + accepted.get("id").asText()), 200);
        assertThat(job.get("state").asText()).as(job.toString()).isEqualTo("done");
        assertThat(job.toString()).contains("Variation seed: 5");
    }

    @Test
    void img2imgResizeMode3GivesTheServicesImage() {
        byte[] init = Img2ImgContractTest.gradient(48, 40);
        String png = Base64.getEncoder().encodeToString(init);
        String body = BASE + ",\"init_images\":[\"" + png + "\"],\"denoising_strength\":0.5";
        JsonNode r = ok(S.post("/sdapi/v1/img2img", body + ",\"resize_mode\":3}"));
        BufferedImage im = Img2ImgContractTest.image(r.get("images").get(0).asText());
        assertThat(im.getWidth()).isEqualTo(64);
        assertThat(im.getHeight()).isEqualTo(64);
        ImageRequest.Builder b = base().initImage(new InitImage(init, "init.png")).strength(0.5);
        int[] expected = servicePixels(b.resizeMode("latent-upscale").build());
        assertThat(apiPixels(r, 0)).isEqualTo(expected);
        assertThat(expected).isNotEqualTo(servicePixels(b.resizeMode("just-resize").build()));
        // with a mask it is refused (A1111's mode 3 is an img2img resize)
        error(S.post("/sdapi/v1/img2img", body + ",\"resize_mode\":3,\"mask\":\"" + Base64.getEncoder().encodeToString(Img2ImgContractTest.halfMask(48, 40))
                + "\"}"), 422, "resize_mode");
    }
}
