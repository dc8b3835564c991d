package dev.animagine.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.animagine.core.AnimagineException;
import dev.animagine.core.io.CheckpointOptions;
import dev.animagine.core.testing.Fixtures;
import dev.animagine.core.vae.tiny.RandomTinyAutoencoder;
import dev.animagine.core.vae.tiny.TinyAutoencoderDecoder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Live previews with a TAESD-XL decoder: found in the models folder (A1111's VAE-taesd/), drawn at
 * the image's size (8x the latents) instead of the linear fit's latent size, switchable through
 * A1111's show_progress_type option; the shared test server (no decoder) keeps the linear fit; a
 * bad --taesd file stops the start with one line naming it.
 */
class TaesdPreviewTest {
    private static AnimagineServer server;
    private static Path dir;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void start() throws Exception {
        Path model = Fixtures.models().getFirst();
        Path diffusers = model.resolve("diffusers");
        dir = Files.createTempDirectory(Path.of("target"), "taesd-test");
        Path sd = Files.createDirectories(dir.resolve("models/Stable-diffusion"));
        Files.createSymbolicLink(sd.resolve("mini"), diffusers.toAbsolutePath());
        Path taesd = Files.createDirectories(dir.resolve("models/VAE-taesd"));
        RandomTinyAutoencoder.write(taesd.resolve("taesdxl_decoder.safetensors"), TinyAutoencoderDecoder.Layout.TAESD, 11);
        server = new AnimagineServer(options().modelsDir(dir.resolve("models")).build(), line -> {}).start();
    }

    private static ServerOptions.Builder options() {
        return ServerOptions.builder()
                .checkpointOptions(CheckpointOptions.DEFAULT.withConfigDirectory(Fixtures.models().getFirst().resolve("diffusers")))
                .tokenizerDir(Fixtures.clipVocabulary())
                .port(0)
                .outputs(dir.resolve("outputs"))
                .previewEvery(1)
                .warmUp(false);
    }

    @AfterAll
    static void stop() {
        if (server != null) server.stop();
    }

    @Test
    void previewsComeFromTaesdAtTheImagesSizeAndTheOptionSwitchesToTheLinearFit() throws Exception {
        assertThat(server.previews().taesd()).isPresent();
        assertThat(options(server).get("show_progress_type").asText()).isEqualTo("TAESD");
        List<BufferedImage> taesd = stepPreviews(server);
        assertThat(taesd).isNotEmpty().allSatisfy(p -> {
            assertThat(p.getWidth()).isEqualTo(64);
            assertThat(p.getHeight()).isEqualTo(96);
        });
        // the decoder draws detail inside each 8x8 cell; the linear fit upscaled would be flat there
        assertThat(distinctColoursInFirstCell(taesd.getLast())).isGreaterThan(1);

        assertThat(post(server, "/sdapi/v1/options", "{\"show_progress_type\":\"Approx cheap\"}").statusCode()).isEqualTo(200);
        assertThat(options(server).get("show_progress_type").asText()).isEqualTo("Approx cheap");
        List<BufferedImage> cheap = stepPreviews(server);
        assertThat(cheap).isNotEmpty().allSatisfy(p -> {
            assertThat(p.getWidth()).isEqualTo(8);
            assertThat(p.getHeight()).isEqualTo(12);
        });

        HttpResponse<String> full = post(server, "/sdapi/v1/options", "{\"show_progress_type\":\"Full\",\"CLIP_stop_at_last_layers\":2}");
        assertThat(full.statusCode()).isEqualTo(422);
        assertThat(full.body()).contains("show_progress_type", "Full", "Approx cheap, TAESD");
        assertThat(options(server).get("CLIP_stop_at_last_layers").asInt()).as("a bad value changes nothing").isEqualTo(1);
        assertThat(post(server, "/sdapi/v1/options", "{\"show_progress_type\":\"TAESD\"}").statusCode()).isEqualTo(200);
        assertThat(options(server).get("show_progress_type").asText()).isEqualTo("TAESD");
    }

    @Test
    void withoutADecoderTheLinearFitStays() throws Exception {
        AnimagineServer shared = TestServer.get().server;
        TestServer.get().awaitIdle();
        assertThat(shared.previews().taesd()).isEmpty();
        HttpResponse<String> r = TestServer.get().get("/sdapi/v1/options");
        assertThat(TestServer.json(r).get("show_progress_type").asText()).isEqualTo("Approx cheap");
        HttpResponse<String> taesd = TestServer.get().post("/sdapi/v1/options", "{\"show_progress_type\":\"TAESD\"}");
        assertThat(taesd.statusCode()).isEqualTo(422);
        assertThat(taesd.body()).contains("--taesd");
    }

    @Test
    void aBadTaesdFileStopsTheStartNamingIt() throws Exception {
        Path bad = dir.resolve("not-taesd.safetensors");
        Files.writeString(bad, "garbage that is no safetensors header");
        Path model = Fixtures.models().getFirst().resolve("diffusers");
        assertThatThrownBy(() -> new AnimagineServer(options().model(model).taesd(bad).build(), line -> {}))
                .isInstanceOf(AnimagineException.class)
                .hasMessageContaining(bad.toString())
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        Path missing = dir.resolve("absent.safetensors");
        assertThatThrownBy(() -> new AnimagineServer(options().model(model).taesd(missing).build(), line -> {}))
                .hasMessageContaining(missing.toString()).hasMessageContaining("not found");
    }

    private static int distinctColoursInFirstCell(BufferedImage image) {
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int y = 0; y < 8; y++) for (int x = 0; x < 8; x++) colours.add(image.getRGB(x, y));
        return colours.size();
    }

    /** Runs a 64x96 job and returns the previews of its step events. */
    private static List<BufferedImage> stepPreviews(AnimagineServer s) throws Exception {
        HttpResponse<String> accepted = post(s, "/api/v1/jobs", "{\"prompt\":\"1girl\",\"steps\":3,\"size\":\"64x96\",\"seed\":5}");
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String id = Json.MAPPER.readTree(accepted.body()).get("id").asText();
        HttpResponse<InputStream> r = HTTP.send(HttpRequest.newBuilder(uri(s, "/api/v1/jobs/" + id + "/events"))
                .timeout(Duration.ofSeconds(120)).header("Accept", "text/event-stream").GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        List<BufferedImage> previews = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String event = null, line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("event: ")) event = line.substring(7);
                else if (line.startsWith("data: ") && "step".equals(event)) {
                    JsonNode data = Json.MAPPER.readTree(line.substring(6));
                    String url = data.path("preview").asText("");
                    if (url.startsWith("data:image/png;base64,"))
                        previews.add(ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(url.substring(url.indexOf(',') + 1)))));
                }
            }
        }
        return previews;
    }

    private static JsonNode options(AnimagineServer s) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri(s, "/sdapi/v1/options")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return Json.MAPPER.readTree(r.body());
    }

    private static HttpResponse<String> post(AnimagineServer s, String path, String json) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri(s, path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(AnimagineServer s, String path) {
        return URI.create("http://127.0.0.1:" + s.port() + path);
    }
}
