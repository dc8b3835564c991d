package dev.animagine.core.unet;

import com.fasterxml.jackson.databind.JsonNode;
import dev.animagine.core.tensor.Tensor;
import dev.animagine.core.testing.Close;
import dev.animagine.core.io.Checkpoint;
import dev.animagine.core.testing.TestModels;
import dev.animagine.core.testing.Fixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The UNet against diffusers' UNet2DConditionModel on every case of unet/index.json (both layouts). */
class UNetTest {
    static final double ATOL = 1e-4, RTOL = 1e-4;
    static final String FILE = "unet/unet.safetensors";

    @TestFactory
    List<DynamicTest> unetMatchesDiffusers() {
        List<DynamicTest> tests = new ArrayList<>();
        Map<String, UNet2DConditionModel> models = new HashMap<>();
        for (JsonNode c : Fixtures.cases("unet")) {
            String path = c.get("model").get("path").asText();
            tests.add(DynamicTest.dynamicTest(c.get("id").asText(), () -> {
                UNet2DConditionModel unet = models.computeIfAbsent(path, p -> {
                    Checkpoint ckpt = TestModels.open(p);
                    return new UNet2DConditionModel(ckpt.architecture().unet(), ckpt.unet());
                });
                check(c, unet);
            }));
        }
        return tests;
    }

    static float[] input(JsonNode c, String name) {
        return Fixtures.tensor(FILE, c.get("inputs").get(name).get("key").asText()).toFloats();
    }

    static void check(JsonNode c, UNet2DConditionModel unet) {
        JsonNode sampleInfo = c.get("inputs").get("sample");
        int[] shape = new int[sampleInfo.get("shape").size()];
        for (int i = 0; i < shape.length; i++) shape[i] = sampleInfo.get("shape").get(i).asInt();
        Tensor sample = new Tensor(input(c, "sample"), shape);
        float[] t = input(c, "timestep");
        float[] timesteps = new float[shape[0]];
        for (int b = 0; b < shape[0]; b++) timesteps[b] = t.length == 1 ? t[0] : t[b];
        JsonNode ehs = c.get("inputs").get("encoder_hidden_states").get("shape");
        var cond = new UNet2DConditionModel.Conditioning(input(c, "encoder_hidden_states"), ehs.get(1).asInt(),
                input(c, "text_embeds"), input(c, "time_ids"));
        if (c.path("debug_intermediates").has("time_embedding")) {
            JsonNode dbg = c.get("debug_intermediates");
            float[] emb = unet.timeAndAddedEmbedding(timesteps, cond, shape[0]);
            float[] timeEmb = Fixtures.tensor(FILE, dbg.get("time_embedding").get("key").asText()).toFloats();
            float[] addEmb = Fixtures.tensor(FILE, dbg.get("add_embedding").get("key").asText()).toFloats();
            float[] sum = new float[timeEmb.length];
            for (int i = 0; i < sum.length; i++) sum[i] = timeEmb[i] + addEmb[i];
            Close.assertClose("time + add embedding", emb, sum, ATOL, RTOL);
        }
        float[] expected = Fixtures.tensor(FILE, c.get("expected").get("output").get("key").asText()).toFloats();
        Tensor out = unet.forward(sample, timesteps, cond);
        Close.assertClose("unet output", out.data(), expected, ATOL, RTOL);
        // a second evaluation with the same conditioning reuses the cross-attention keys and values
        Tensor again = unet.forward(new Tensor(input(c, "sample"), shape), timesteps, cond);
        Close.assertClose("unet output, cached text keys/values", again.data(), expected, ATOL, RTOL);
    }
}
