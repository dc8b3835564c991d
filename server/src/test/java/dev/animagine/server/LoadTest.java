package dev.animagine.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A bounded load test on loopback: 16 clients send 208 requests, a mix of A1111 txt2img, native
 * jobs (some cancelled at once), OpenAI generations, img2img and inpainting (one step each, in place
 * of some txt2img), img2img refused for a bad field and txt2img calls whose client disconnects. Every accepted job must end as done, cancelled or
 * failed; heap and RSS after the run stay within 10% of their level after the first 20 jobs; no
 * threads leak; p50/p99 queue waits are printed.
 */
class LoadTest {
    static final TestServer S = TestServer.get();
    static final int CLIENTS = 16, PER_CLIENT = 13;
    private static final AtomicInteger TASK_IDS = new AtomicInteger();
    private static final String INIT = Base64.getEncoder().encodeToString(Img2ImgContractTest.gradient(64, 64));
    private static final String MASK = Base64.getEncoder().encodeToString(Img2ImgContractTest.halfMask(64, 64));

    @Test
    void everyAcceptedJobIsAccountedForAndNothingLeaks() throws Exception {
        S.awaitIdle();
        JobQueue.Stats start = S.server.queue().stats();
        Set<String> accepted = ConcurrentHashMap.newKeySet();
        Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
        AtomicInteger sent = new AtomicInteger();
        long[] baseline = new long[3];
        Object baselineLock = new Object();
        AtomicInteger finishedRequests = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        List<Future<?>> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            int client = c;
            clients.add(pool.submit(() -> {
                for (int i = 0; i < PER_CLIENT; i++) {
                    int kind = (client + i) % 6;
                    String outcome = request(kind, client * 1000 + i, accepted);
                    // a refused request is retried shortly, as a client honouring Retry-After would (sooner, to stay bounded)
                    for (int retry = 0; outcome.endsWith(" 503") && retry < 40; retry++) {
                        Thread.sleep(25);
                        outcomes.computeIfAbsent(outcome, k -> new AtomicInteger()).incrementAndGet();
                        outcome = request(kind, client * 1000 + i + 100 * (retry + 1), accepted);
                    }
                    sent.incrementAndGet();
                    outcomes.computeIfAbsent(outcome, k -> new AtomicInteger()).incrementAndGet();
                    if (finishedRequests.incrementAndGet() == 20) {
                        synchronized (baselineLock) {
                            long[] m = measure();
                            System.arraycopy(m, 0, baseline, 0, 3);
                        }
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : clients) f.get(10, TimeUnit.MINUTES);
        pool.shutdown();
        S.awaitIdle();

        // every accepted job ended exactly once
        JobQueue.Stats end = S.server.queue().stats();
        long acceptedJobs = end.accepted() - start.accepted();
        long ended = (end.done() - start.done()) + (end.cancelled() - start.cancelled()) + (end.failed() - start.failed());
        assertThat(ended).isEqualTo(acceptedJobs);
        assertThat(acceptedJobs).isGreaterThanOrEqualTo(accepted.size());
        for (String id : accepted) {
            S.server.queue().find(id).ifPresent(j -> assertThat(j.state().finished()).as(id).isTrue());
        }
        assertThat(sent.get()).isGreaterThanOrEqualTo(200);
        assertThat(end.failed() - start.failed()).as("failed jobs").isZero();

        long[] after = measure();
        List<Double> waits = new ArrayList<>(end.queueWaitSeconds().subList(start.queueWaitSeconds().size(), end.queueWaitSeconds().size()));
        Collections.sort(waits);
        System.out.printf("load: %d requests, %d jobs accepted (%d done, %d cancelled, %d failed), outcomes %s%n", sent.get(), acceptedJobs,
                end.done() - start.done(), end.cancelled() - start.cancelled(), end.failed() - start.failed(), outcomes);
        System.out.printf("load: queue wait p50 %.3f s, p99 %.3f s, max %.3f s over %d started jobs%n", percentile(waits, 0.5),
                percentile(waits, 0.99), waits.isEmpty() ? 0 : waits.getLast(), waits.size());
        System.out.printf("load: heap after GC %d MB after 20 requests, %d MB after the run; RSS %d MB, %d MB; threads %d, %d%n",
                baseline[0] >> 20, after[0] >> 20, baseline[1] >> 20, after[1] >> 20, baseline[2], after[2]);
        assertThat((double) after[0]).as("heap after the run vs after 20 jobs").isLessThanOrEqualTo(baseline[0] * 1.10);
        assertThat((double) after[1]).as("RSS after the run vs after 20 jobs").isLessThanOrEqualTo(baseline[1] * 1.10);
        assertThat(after[2]).as("live threads").isLessThanOrEqualTo(baseline[2] + 8);
    }

    /** One client request of the given kind; returns what happened, for the printed summary. */
    private static String request(int kind, int n, Set<String> accepted) {
        try {
            switch (kind) {
                case 0, 1 -> {
                    if (kind == 1 && n % 2 == 1) return img2img(n, accepted);
                    String task = "load-" + TASK_IDS.incrementAndGet();
                    HttpResponse<String> r = S.post("/sdapi/v1/txt2img", "{\"prompt\":\"load " + n + "\",\"steps\":1,"
                            + "\"width\":64,\"height\":64,\"force_task_id\":\"" + task + "\"}");
                    if (r.statusCode() == 200) {
                        accepted.add(task);
                        assertThat(Base64.getDecoder().decode(TestServer.json(r).get("images").get(0).asText())).startsWith(0x89);
                    }
                    return "txt2img " + r.statusCode();
                }
                case 2 -> {
                    HttpResponse<String> r = S.post("/api/v1/jobs", "{\"prompt\":\"load\",\"steps\":2,\"size\":\"64x64\",\"save\":false}");
                    if (r.statusCode() != 202) return "job " + r.statusCode();
                    String id = TestServer.json(r).get("id").asText();
                    accepted.add(id);
                    S.delete("/api/v1/jobs/" + id);
                    return "job+cancel";
                }
                case 3 -> {
                    try (Socket s = ReliabilityTest.sendTxt2img(S.server.port(), "{\"prompt\":\"gone\",\"steps\":3,\"width\":64,\"height\":64}")) {
                        Thread.sleep(20 + n % 80);
                    }
                    return "disconnect";
                }
                case 4 -> {
                    HttpResponse<String> r = S.post("/v1/images/generations", "{\"prompt\":\"load\",\"size\":\"64x64\",\"steps\":1}");
                    if (r.statusCode() == 200) assertThat(TestServer.json(r).get("data")).hasSize(1);
                    return "openai " + r.statusCode();
                }
                case 5 -> {
                    // refused at once (422 naming the field) while the queue is busy
                    String png = Base64.getEncoder().encodeToString(A1111ContractTest.tinyPng(64, 64));
                    HttpResponse<String> r = S.post("/sdapi/v1/img2img", "{\"prompt\":\"x\",\"init_images\":[\"" + png + "\"],\"resize_mode\":4}");
                    if (r.statusCode() == 422) assertThat(TestServer.json(r).get("detail").asText()).startsWith("resize_mode");
                    return "img2img " + r.statusCode();
                }
                default -> throw new IllegalArgumentException("kind " + kind);
            }
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    /** img2img, every other one an inpaint; steps 2 at strength 0.5 runs one step, as in A1111. */
    private static String img2img(int n, Set<String> accepted) {
        String task = "load-i2i-" + TASK_IDS.incrementAndGet();
        String mask = (n / 2) % 2 == 0 ? "" : ",\"mask\":\"" + MASK + "\",\"inpaint_full_res\":false";
        HttpResponse<String> r = S.post("/sdapi/v1/img2img", "{\"prompt\":\"x\",\"init_images\":[\"" + INIT + "\"],\"steps\":2,"
                + "\"denoising_strength\":0.5,\"width\":64,\"height\":64,\"force_task_id\":\"" + task + "\"" + mask + "}");
        if (r.statusCode() == 200) {
            accepted.add(task);
            assertThat(Base64.getDecoder().decode(TestServer.json(r).get("images").get(0).asText())).startsWith(0x89);
        }
        return (mask.isEmpty() ? "img2img " : "inpaint ") + r.statusCode();
    }

    /** Heap used after a full GC, resident set size, live threads. */
    static long[] measure() {
        for (int i = 0; i < 3; i++) System.gc();
        var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return new long[] {heap.getUsed(), rss(), ManagementFactory.getThreadMXBean().getThreadCount()};
    }

    static long rss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status")))
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D+", "")) * 1024;
        } catch (Exception e) {
            // not Linux: heap only
        }
        return 0;
    }

    static double percentile(List<Double> sorted, double p) {
        if (sorted.isEmpty()) return 0;
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
    }
}
