package dev.animagine.server.webui;

import com.fasterxml.jackson.databind.JsonNode;
import dev.animagine.core.testing.Fixtures;
import dev.animagine.server.AnimagineServer;
import dev.animagine.server.ServerOptions;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;

/** A real server on the miniature model and the fixtures' LoRA folder, on a free loopback port. */
final class WebUiTestServer implements AutoCloseable {
    private final AnimagineServer server;

    private WebUiTestServer(AnimagineServer server) {
        this.server = server;
    }

    static WebUiTestServer start(Path outputs) throws IOException {
        Files.createDirectories(outputs);
        ServerOptions options = ServerOptions.builder()
                .model(Fixtures.path("models/A/diffusers"))
                .loraDir(Fixtures.path("lora"))
                .port(0)
                .outputs(outputs)
                .previewEvery(1)
                .warmUp(false)
                .build();
        return new WebUiTestServer(new AnimagineServer(options, line -> {}).start());
    }

    String url() {
        return "http://127.0.0.1:" + server.port();
    }

    /** Whether the server inpaints: a one-step 64x64 inpainting request through the A1111 API succeeds. */
    boolean supportsInpainting() throws IOException, InterruptedException {
        String white = Base64.getEncoder().encodeToString(png(0xffffff));
        String black = Base64.getEncoder().encodeToString(png(0x000000));
        String body = "{\"prompt\": \"probe\", \"steps\": 1, \"width\": 64, \"height\": 64, \"init_images\": [\"" + black
                + "\"], \"mask\": \"" + white + "\", \"denoising_strength\": 0.5, \"save_images\": false}";
        return post("/sdapi/v1/img2img", body).statusCode() == 200;
    }

    /** Whether the server runs A1111's hires fix: a one-step 64x64 txt2img with enable_hr succeeds. */
    boolean supportsHiresFix() throws IOException, InterruptedException {
        String body = "{\"prompt\": \"probe\", \"steps\": 1, \"width\": 64, \"height\": 64, \"enable_hr\": true, \"hr_scale\": 1.5, "
                + "\"hr_upscaler\": \"Latent (nearest-exact)\", \"denoising_strength\": 0.55, \"save_images\": false}";
        return post("/sdapi/v1/txt2img", body).statusCode() == 200;
    }

    private HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url() + path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Whether /sdapi/v1/loras gives each file's sd-scripts metadata, as A1111 does (training tags come from it). */
    boolean listsLoraMetadata() throws IOException, InterruptedException {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url() + "/sdapi/v1/loras")).build(),
                HttpResponse.BodyHandlers.ofString());
        for (JsonNode lora : new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body())) {
            if (lora.path("metadata").has("ss_tag_frequency")) return true;
        }
        return false;
    }

    private static byte[] png(int rgb) throws IOException {
        var image = new java.awt.image.BufferedImage(64, 64, java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 64; y++) for (int x = 0; x < 64; x++) image.setRGB(x, y, rgb);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        javax.imageio.ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    /** A LoRA file name (as A1111 lists it: the stem) and its most frequent training tag. */
    record LoraFixture(String name, String topTag) {}

    /** The first adapter of the LoRA fixtures that applies to the model and records training tags. */
    static LoraFixture loraWithTags() {
        JsonNode adapters = Fixtures.json("lora/index.json").path("adapters");
        for (Iterator<Map.Entry<String, JsonNode>> it = adapters.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode tags = e.getValue().path("tag_frequency_total");
            if ("apply".equals(e.getValue().path("expect").asText()) && tags.size() > 0) {
                String stem = e.getKey().replaceFirst("\\.safetensors$", "");
                return new LoraFixture(stem, tags.get(0).get(0).asText());
            }
        }
        throw new IllegalStateException("no LoRA fixture with training tags in lora/index.json");
    }

    @Override
    public void close() {
        server.close();
    }
}
