package dev.animagine.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.animagine.core.io.CheckpointOptions;
import dev.animagine.core.testing.Fixtures;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Disconnects cancel, a full queue answers 503 + Retry-After, shutdown ends every job. */
class ReliabilityTest {
    static final TestServer S = TestServer.get();

    @BeforeEach
    void idle() {
        S.awaitIdle();
    }

    /** Sends a txt2img over a raw connection and returns it open (the answer is never read). */
    static Socket sendTxt2img(int port, String json) throws Exception {
        Socket socket = new Socket("127.0.0.1", port);
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        String head = "POST /sdapi/v1/txt2img HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + TestServer.basic(TestServer.USER, TestServer.PASSWORD)
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n";
        OutputStream out = socket.getOutputStream();
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        return socket;
    }

    static Job awaitJob(String id) throws InterruptedException {
        for (int i = 0; i < 2000; i++) {
            var j = S.server.queue().find(id);
            if (j.isPresent()) return j.get();
            Thread.sleep(5);
        }
        throw new AssertionError("job " + id + " never arrived");
    }

    @Test
    void aClientThatDisconnectsHasItsJobCancelledRunningOrWaiting() throws Exception {
        Socket running = sendTxt2img(S.server.port(), "{\"prompt\":\"x\",\"steps\":150,\"width\":64,\"height\":64,\"force_task_id\":\"gone-running\"}");
        Job first = awaitJob("gone-running");
        while (first.step < 1) Thread.sleep(5);
        Socket waiting = sendTxt2img(S.server.port(), "{\"prompt\":\"x\",\"steps\":2,\"width\":64,\"height\":64,\"force_task_id\":\"gone-waiting\"}");
        Job second = awaitJob("gone-waiting");
        assertThat(second.state()).isEqualTo(Job.State.QUEUED);
        waiting.close();
        second.finished().get(10, TimeUnit.SECONDS);
        assertThat(second.state()).isEqualTo(Job.State.CANCELLED);
        running.close();
        first.finished().get(10, TimeUnit.SECONDS);
        assertThat(first.state()).isEqualTo(Job.State.CANCELLED);
        assertThat(first.images()).isEmpty();
    }

    @Test
    void aFullQueueAnswers503WithRetryAfter() throws Exception {
        List<String> ids = new ArrayList<>();
        try {
            ids.add(TestServer.json(S.post("/api/v1/jobs", "{\"prompt\":\"x\",\"steps\":150,\"size\":\"64x64\"}")).get("id").asText());
            while (S.server.queue().running().isEmpty()) Thread.sleep(5);
            for (int i = 0; i < TestServer.QUEUE; i++) {
                HttpResponse<String> r = S.post("/api/v1/jobs", "{\"prompt\":\"x\",\"steps\":1,\"size\":\"64x64\"}");
                assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
                ids.add(TestServer.json(r).get("id").asText());
            }
            HttpResponse<String> full = S.post("/api/v1/jobs", "{\"prompt\":\"x\",\"steps\":1,\"size\":\"64x64\"}");
            assertThat(full.statusCode()).isEqualTo(503);
            assertThat(Integer.parseInt(full.headers().firstValue("Retry-After").orElseThrow())).isPositive();
            HttpResponse<String> a1111 = S.post("/sdapi/v1/txt2img", "{\"prompt\":\"x\",\"steps\":1,\"width\":64,\"height\":64}");
            assertThat(a1111.statusCode()).isEqualTo(503);
            assertThat(TestServer.json(a1111).get("detail").asText()).contains("queue is full");
            HttpResponse<String> openAi = S.post("/v1/images/generations", "{\"prompt\":\"x\",\"size\":\"64x64\"}");
            assertThat(openAi.statusCode()).isEqualTo(503);
            assertThat(TestServer.json(openAi).get("error").get("code").asText()).isEqualTo("server_busy");
        } finally {
            for (String id : ids.reversed()) S.delete("/api/v1/jobs/" + id);
        }
        S.awaitIdle();
        for (String id : ids) assertThat(S.server.queue().find(id).orElseThrow().state()).isEqualTo(Job.State.CANCELLED);
    }

    @Test
    void shutdownEndsEveryAcceptedJobAndRefusesNewOnes() throws Exception {
        Path model = Fixtures.models().getFirst().resolve("diffusers");
        Path out = Files.createTempDirectory(Path.of("target"), "shutdown");
        ServerOptions options = ServerOptions.builder().model(model).tokenizerDir(Fixtures.clipVocabulary()).port(0).queueSize(4)
                .outputs(out).warmUp(false).checkpointOptions(CheckpointOptions.DEFAULT).build();
        AnimagineServer server = new AnimagineServer(options, line -> {}).start();
        JobQueue queue = server.queue();
        ModelCatalog.Entry entry = server.host().selected();
        var request = dev.animagine.core.service.ImageRequest.builder().prompt("x").verbatim(true).size(64, 64).steps(150).seed(1).build();
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < 4; i++) jobs.add(queue.submit(new JobSpec(request, entry, true, "native", List.of(), null)));
        while (jobs.getFirst().step < 1) Thread.sleep(5);
        long t0 = System.nanoTime();
        server.stop();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(AnimagineServer.SHUTDOWN_GRACE.plusSeconds(30));
        for (Job j : jobs) {
            assertThat(j.finished()).isDone();
            assertThat(j.state()).isIn(Job.State.DONE, Job.State.CANCELLED);
        }
        for (Job j : jobs.subList(1, jobs.size())) assertThat(j.state()).isEqualTo(Job.State.CANCELLED);
        JobQueue.Stats stats = queue.stats();
        assertThat(stats.done() + stats.cancelled() + stats.failed()).isEqualTo(stats.accepted());
        assertThatThrownBy(() -> queue.submit(new JobSpec(request, entry, true, "native", List.of(), null)))
                .isInstanceOf(ApiException.class).extracting(e -> ((ApiException) e).status()).isEqualTo(503);
    }
}
