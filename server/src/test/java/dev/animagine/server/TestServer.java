package dev.animagine.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.animagine.core.io.CheckpointOptions;
import dev.animagine.core.testing.Fixtures;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * One server for the whole test JVM, on the miniature fixture model, bound to a free loopback
 * port: an A1111 models folder (symbolic links into the fixtures, never copies) with the model
 * as a diffusers folder and as a single file, and a LoRA folder. It requires HTTP Basic and allows
 * one CORS origin, so every test also exercises both.
 */
final class TestServer {
    static final String USER = "tester", PASSWORD = "s3cret:with-colon";
    static final String ORIGIN = "http://allowed.example";
    static final int QUEUE = 8;
    private static TestServer shared;

    final Path dir;
    final Path outputs;
    final AnimagineServer server;
    final List<String> log = new CopyOnWriteArrayList<>();
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    /** The single file's name in the models folder (the model selected at start: listed first). */
    final String singleFileTitle;
    final String folderTitle;

    static synchronized TestServer get() {
        if (shared == null) shared = new TestServer();
        return shared;
    }

    private TestServer() {
        try {
            Path model = Fixtures.models().getFirst();
            Path diffusers = model.resolve("diffusers");
            Path single;
            try (Stream<Path> s = Files.list(model.resolve("single_file"))) {
                single = s.filter(p -> p.toString().endsWith(".safetensors")).sorted().findFirst().orElseThrow();
            }
            dir = Files.createTempDirectory(Path.of("target"), "server-test");
            Path sd = Files.createDirectories(dir.resolve("models/Stable-diffusion"));
            // the file name says Animagine 4.0, as a user's would
            singleFileTitle = "animagine-xl-4.0-" + model.getFileName() + ".safetensors";
            folderTitle = "mini-" + model.getFileName();
            Files.createSymbolicLink(sd.resolve(singleFileTitle), single.toAbsolutePath());
            Files.createSymbolicLink(sd.resolve(folderTitle), diffusers.toAbsolutePath());
            // a checkpoint that cannot be opened: a job on it fails alone
            Files.writeString(sd.resolve("zz-broken.safetensors"), "not a safetensors file");
            Path lora = Files.createDirectories(dir.resolve("models/Lora"));
            try (Stream<Path> s = Files.list(Fixtures.path("lora"))) {
                Path first = s.filter(p -> p.toString().endsWith(".safetensors")).sorted().findFirst().orElseThrow();
                Files.createSymbolicLink(lora.resolve("style_lora.safetensors"), first.toAbsolutePath());
            }
            outputs = dir.resolve("outputs");
            ServerOptions options = ServerOptions.builder()
                    .modelsDir(dir.resolve("models"))
                    .checkpointOptions(CheckpointOptions.DEFAULT.withConfigDirectory(diffusers))
                    .tokenizerDir(Fixtures.clipVocabulary())
                    .port(0)
                    .credentials(Map.of(USER, PASSWORD))
                    .corsOrigins(List.of(ORIGIN))
                    .queueSize(QUEUE)
                    .outputs(outputs)
                    .previewEvery(1)
                    .build();
            server = new AnimagineServer(options, log::add).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(120)).header("Authorization", basic(USER, PASSWORD));
    }

    HttpResponse<String> get(String path) {
        return send(request(path).GET().build());
    }

    HttpResponse<String> post(String path, String json) {
        return send(request(path).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    HttpResponse<String> delete(String path) {
        return send(request(path).DELETE().build());
    }

    HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(HttpResponse<String> r) {
        try {
            return Json.MAPPER.readTree(r.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON (" + r.statusCode() + "): " + r.body(), e);
        }
    }

    /** Waits until no job is waiting or running (a previous test's cancelled jobs included). */
    void awaitIdle() {
        long end = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < end) {
            JobQueue.Stats s = server.queue().stats();
            if (s.waiting() == 0 && s.running() == 0) return;
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new AssertionError("the queue did not become idle");
    }
}
