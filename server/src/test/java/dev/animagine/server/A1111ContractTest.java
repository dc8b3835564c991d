package dev.animagine.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Every /sdapi/v1 route on the miniature model: A1111's shapes, defaults and errors. */
class A1111ContractTest {
    static final TestServer S = TestServer.get();

    @BeforeEach
    void idle() {
        S.awaitIdle();
    }

    static JsonNode ok(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return TestServer.json(r);
    }

    static JsonNode error(HttpResponse<String> r, int status, String field) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        JsonNode e = TestServer.json(r);
        assertThat(e.fieldNames()).toIterable().contains("error", "detail", "body", "errors");
        assertThat(e.get("errors").asText()).startsWith(status + ": ");
        if (field != null) assertThat(e.get("detail").asText()).startsWith(field);
        return e;
    }

    @Test
    void batchSizeAndNIterNumberSeedsAsA1111AndEachImageEqualsItMadeAlone() throws Exception {
        JsonNode r = ok(S.post("/sdapi/v1/txt2img",
                "{\"prompt\":\"1girl\",\"seed\":50,\"steps\":2,\"width\":64,\"height\":64,\"batch_size\":2,\"n_iter\":2}"));
        assertThat(r.get("images")).hasSize(4);
        JsonNode info = Json.MAPPER.readTree(r.get("info").asText());
        assertThat(info.get("all_seeds")).extracting(JsonNode::asLong).containsExactly(50L, 51L, 52L, 53L);
        assertThat(info.get("batch_size").asInt()).isEqualTo(2);
        assertThat(info.get("infotexts").get(3).asText()).contains("Seed: 53,").doesNotContain("Batch");
        JsonNode alone = ok(S.post("/sdapi/v1/txt2img", "{\"prompt\":\"1girl\",\"seed\":52,\"steps\":2,\"width\":64,\"height\":64}"));
        // the same pixels and infotext: the same PNG
        assertThat(r.get("images").get(2).asText()).isEqualTo(alone.get("images").get(0).asText());
    }

    @Test
    void txt2imgAnswersImagesParametersAndInfoWithA1111Keys() {
        JsonNode r = ok(S.post("/sdapi/v1/txt2img",
                "{\"prompt\":\"1girl, solo\",\"negative_prompt\":\"lowres\",\"seed\":1234,\"steps\":2,\"width\":64,\"height\":64,"
                        + "\"batch_size\":2,\"sampler_name\":\"DPM++ 2M Karras\",\"alwayson_scripts\":{\"x\":{}},\"my_extension\":1}"));
        assertThat(r.get("images")).hasSize(2);
        JsonNode info = Json.MAPPER.valueToTree(Map.of());
        try {
            info = Json.MAPPER.readTree(r.get("info").asText());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        assertThat(info.fieldNames()).toIterable().contains("prompt", "all_prompts", "negative_prompt", "seed", "all_seeds", "subseed",
                "width", "height", "sampler_name", "cfg_scale", "steps", "batch_size", "sd_model_name", "sd_model_hash", "infotexts",
                "job_timestamp", "clip_skip", "version");
        assertThat(info.get("prompt").asText()).isEqualTo("1girl, solo"); // used as sent: no Animagine conventions by default
        assertThat(info.get("all_seeds").get(0).asLong()).isEqualTo(1234);
        assertThat(info.get("all_seeds").get(1).asLong()).isEqualTo(1235);
        assertThat(info.get("sampler_name").asText()).isEqualTo("DPM++ 2M");
        assertThat(info.get("extra_generation_params").get("Schedule type").asText()).isEqualTo("Karras");
        assertThat(info.get("cfg_scale").asDouble()).isEqualTo(7.0); // A1111's default
        assertThat(info.get("sd_model_name").asText()).isEqualTo(S.singleFileTitle.replace(".safetensors", ""));
        assertThat(info.get("notes").toString()).contains("my_extension", "alwayson_scripts");
        assertThat(r.get("parameters").get("steps").asInt()).isEqualTo(2);
        assertThat(r.get("parameters").get("n_iter").asInt()).isEqualTo(1); // defaults filled in

        byte[] png = Base64.getDecoder().decode(r.get("images").get(0).asText());
        String parameters = PngText.read(png).get("parameters");
        assertThat(parameters).startsWith("1girl, solo\nNegative prompt: lowres\n").contains("Seed: 1234", "Sampler: DPM++ 2M",
                "Schedule type: Karras", "Size: 64x64");
        assertThat(info.get("infotexts").get(0).asText()).isEqualTo(parameters);

        // png-info reads it back
        JsonNode pngInfo = ok(S.post("/sdapi/v1/png-info", "{\"image\":\"data:image/png;base64," + r.get("images").get(0).asText() + "\"}"));
        assertThat(pngInfo.get("info").asText()).isEqualTo(parameters);
        assertThat(pngInfo.get("parameters").get("Seed").asText()).isEqualTo("1234");
        assertThat(pngInfo.get("parameters").get("Negative prompt").asText()).isEqualTo("lowres");
    }

    @Test
    void animagineConventionsAreOptIn() {
        JsonNode r = ok(S.post("/sdapi/v1/txt2img", "{\"prompt\":\"1girl\",\"steps\":1,\"width\":64,\"height\":64,\"send_images\":false,"
                + "\"animagine\":{\"rating\":\"general\"}}"));
        assertThat(r.get("images")).isEmpty();
        String prompt = TestServer.json(new Fake(r.get("info").asText())).get("prompt").asText();
        assertThat(prompt).startsWith("1girl").contains("safe", "masterpiece");
    }

    @Test
    void aListedLoraInThePromptIsAppliedAndRecorded() {
        JsonNode r = ok(S.post("/sdapi/v1/txt2img", "{\"prompt\":\"1girl <lora:style_lora:0.8>\",\"steps\":1,\"width\":64,\"height\":64}"));
        String parameters = TestServer.json(new Fake(r.get("info").asText())).get("infotexts").get(0).asText();
        assertThat(parameters).contains("<lora:style_lora:0.8>").contains("Lora hashes: \"style_lora: ");
    }

    @Test
    void unsupportedFeaturesAnswer422NamingTheField() {
        error(S.post("/sdapi/v1/txt2img", "{\"prompt\":\"a\",\"enable_hr\":true,\"hr_upscaler\":\"R-ESRGAN 4x+\",\"steps\":1}"), 422, "hr_upscaler");
        error(S.post("/sdapi/v1/txt2img", "{\"prompt\":\"a <hypernet:style_lora:0.8>\",\"steps\":1}"), 422, "prompt");
        error(S.post("/sdapi/v1/txt2img", "{\"prompt\":\"a <lora:no_such_lora:1>\",\"steps\":1}"), 404, "prompt");
        error(S.post("/sdapi/v1/txt2img", "{\"prompt\":\"a <lora:../../etc/passwd:1>\",\"steps\":1}"), 400, "prompt");
        error(S.post("/sdapi/v1/txt2img", "{\"prompt\":\"a\",\"infotext\":\"a\\nSteps: 20\"}"), 422, "infotext");
        error(S.post("/sdapi/v1/txt2img", "{\"prompt\":\"a\",\"script_name\":\"x/y/z plot\"}"), 422, "script_name");
        String png = Base64.getEncoder().encodeToString(tinyPng(8, 8));
        error(S.post("/sdapi/v1/img2img", "{\"prompt\":\"a\",\"init_images\":[\"" + png + "\"],\"resize_mode\":4}"), 422, "resize_mode");
    }

    @Test
    void limitsAndBadValuesAnswerClear4xx() {
        error(S.post("/sdapi/v1/txt2img", "{\"steps\":100000}"), 422, "steps");
        error(S.post("/sdapi/v1/txt2img", "{\"width\":100,\"height\":64}"), 422, "width");
        error(S.post("/sdapi/v1/txt2img", "{\"width\":8192,\"height\":64}"), 422, "width");
        error(S.post("/sdapi/v1/txt2img", "{\"batch_size\":8,\"n_iter\":8}"), 422, "batch_size");
        error(S.post("/sdapi/v1/txt2img", "{\"prompt\":\"" + "a".repeat(Limits.DEFAULT.maxPromptChars() + 1) + "\"}"), 422, "prompt");
        error(S.post("/sdapi/v1/txt2img", "{\"sampler_name\":\"DPM++ 3M SDE Exotic\"}"), 422, "sampler_name");
        error(S.post("/sdapi/v1/txt2img", "{\"sampler_name\":\"Euler a\",\"scheduler\":\"Karras Exotic\"}"), 422, "scheduler");
        error(S.post("/sdapi/v1/txt2img", "{\"steps\":\"many\"}"), 422, "steps");
        error(S.post("/sdapi/v1/txt2img", "{\"prompt\": [1,2]}"), 422, "prompt");
        error(S.post("/sdapi/v1/txt2img", "{not json"), 400, null);
        error(S.post("/sdapi/v1/txt2img", "[1]"), 400, null);
        error(S.post("/sdapi/v1/txt2img", "{\"steps\":1}}"), 400, null); // trailing garbage
        // images: base64 validity, URLs refused, pixel count read from the header before decoding
        error(S.post("/sdapi/v1/img2img", "{\"init_images\":[\"***not base64***\"]}"), 400, "init_images[0]");
        error(S.post("/sdapi/v1/img2img", "{\"init_images\":[\"http://127.0.0.1/x.png\"]}"), 422, "init_images[0]");
        error(S.post("/sdapi/v1/img2img", "{\"init_images\":[\"" + Base64.getEncoder().encodeToString(pngHeader(50_000, 50_000)) + "\"]}"),
                413, "init_images[0]");
        error(S.post("/sdapi/v1/png-info", "{\"image\":\"" + Base64.getEncoder().encodeToString("GIF89a-not-really".getBytes()) + "\"}"),
                400, "image");
        // the model is named among the listed ones only
        error(S.post("/sdapi/v1/txt2img", "{\"override_settings\":{\"sd_model_checkpoint\":\"/etc/passwd\"}}"), 400,
                "override_settings.sd_model_checkpoint");
        error(S.post("/sdapi/v1/options", "{\"sd_model_checkpoint\":\"../models/x.safetensors\"}"), 400, "sd_model_checkpoint");
        error(S.post("/sdapi/v1/options", "{\"sd_model_checkpoint\":\"nope.safetensors\"}"), 404, "sd_model_checkpoint");
    }

    @Test
    void bodyLargerThanTheLimitIs413BeforeItIsRead() throws Exception {
        // only the headers are sent: the answer must come from Content-Length alone
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", S.server.port())) {
            socket.setSoTimeout(20_000);
            String head = "POST /sdapi/v1/txt2img HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + TestServer.basic(TestServer.USER, TestServer.PASSWORD)
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + (Limits.DEFAULT.maxBodyBytes() + 1) + "\r\n\r\n";
            socket.getOutputStream().write(head.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String status = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream())).readLine();
            assertThat(status).startsWith("HTTP/1.1 413");
        }
    }

    @Test
    void listsHaveA1111Shapes() {
        JsonNode models = ok(S.get("/sdapi/v1/sd-models"));
        assertThat(models.size()).isEqualTo(3);
        for (JsonNode m : models) assertThat(m.fieldNames()).toIterable().contains("title", "model_name", "hash", "sha256", "filename", "config");
        assertThat(models.toString()).doesNotContain(S.dir.toString()); // no server paths leak
        JsonNode samplers = ok(S.get("/sdapi/v1/samplers"));
        List<String> names = new ArrayList<>();
        samplers.forEach(s -> names.add(s.get("name").asText()));
        assertThat(names).contains("Euler a", "Euler", "DPM++ 2M", "DDIM", "UniPC");
        assertThat(samplers.get(0).has("aliases")).isTrue();
        JsonNode schedulers = ok(S.get("/sdapi/v1/schedulers"));
        assertThat(schedulers.findValuesAsText("label")).contains("Automatic", "Karras");
        assertThat(ok(S.get("/sdapi/v1/upscalers")).get(0).get("name").asText()).isEqualTo("None");
        assertThat(ok(S.get("/sdapi/v1/latent-upscale-modes")).findValuesAsText("name")).containsExactly("Latent", "Latent (antialiased)",
                "Latent (bicubic)", "Latent (bicubic antialiased)", "Latent (nearest)", "Latent (nearest-exact)");
        JsonNode loras = ok(S.get("/sdapi/v1/loras"));
        assertThat(loras.get(0).get("name").asText()).isEqualTo("style_lora");
        assertThat(loras.get(0).fieldNames()).toIterable().contains("name", "alias", "path", "metadata");
        assertThat(ok(S.get("/sdapi/v1/sd-vae")).isArray()).isTrue();
        assertThat(ok(S.get("/sdapi/v1/prompt-styles")).isArray()).isTrue();
        assertThat(ok(S.get("/sdapi/v1/embeddings")).fieldNames()).toIterable().contains("loaded", "skipped");
        assertThat(ok(S.get("/sdapi/v1/memory")).get("ram").get("total").asLong()).isPositive();
        JsonNode flags = ok(S.get("/sdapi/v1/cmd-flags"));
        assertThat(flags.get("api").asBoolean()).isTrue();
        assertThat(flags.get("nowebui").asBoolean()).isFalse();
        assertThat(flags.toString()).doesNotContain(TestServer.PASSWORD);
        assertThat(S.post("/sdapi/v1/refresh-checkpoints", "").statusCode()).isEqualTo(200);
        assertThat(S.post("/sdapi/v1/refresh-loras", "").statusCode()).isEqualTo(200);
        assertThat(S.post("/sdapi/v1/refresh-vae", "").statusCode()).isEqualTo(200);
    }

    @Test
    void unknownRoutesAre404WithA1111sShape() {
        JsonNode e = error(S.get("/sdapi/v1/no-such-route"), 404, null);
        assertThat(e.get("detail").asText()).isEqualTo("Not Found");
        error(S.get("/nothing/here"), 404, null);
    }

    @Test
    void optionsRoundTripAndModelSwitch() {
        JsonNode o = ok(S.get("/sdapi/v1/options"));
        assertThat(o.fieldNames()).toIterable().contains("sd_model_checkpoint", "samples_format", "CLIP_stop_at_last_layers");
        assertThat(o.get("samples_format").asText()).isEqualTo("png");
        String before = o.get("sd_model_checkpoint").asText();
        assertThat(before).isEqualTo(S.singleFileTitle);
        try {
            // any dict is accepted; known keys applied, others kept for the round trip
            ok(S.post("/sdapi/v1/options", "{\"sd_model_checkpoint\":\"" + S.folderTitle + " [0123456789]\",\"CLIP_stop_at_last_layers\":2,"
                    + "\"some_ui_setting\":[1,2],\"eta_noise_seed_delta\":0}"));
            JsonNode after = ok(S.get("/sdapi/v1/options"));
            assertThat(after.get("sd_model_checkpoint").asText()).isEqualTo(S.folderTitle);
            assertThat(after.get("CLIP_stop_at_last_layers").asInt()).isEqualTo(2);
            assertThat(after.get("some_ui_setting").toString()).isEqualTo("[1,2]");
            JsonNode r = ok(S.post("/sdapi/v1/txt2img", "{\"prompt\":\"x\",\"steps\":1,\"width\":64,\"height\":64}"));
            JsonNode info = TestServer.json(new Fake(r.get("info").asText()));
            assertThat(info.get("sd_model_name").asText()).isEqualTo(S.folderTitle);
            assertThat(info.get("clip_skip").asInt()).isEqualTo(2);
        } finally {
            ok(S.post("/sdapi/v1/options", "{\"sd_model_checkpoint\":\"" + before + "\",\"CLIP_stop_at_last_layers\":1}"));
        }
    }

    @Test
    void aJobThatFailsReturnsJsonAndTheServerGoesOn() {
        HttpResponse<String> r = S.post("/sdapi/v1/txt2img",
                "{\"prompt\":\"x\",\"steps\":1,\"width\":64,\"height\":64,\"override_settings\":{\"sd_model_checkpoint\":\"zz-broken\"}}");
        assertThat(r.statusCode()).as(r.body()).isGreaterThanOrEqualTo(400);
        String detail = TestServer.json(r).get("detail").asText();
        assertThat(detail).startsWith("sd_model_checkpoint: cannot open 'zz-broken.safetensors'").doesNotContain(S.dir.toString());
        ok(S.post("/sdapi/v1/txt2img", "{\"prompt\":\"x\",\"steps\":1,\"width\":64,\"height\":64}"));
    }

    @Test
    void progressInterruptAndSkip() throws Exception {
        JsonNode idle = ok(S.get("/sdapi/v1/progress"));
        assertThat(idle.fieldNames()).toIterable().contains("progress", "eta_relative", "state", "current_image", "textinfo");
        assertThat(idle.get("state").fieldNames()).toIterable().contains("job", "job_count", "job_no", "sampling_step", "sampling_steps",
                "interrupted", "skipped");
        var call = java.util.concurrent.CompletableFuture.supplyAsync(() -> S.post("/sdapi/v1/txt2img",
                "{\"prompt\":\"x\",\"steps\":150,\"width\":64,\"height\":64,\"force_task_id\":\"task-interrupt\"}"));
        JsonNode p = awaitStep("task-interrupt", 2);
        assertThat(p.get("progress").asDouble()).isBetween(0.0, 1.0);
        assertThat(p.get("state").get("sampling_steps").asInt()).isEqualTo(150);
        assertThat(p.get("current_image").asText()).isNotEmpty(); // the live preview
        assertThat(p.get("current_task").asText()).isEqualTo("task-interrupt");
        // A1111's own UI polls the task by its id
        JsonNode task = ok(S.post("/internal/progress", "{\"id_task\":\"task-interrupt\",\"id_live_preview\":-1,\"live_preview\":true}"));
        assertThat(task.get("active").asBoolean()).isTrue();
        assertThat(task.get("completed").asBoolean()).isFalse();
        assertThat(task.get("progress").asDouble()).isBetween(0.0, 1.0);
        assertThat(task.get("live_preview").asText()).startsWith("data:image/png;base64,");
        JsonNode unknown = ok(S.post("/internal/progress", "{\"id_task\":\"nobody\"}"));
        assertThat(unknown.get("active").asBoolean()).isFalse();
        assertThat(unknown.get("completed").asBoolean()).isFalse();
        long t0 = System.nanoTime();
        assertThat(S.post("/sdapi/v1/interrupt", "").statusCode()).isEqualTo(200);
        HttpResponse<String> r = call.get(60, java.util.concurrent.TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(TestServer.json(r).get("images")).isEmpty(); // stopped before the VAE decode, nothing saved
        assertThat(seconds).isLessThan(10);
        assertThat(S.server.queue().find("task-interrupt").orElseThrow().state()).isEqualTo(Job.State.CANCELLED);
        assertThat(ok(S.post("/internal/progress", "{\"id_task\":\"task-interrupt\"}")).get("completed").asBoolean()).isTrue();

        // skip ends the current image of a batch, the next one is made
        var batch = java.util.concurrent.CompletableFuture.supplyAsync(() -> S.post("/sdapi/v1/txt2img",
                "{\"prompt\":\"x\",\"steps\":150,\"n_iter\":2,\"width\":64,\"height\":64,\"force_task_id\":\"task-skip\"}"));
        awaitStep("task-skip", 1);
        assertThat(S.post("/sdapi/v1/skip", "").statusCode()).isEqualTo(200);
        JsonNode done = TestServer.json(batch.get(120, java.util.concurrent.TimeUnit.SECONDS));
        assertThat(done.get("images")).hasSize(1);
    }

    static JsonNode awaitStep(String task, int step) throws InterruptedException {
        for (int i = 0; i < 6000; i++) {
            JsonNode p = ok(S.get("/sdapi/v1/progress?id_task=" + task));
            if (p.get("state").get("sampling_step").asInt() >= step) return p;
            Thread.sleep(10);
        }
        throw new AssertionError("job " + task + " did not reach step " + step);
    }

    /** A 1-bit PNG of the given size. */
    static byte[] tinyPng(int w, int h) {
        try {
            var image = new java.awt.image.BufferedImage(w, h, java.awt.image.BufferedImage.TYPE_INT_RGB);
            var out = new java.io.ByteArrayOutputStream();
            javax.imageio.ImageIO.write(image, "png", out);
            return out.toByteArray();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Only a PNG signature and IHDR claiming a huge size: must be refused from the header alone. */
    static byte[] pngHeader(int w, int h) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + 25 + 12);
        b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        b.putInt(13).put("IHDR".getBytes()).putInt(w).putInt(h).put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(b.array(), 12, 17);
        b.putInt((int) crc.getValue());
        b.putInt(0).put("IEND".getBytes()).putInt(0xAE426082);
        return b.array();
    }

    /** A string body as a response, to reuse the JSON helper. */
    record Fake(String body) implements HttpResponse<String> {
        public int statusCode() { return 200; }
        public java.net.http.HttpRequest request() { return null; }
        public java.util.Optional<HttpResponse<String>> previousResponse() { return java.util.Optional.empty(); }
        public java.net.http.HttpHeaders headers() { return null; }
        public java.util.Optional<javax.net.ssl.SSLSession> sslSession() { return java.util.Optional.empty(); }
        public java.net.URI uri() { return null; }
        public java.net.http.HttpClient.Version version() { return null; }
    }
}
