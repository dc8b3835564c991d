package dev.animagine.core.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.animagine.core.tensor.Tensor;
import dev.animagine.core.testing.Close;
import dev.animagine.core.testing.Fixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every upscale-only tensor of hires/index.json: torch 1.13's interpolate for A1111's six latent
 * upscalers on several (odd) sizes. Tolerance 1e-5 relative to max(1, max|ref|): torch's
 * antialiased kernels differ from the plain ones by ~1e-5 in float32, so ours may too.
 */
class LatentUpscalerTest {
    static final String FILE = "hires/hires.safetensors";

    @TestFactory
    List<DynamicTest> upscalersMatchTorchInterpolate() {
        List<DynamicTest> tests = new ArrayList<>();
        JsonNode cases = Fixtures.json("hires/index.json").get("upscale_cases");
        for (JsonNode c : cases)
            tests.add(DynamicTest.dynamicTest(c.get("id").asText(), () -> {
                LatentUpscaler u = LatentUpscaler.byId(c.get("upscaler").asText());
                assertThat(u.mode().name().toLowerCase().replace('_', '-')).isEqualTo(c.get("mode").asText());
                assertThat(u.antialias()).isEqualTo(c.get("antialias").asBoolean());
                Tensor in = new Tensor(Fixtures.tensor(FILE, c.get("input").asText()).toFloats(), ints(c.get("input_shape")));
                int[] size = ints(c.get("size_hw"));
                Tensor out = u.upscale(in, size[0], size[1]);
                assertThat(out.shape()).containsExactly(ints(c.get("shape")));
                float[] ref = Fixtures.tensor(FILE, c.get("key").asText()).toFloats();
                Close.assertClose(c.get("id").asText(), out.data(), ref, 1e-5 * Math.max(1, maxAbs(ref)), 0);
            }));
        assertThat(tests).isNotEmpty();
        return tests;
    }

    /** The size rule of every two-pass case: round(latent * scale), half to even. */
    @Test
    void hiresLatentSizeIsPythonRound() {
        List<JsonNode> cases = Fixtures.cases("hires");
        assertThat(cases).isNotEmpty();
        for (JsonNode c : cases) {
            JsonNode up = c.get("upscale");
            int[] in = ints(up.get("latent_size_in_hw")), out = ints(up.get("latent_size_out_hw"));
            double scale = up.get("scale").asDouble();
            assertThat(LatentUpscaler.spaceLatentSize(in[0], scale)).isEqualTo(out[0]);
            assertThat(LatentUpscaler.spaceLatentSize(in[1], scale)).isEqualTo(out[1]);
        }
        assertThat(LatentUpscaler.spaceLatentSize(5, 1.5)).isEqualTo(8); // 7.5 -> 8 (even)
        assertThat(LatentUpscaler.spaceLatentSize(9, 1.5)).isEqualTo(14); // 13.5 -> 14
        assertThat(LatentUpscaler.spaceLatentSize(11, 1.5)).isEqualTo(16); // 16.5 -> 16
    }

    static int[] ints(JsonNode a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).asInt();
        return r;
    }

    static double maxAbs(float[] a) {
        double m = 0;
        for (float v : a) m = Math.max(m, Math.abs(v));
        return m;
    }
}
