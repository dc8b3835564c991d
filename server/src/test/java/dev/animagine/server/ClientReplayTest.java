package dev.animagine.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The request sequences three A1111 clients send, replayed against the server and checked the way
 * each client reads the answers. Image sizes and step counts are made tiny (the clients' own
 * values are in comments) so that the miniature model answers quickly; every field name and the
 * order of calls are the clients'.
 */
class ClientReplayTest {
    static final TestServer S = TestServer.get();

    @BeforeEach
    void idle() {
        S.awaitIdle();
    }

    static JsonNode ok(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return TestServer.json(r);
    }

    /**
     * SillyTavern (src/endpoints/stable-diffusion.js): ping via options, samplers, schedulers,
     * models (title), upscalers + latent modes, VAEs (sd-vae and Forge's sd-modules), current model,
     * set model then poll progress until progress is 0 and job_count 0, generate (options first,
     * then the UI's body, which also carries url and auth), abort with interrupt.
     */
    @Test
    void sillyTavern() throws Exception {
        ok(S.get("/sdapi/v1/options")); // ping
        List<String> samplers = ok(S.get("/sdapi/v1/samplers")).findValuesAsText("name");
        assertThat(samplers).isNotEmpty();
        assertThat(ok(S.get("/sdapi/v1/schedulers")).findValuesAsText("name")).isNotEmpty();
        List<String> titles = ok(S.get("/sdapi/v1/sd-models")).findValuesAsText("title");
        List<String> upscalers = new ArrayList<>(ok(S.get("/sdapi/v1/upscalers")).findValuesAsText("name"));
        upscalers.addAll(ok(S.get("/sdapi/v1/latent-upscale-modes")).findValuesAsText("name"));
        assertThat(upscalers).contains("None");
        // VAEs: A1111's route and Forge's, in parallel; the first that answers is used
        assertThat(ok(S.get("/sdapi/v1/sd-vae")).isArray()).isTrue();
        assertThat(S.get("/sdapi/v1/sd-modules").statusCode()).isEqualTo(404);
        String current = ok(S.get("/sdapi/v1/options")).get("sd_model_checkpoint").asText();
        assertThat(titles).contains(current);

        String other = titles.stream().filter(t -> !t.equals(current) && !t.contains("broken")).findFirst().orElseThrow();
        try {
            ok(S.post("/sdapi/v1/options", Json.write(Json.object().put("sd_model_checkpoint", other))));
            JsonNode progress = null;
            for (int i = 0; i < 100; i++) {
                progress = ok(S.get("/sdapi/v1/progress"));
                if (progress.get("progress").asDouble() == 0.0 && progress.get("state").get("job_count").asInt() == 0) break;
                Thread.sleep(50);
            }
            assertThat(progress.get("progress").asDouble()).isZero();
            // generate: options first (Forge check: no forge_preset), then the UI's body as sent, with url and auth in it
            assertThat(ok(S.get("/sdapi/v1/options")).has("forge_preset")).isFalse();
            ObjectNode body = Json.object();
            body.put("url", "http://127.0.0.1:" + S.server.port());
            body.put("auth", TestServer.USER + ":" + TestServer.PASSWORD);
            body.put("prompt", "1girl, solo, smile");
            body.put("negative_prompt", "lowres, bad anatomy");
            body.put("sampler_name", samplers.getFirst());
            body.put("scheduler", "Automatic");
            body.put("steps", 2); // SillyTavern default 20
            body.put("cfg_scale", 7);
            body.put("width", 64); // 512
            body.put("height", 64);
            body.put("restore_faces", false);
            body.put("enable_hr", false);
            body.put("hr_upscaler", upscalers.getFirst());
            body.put("hr_scale", 2);
            body.putNull("hr_additional_modules");
            body.put("denoising_strength", 0.7);
            body.put("hr_second_pass_steps", 0);
            body.put("seed", -1);
            body.putObject("override_settings").put("CLIP_stop_at_last_layers", 1);
            body.put("clip_skip", 1);
            body.put("override_settings_restore_afterwards", true);
            body.put("save_images", false);
            body.put("send_images", true);
            body.put("do_not_save_grid", false);
            body.put("do_not_save_samples", false);
            JsonNode r = ok(S.post("/sdapi/v1/txt2img", Json.write(body)));
            byte[] png = Base64.getDecoder().decode(r.get("images").get(0).asText());
            assertThat(png).startsWith(0x89, 'P', 'N', 'G');
            JsonNode info = Json.MAPPER.readTree(r.get("info").asText());
            assertThat(info.get("sd_model_name").asText()).isEqualTo(ModelCatalog.stem(other));

            // abort: SillyTavern posts interrupt when the user stops a generation
            body.put("steps", 150);
            CompletableFuture<HttpResponse<String>> running = CompletableFuture.supplyAsync(() -> S.post("/sdapi/v1/txt2img", Json.write(body)));
            while (S.server.queue().running().map(j -> j.step).orElse(0) < 1) Thread.sleep(5);
            ok(S.post("/sdapi/v1/interrupt", ""));
            assertThat(running.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        } finally {
            ok(S.post("/sdapi/v1/options", Json.write(Json.object().put("sd_model_checkpoint", current))));
        }
    }

    /**
     * Open WebUI (backend/open_webui/routers/images.py): verify with GET options; models from
     * sd-models as {id: title, name: model_name}; set the model by posting back the whole options
     * dict with sd_model_checkpoint changed; generate with prompt/batch_size/width/height/steps/
     * negative_prompt plus the admin's AUTOMATIC1111_PARAMS; read images[] and info.
     */
    @Test
    void openWebUi() throws Exception {
        ok(S.get("/sdapi/v1/options"));
        JsonNode models = ok(S.get("/sdapi/v1/sd-models"));
        String id = models.get(0).get("title").asText();
        assertThat(models.get(0).get("model_name").asText()).isNotBlank();
        ObjectNode options = (ObjectNode) ok(S.get("/sdapi/v1/options"));
        String before = options.get("sd_model_checkpoint").asText();
        String target = models.findValuesAsText("title").stream().filter(t -> !t.equals(before) && !t.contains("broken")).findFirst().orElseThrow();
        options.put("sd_model_checkpoint", target);
        try {
            assertThat(S.post("/sdapi/v1/options", Json.write(options)).statusCode()).isEqualTo(200);
            assertThat(ok(S.get("/sdapi/v1/options")).get("sd_model_checkpoint").asText()).isEqualTo(target);
            ObjectNode data = Json.object();
            data.put("prompt", "a cat sitting on a windowsill");
            data.put("batch_size", 2);
            data.put("width", 64); // Open WebUI default 512x512
            data.put("height", 64);
            data.put("steps", 2); // IMAGE_STEPS, default 50
            data.put("negative_prompt", "blurry");
            data.put("cfg_scale", 7); // AUTOMATIC1111_PARAMS an admin may add
            data.put("sampler_name", "Euler a");
            data.put("scheduler", "Automatic");
            data.put("CLIP_stop_at_last_layers", 2);
            HttpResponse<String> r = S.send(S.request("/sdapi/v1/txt2img").header("authorization", TestServer.basic(TestServer.USER, TestServer.PASSWORD))
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(Json.write(data))).header("Content-Type", "application/json").build());
            JsonNode res = ok(r);
            assertThat(res.get("images")).hasSize(2);
            for (JsonNode image : res.get("images")) assertThat(Base64.getDecoder().decode(image.asText())).startsWith(0x89, 'P', 'N', 'G');
            assertThat(Json.MAPPER.readTree(res.get("info").asText()).get("all_seeds")).hasSize(2);
        } finally {
            ok(S.post("/sdapi/v1/options", Json.write(Json.object().put("sd_model_checkpoint", before))));
        }
        assertThat(id).isNotBlank();
    }

    /**
     * LibreChat's stable-diffusion tool (api/app/clients/tools/structured/StableDiffusion.js):
     * txt2img with prompt, negative_prompt, cfg_scale 4.5, steps 22, 1024x1024; reads images[0]
     * and info (height, width, seed, infotexts[0]); the plugin version then posts the image as a
     * data: URL to png-info and reads info.
     */
    @Test
    void libreChat() throws Exception {
        ObjectNode payload = Json.object();
        payload.put("prompt", "photo of a man in black clothes, half body, coastline, overcast weather");
        payload.put("negative_prompt", "semi-realistic, cgi, 3d, render, sketch, cartoon");
        payload.put("cfg_scale", 4.5);
        payload.put("steps", 2); // 22
        payload.put("width", 64); // 1024
        payload.put("height", 64);
        JsonNode r = ok(S.post("/sdapi/v1/txt2img", Json.write(payload)));
        String image = r.get("images").get(0).asText();
        JsonNode info = Json.MAPPER.readTree(r.get("info").asText());
        assertThat(info.get("height").asInt()).isEqualTo(64);
        assertThat(info.get("width").asInt()).isEqualTo(64);
        assertThat(info.get("seed").asLong()).isNotNegative();
        String generationInfo = info.get("infotexts").get(0).asText().lines().reduce((a, b) -> b).orElseThrow();
        assertThat(generationInfo).contains("CFG scale: 4.5", "Seed: " + info.get("seed").asLong());
        JsonNode pngInfo = ok(S.post("/sdapi/v1/png-info", Json.write(Json.object().put("image", "data:image/png;base64," + image))));
        assertThat(pngInfo.get("info").asText()).isEqualTo(info.get("infotexts").get(0).asText());
    }
}
