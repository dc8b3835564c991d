package dev.animagine.core.sampling.a1111;

import com.fasterxml.jackson.databind.JsonNode;
import dev.animagine.core.testing.Close;
import dev.animagine.core.testing.Fixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * A1111's NV source and ImageRNG against every case of {@code rng_nv/index.json}: raw Philox words
 * exactly, NV normals within 1e-6 absolute, CPU-source ImageRNG within 2e-6 (the fixture's tolerances).
 */
class PhiloxAndImageRngTest {
    private static final String FILE = "rng_nv/rng_nv.safetensors";

    static long seed(JsonNode n) {
        return new BigInteger(n.asText()).longValue();
    }

    private static int numel(JsonNode shape) {
        int n = 1;
        for (JsonNode d : shape) n *= d.asInt();
        return n;
    }

    private static float[] t(String key) {
        return Fixtures.tensor(FILE, key).toFloats();
    }

    @TestFactory
    List<DynamicTest> everyRngNvCase() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : Fixtures.cases("rng_nv")) tests.add(DynamicTest.dynamicTest(c.get("id").asText(), () -> check(c)));
        assertThat(tests).hasSizeGreaterThan(0);
        assertThat(tests.stream().filter(d -> d.getDisplayName().startsWith("imagerng")).count()).isGreaterThan(0);
        return tests;
    }

    private static void check(JsonNode c) {
        String id = c.get("id").asText();
        JsonNode e = c.get("expected");
        switch (c.get("kind").asText()) {
            case "philox_randn" -> {
                PhiloxGenerator g = new PhiloxGenerator(seed(c.get("seed")));
                float[] x = g.randn(numel(c.get("shape")));
                assertThat(g.offset()).isEqualTo(c.get("offset_after").asLong());
                if (e.has("randn")) {
                    Close.assertClose(id, x, t(e.get("randn").asText()), 1e-6, 0);
                } else {
                    float[] first = t(e.get("first_2048").asText()), last = t(e.get("last_64").asText());
                    Close.assertClose(id + " first", java.util.Arrays.copyOf(x, first.length), first, 1e-6, 0);
                    Close.assertClose(id + " last", java.util.Arrays.copyOfRange(x, x.length - last.length, x.length), last, 1e-6, 0);
                    double sum = 0, abs = 0, sq = 0;
                    for (float v : x) {
                        sum += v;
                        abs += Math.abs(v);
                        sq += (double) v * v;
                    }
                    assertThat(sum).isCloseTo(e.get("sum_f64").asDouble(), within(1e-3));
                    assertThat(abs).isCloseTo(e.get("abs_sum_f64").asDouble(), within(1e-3));
                    assertThat(sq).isCloseTo(e.get("sum_sq_f64").asDouble(), within(1e-3));
                }
            }
            case "philox_sequence" -> {
                PhiloxGenerator g = new PhiloxGenerator(seed(c.get("seed")));
                JsonNode shapes = c.get("shapes");
                for (int k = 0; k < shapes.size(); k++) {
                    assertThat(g.offset()).isEqualTo(c.get("offset_before_each_call").get(k).asLong());
                    Close.assertClose(id + " call " + k, g.randn(numel(shapes.get(k))), t(e.get("calls").get(k).asText()), 1e-6, 0);
                }
                assertThat(g.offset()).isEqualTo(c.get("offset_after").asLong());
            }
            case "philox_raw_words" -> {
                long s = seed(c.get("seed"));
                int n = c.get("n").asInt();
                int[] w = new int[4];
                JsonNode words = e.get("words");
                for (int i = 0; i < n; i++) {
                    PhiloxGenerator.philox(w, c.get("offset").asInt(), 0, i, 0, (int) s, (int) (s >>> 32));
                    for (int r = 0; r < 4; r++)
                        assertThat(w[r] & 0xFFFFFFFFL).as(id + " word " + r + " of " + i).isEqualTo(words.get(r).get(i).asLong());
                    assertThat(PhiloxGenerator.boxMuller(w[0], w[1])).as(id + " normal " + i)
                            .isCloseTo((float) e.get("randn_from_words_0_and_1").get(i).asDouble(), within(1e-6f));
                }
            }
            case "image_rng" -> {
                RngSource src = RngSource.byId(c.get("randn_source").asText());
                JsonNode chw = c.get("shape_chw");
                long[] seeds = longs(c.get("seeds")), subseeds = c.get("subseeds").isNull() ? null : longs(c.get("subseeds"));
                ImageRng rng = new ImageRng(src, chw.get(0).asInt(), chw.get(1).asInt(), chw.get(2).asInt(), seeds, subseeds,
                        c.get("subseed_strength").asDouble(), c.get("seed_resize_from_h").asInt(), c.get("seed_resize_from_w").asInt(),
                        c.get("eta_noise_seed_delta").asLong());
                double tol = src == RngSource.CPU ? 2e-6 : 1e-6;
                JsonNode next = e.get("next");
                assertThat(next.size()).isGreaterThan(0);
                for (int k = 0; k < next.size(); k++) Close.assertClose(id + " next " + k, rng.next(), t(next.get(k).asText()), tol, 0);
            }
            default -> throw new AssertionError("unknown kind " + c.get("kind"));
        }
    }

    private static long[] longs(JsonNode a) {
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = seed(a.get(i));
        return out;
    }

    @Test
    void batchSeedsFollowA1111() {
        assertThat(ImageRng.batchSeeds(10, 3, 0)).containsExactly(10, 11, 12);
        assertThat(ImageRng.batchSeeds(10, 3, 0.5)).containsExactly(10, 10, 10);
        assertThat(ImageRng.batchSubseeds(7, 2)).containsExactly(7, 8);
        assertThat(RngSource.GPU.create(5).randn(4)).containsExactly(new PhiloxGenerator(5).randn(4));
    }
}
