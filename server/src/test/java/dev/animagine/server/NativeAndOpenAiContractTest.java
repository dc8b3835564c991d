package dev.animagine.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The native job API, the OpenAI images API, authentication and CORS on the miniature model. */
class NativeAndOpenAiContractTest {
    static final TestServer S = TestServer.get();

    @BeforeEach
    void idle() {
        S.awaitIdle();
    }

    static JsonNode status(HttpResponse<String> r, int status) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        return TestServer.json(r);
    }

    @Test
    void jobAnswersAtOnceThenStreamsProgressPreviewsAndImageUrls() throws Exception {
        JsonNode accepted = status(S.post("/api/v1/jobs", "{\"prompt\":\"1girl\",\"steps\":4,\"size\":\"64x64\",\"seed\":7,\"batch_count\":2}"), 202);
        String id = accepted.get("id").asText();
        assertThat(accepted.get("position").asInt()).isGreaterThanOrEqualTo(0);
        List<String[]> events = sse("/api/v1/jobs/" + id + "/events");
        List<String> types = events.stream().map(e -> e[0]).toList();
        assertThat(types.getFirst()).isEqualTo("state");
        assertThat(types.getLast()).isEqualTo("done");
        // a job that finished before the stream opened still gets its state and its end
        JsonNode job = status(S.get("/api/v1/jobs/" + id), 200);
        assertThat(job.get("state").asText()).isEqualTo("done");
        assertThat(job.get("final_prompt").asText()).startsWith("1girl").contains("masterpiece"); // native: conventions on
        assertThat(job.get("images")).hasSize(2);
        assertThat(job.get("images").get(1).get("seed").asLong()).isEqualTo(8);
        String url = job.get("images").get(0).get("url").asText();
        HttpResponse<byte[]> image = S.http.send(S.request(url).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(image.statusCode()).isEqualTo(200);
        assertThat(image.headers().firstValue("Content-Type")).hasValue("image/png");
        assertThat(PngText.read(image.body()).get("parameters")).contains("Seed: 7");
        if (types.contains("step")) {
            String step = events.stream().filter(e -> e[0].equals("step")).findFirst().orElseThrow()[1];
            assertThat(step).contains("\"eta_seconds\"", "\"preview\":\"data:image/png;base64,");
        }
        // saved images: numbered A1111-style, one number per file, nothing overwritten
        try (var files = java.nio.file.Files.list(S.outputs)) {
            List<String> names = files.map(p -> p.getFileName().toString()).toList();
            assertThat(names).isNotEmpty().allMatch(n -> n.matches("\\d{5}-\\d+\\.png"));
            assertThat(names.stream().map(n -> n.substring(0, 5)).distinct().count()).isEqualTo(names.size());
        }
        // listed
        JsonNode list = status(S.get("/api/v1/jobs"), 200);
        assertThat(list.get("jobs").findValuesAsText("id")).contains(id);
        assertThat(list.get("queue").get("capacity").asInt()).isEqualTo(TestServer.QUEUE);
    }

    @Test
    void liveEventsOfARunningJob() throws Exception {
        String id = status(S.post("/api/v1/jobs", "{\"prompt\":\"x\",\"steps\":30,\"size\":\"64x64\"}"), 202).get("id").asText();
        List<String[]> events = sse("/api/v1/jobs/" + id + "/events");
        List<String> types = events.stream().map(e -> e[0]).toList();
        assertThat(types).contains("step", "image", "done");
        String step = events.stream().filter(e -> e[0].equals("step")).findFirst().orElseThrow()[1];
        assertThat(step).contains("\"eta_seconds\"", "\"preview\":\"data:image/png;base64,");
        String image = events.stream().filter(e -> e[0].equals("image")).findFirst().orElseThrow()[1];
        assertThat(image).contains("\"url\":\"/api/v1/images/");
    }

    @Test
    void deleteCancelsThatJobOnly() throws Exception {
        String first = status(S.post("/api/v1/jobs", "{\"prompt\":\"x\",\"steps\":40,\"size\":\"64x64\"}"), 202).get("id").asText();
        JsonNode second = status(S.post("/api/v1/jobs", "{\"prompt\":\"y\",\"steps\":2,\"size\":\"64x64\"}"), 202);
        assertThat(second.get("position").asInt()).isEqualTo(1);
        JsonNode cancelled = status(S.delete("/api/v1/jobs/" + second.get("id").asText()), 200);
        assertThat(cancelled.get("state").asText()).isEqualTo("cancelled");
        S.server.queue().find(first).orElseThrow().finished().get(120, TimeUnit.SECONDS);
        assertThat(status(S.get("/api/v1/jobs/" + first), 200).get("state").asText()).isEqualTo("done");
        status(S.delete("/api/v1/jobs/no-such-job"), 404);
        // and a running one stops within an evaluation
        String running = status(S.post("/api/v1/jobs", "{\"prompt\":\"x\",\"steps\":150,\"size\":\"64x64\"}"), 202).get("id").asText();
        Job job = S.server.queue().find(running).orElseThrow();
        while (job.step < 1) Thread.sleep(5);
        status(S.delete("/api/v1/jobs/" + running), 200);
        job.finished().get(30, TimeUnit.SECONDS);
        assertThat(job.state()).isEqualTo(Job.State.CANCELLED);
        assertThat(job.images()).isEmpty();
    }

    @Test
    void nativeRequestsAreChecked() {
        status(S.post("/api/v1/jobs", "{\"prompt\":\"x\",\"stepz\":3}"), 422);
        status(S.post("/api/v1/jobs", "{\"prompt\":\"x\",\"size\":\"63x64\"}"), 422);
        status(S.post("/api/v1/jobs", "{\"prompt\":\"x\",\"sampler\":\"nope\"}"), 422);
        status(S.post("/api/v1/jobs", "{\"prompt\":\"x\",\"model\":\"../../x\"}"), 400);
        status(S.post("/api/v1/jobs", "{\"prompt\":\"x\",\"animagine\":{\"rating\":\"spicy\"}}"), 422);
        assertThat(status(S.post("/api/v1/jobs", "{\"prompt\":\"x\",\"batch_size\":0}"), 422).toString()).contains("batch_size");
        assertThat(status(S.post("/api/v1/jobs", "{\"prompt\":\"x\",\"batch_size\":4,\"batch_count\":16}"), 422).toString()).contains("batch_size");
        for (String bad : List.of("..%2F..%2Fetc%2Fpasswd", "%2Fetc%2Fpasswd.png", "x.txt", "..png")) {
            int code = S.get("/api/v1/images/" + bad).statusCode();
            assertThat(code).as(bad).isIn(400, 404);
        }
        status(S.get("/api/v1/images/99999-1.png"), 404);
    }

    @Test
    void promptPreviewAndModelFacts() {
        JsonNode p = status(S.post("/api/v1/prompt", "{\"prompt\":\"1girl, solo\",\"animagine\":{\"rating\":\"general\",\"year\":2020}}"), 200);
        assertThat(p.get("prompt").asText()).startsWith("1girl").contains("safe", "year 2020", "masterpiece");
        assertThat(p.get("negative_prompt").asText()).contains("lowres");
        assertThat(p.get("width").asInt()).isEqualTo(832);
        assertThat(p.get("height").asInt()).isEqualTo(1216);
        assertThat(p.get("token_counts").get("prompt").asInt()).isPositive();
        assertThat(p.get("warnings").isArray()).isTrue();
        JsonNode m = status(S.get("/api/v1/model"), 200);
        assertThat(m.get("animagine_version").asText()).isEqualTo("4.0"); // from the file name
        assertThat(m.get("trained_resolutions").size()).isGreaterThan(3);
        assertThat(m.get("title").asText()).isEqualTo(S.singleFileTitle);
    }

    @Test
    void openAiGenerationsAndModels() throws Exception {
        JsonNode r = status(S.post("/v1/images/generations",
                "{\"model\":\"dall-e-3\",\"prompt\":\"a cat\",\"n\":2,\"size\":\"64x64\",\"response_format\":\"b64_json\",\"quality\":\"hd\",\"steps\":2}"), 200);
        assertThat(r.get("created").asLong()).isPositive();
        assertThat(r.get("data")).hasSize(2); // n images in one batch
        byte[] png = Base64.getDecoder().decode(r.get("data").get(0).get("b64_json").asText());
        assertThat(javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(png)).getWidth()).isEqualTo(64);
        assertThat(r.get("data").get(0).get("revised_prompt").asText()).isEqualTo("a cat");
        JsonNode u = status(S.post("/v1/images/generations", "{\"prompt\":\"a dog\",\"size\":\"64x64\",\"response_format\":\"url\",\"steps\":1}"), 200);
        String url = u.get("data").get(0).get("url").asText();
        assertThat(url).startsWith("http://");
        assertThat(S.send(S.request(url.substring(url.indexOf("/api/"))).build()).statusCode()).isEqualTo(200);
        JsonNode err = status(S.post("/v1/images/generations", "{\"prompt\":\"a\",\"size\":\"big\"}"), 422);
        assertThat(err.get("error").get("message").asText()).startsWith("size");
        assertThat(err.get("error").get("type").asText()).isEqualTo("invalid_request_error");
        status(S.post("/v1/images/generations", "{\"size\":\"64x64\"}"), 400);
        status(S.post("/v1/images/generations", "{\"prompt\":\"a\",\"model\":\"not-listed\"}"), 404);
        JsonNode models = status(S.get("/v1/models"), 200);
        assertThat(models.get("object").asText()).isEqualTo("list");
        assertThat(models.get("data").findValuesAsText("id")).contains(S.singleFileTitle);
        // edits: a bad mask (no alpha) is refused naming it; Img2ImgContractTest runs real edits
        String boundary = "----animagine";
        byte[] image = A1111ContractTest.tinyPng(16, 16);
        var body = new java.io.ByteArrayOutputStream();
        body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"prompt\"\r\n\r\nmake it red\r\n").getBytes());
        body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n").getBytes());
        body.write(image);
        body.write(("\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"mask\"; filename=\"m.png\"\r\nContent-Type: image/png\r\n\r\n").getBytes());
        body.write(image);
        body.write(("\r\n--" + boundary + "--\r\n").getBytes());
        HttpResponse<String> edit = S.send(S.request("/v1/images/edits").header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build());
        assertThat(edit.statusCode()).as(edit.body()).isEqualTo(400);
        assertThat(TestServer.json(edit).get("error").get("param").asText()).isEqualTo("mask");
    }

    @Test
    void basicAuthOnEveryRouteAndCorsForAllowedOriginsOnly() {
        for (String path : List.of("/sdapi/v1/loras", "/sdapi/v1/options", "/api/v1/jobs", "/api/v1/images/00000-1.png", "/v1/models", "/nowhere")) {
            HttpResponse<String> r = S.send(HttpRequest.newBuilder(S.uri(path)).GET().build());
            assertThat(r.statusCode()).as(path).isEqualTo(401);
            assertThat(r.headers().firstValue("WWW-Authenticate").orElse("")).startsWith("Basic");
            HttpResponse<String> wrong = S.send(HttpRequest.newBuilder(S.uri(path)).header("Authorization",
                    TestServer.basic(TestServer.USER, "wrong")).GET().build());
            assertThat(wrong.statusCode()).as(path).isEqualTo(401);
        }
        HttpResponse<String> preflight = S.send(HttpRequest.newBuilder(S.uri("/sdapi/v1/txt2img"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", TestServer.ORIGIN)
                .header("Access-Control-Request-Method", "POST").header("Access-Control-Request-Headers", "authorization,content-type").build());
        assertThat(preflight.statusCode()).isEqualTo(204);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue(TestServer.ORIGIN);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods").orElse("")).contains("POST");
        HttpResponse<String> foreign = S.send(HttpRequest.newBuilder(S.uri("/sdapi/v1/txt2img"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", "http://evil.example")
                .header("Access-Control-Request-Method", "POST").build());
        assertThat(foreign.statusCode()).isEqualTo(403);
        assertThat(foreign.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        HttpResponse<String> simple = S.send(S.request("/sdapi/v1/samplers").header("Origin", TestServer.ORIGIN).GET().build());
        assertThat(simple.headers().firstValue("Access-Control-Allow-Origin")).hasValue(TestServer.ORIGIN);
        HttpResponse<String> other = S.send(S.request("/sdapi/v1/samplers").header("Origin", "http://evil.example").GET().build());
        assertThat(other.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        // the access log is one JSON object per request
        assertThat(S.log).isNotEmpty();
        assertThat(TestServer.json(new A1111ContractTest.Fake(S.log.getLast())).has("status")).isTrue();
    }

    /** Reads a server-sent event stream to its end: {event, data} pairs. */
    static List<String[]> sse(String path) throws Exception {
        HttpResponse<InputStream> r = S.http.send(S.request(path).header("Accept", "text/event-stream").GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        List<String[]> events = new ArrayList<>();
        CompletableFuture<Void> read = CompletableFuture.runAsync(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                String event = null, line;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith("event: ")) event = line.substring(7);
                    else if (line.startsWith("data: ") && event != null) events.add(new String[] {event, line.substring(6)});
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        read.get(120, TimeUnit.SECONDS);
        return events;
    }
}
