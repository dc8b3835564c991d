package dev.animagine.core.vae;

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

/** VAE decode and encode against diffusers' AutoencoderKL on every case of vae/index.json (both layouts). */
class AutoencoderKLTest {
    static final double ATOL = 1e-4, RTOL = 1e-4;
    static final String FILE = "vae/vae.safetensors";

    @TestFactory
    List<DynamicTest> vaeMatchesDiffusers() {
        List<DynamicTest> tests = new ArrayList<>();
        Map<String, AutoencoderKL> models = new HashMap<>();
        for (JsonNode c : Fixtures.cases("vae")) {
            String path = c.get("model").get("path").asText();
            tests.add(DynamicTest.dynamicTest(c.get("id").asText(), () -> {
                AutoencoderKL vae = models.computeIfAbsent(path, p -> {
                    Checkpoint ckpt = TestModels.open(p);
                    return new AutoencoderKL(ckpt.architecture().vae(), ckpt.vae());
                });
                if (c.get("kind").asText().equals("decode")) decode(c, vae);
                else encode(c, vae);
            }));
        }
        return tests;
    }

    static Tensor tensor(JsonNode ref) {
        JsonNode s = ref.get("shape");
        int[] shape = new int[s.size()];
        for (int i = 0; i < shape.length; i++) shape[i] = s.get(i).asInt();
        return new Tensor(Fixtures.tensor(FILE, ref.get("key").asText()).toFloats(), shape);
    }

    static void decode(JsonNode c, AutoencoderKL vae) {
        Tensor latents = tensor(c.get("inputs").get("latents"));
        float[] scaled = latents.data().clone();
        for (int i = 0; i < scaled.length; i++) scaled[i] /= (float) vae.config().scalingFactor();
        Close.assertClose("latents / scaling_factor", scaled, tensor(c.get("expected").get("latents_div_scaling_factor")).data(), 1e-6, 1e-6);
        Tensor decoded = vae.decode(new Tensor(scaled, latents.shape()));
        Close.assertClose("decoded", decoded.data(), tensor(c.get("expected").get("decoded")).data(), ATOL, RTOL);
    }

    static void encode(JsonNode c, AutoencoderKL vae) {
        AutoencoderKL.LatentDistribution d = vae.encode(tensor(c.get("inputs").get("image")));
        Close.assertClose("mean", d.mean().data(), tensor(c.get("expected").get("mean")).data(), ATOL, RTOL);
        Close.assertClose("logvar", d.logvar().data(), tensor(c.get("expected").get("logvar")).data(), ATOL, RTOL);
        Close.assertClose("std", d.std().data(), tensor(c.get("expected").get("std")).data(), ATOL, RTOL);
        // latent_dist.sample(generator): mean + std * randn from a CPU generator seeded with sample_seed
        float[] noise = new dev.animagine.core.sampling.TorchGenerator(c.get("sample_seed").asLong())
                .randn(java.util.Arrays.stream(d.mean().shape()).asLongStream().toArray());
        float[] sample = new float[noise.length];
        for (int i = 0; i < sample.length; i++) sample[i] = d.mean().data()[i] + d.std().data()[i] * noise[i];
        Close.assertClose("sample_seeded", sample, tensor(c.get("expected").get("sample_seeded")).data(), ATOL, RTOL);
        float sf = (float) vae.config().scalingFactor();
        for (int i = 0; i < sample.length; i++) sample[i] *= sf;
        Close.assertClose("sample * scaling_factor", sample, tensor(c.get("expected").get("sample_times_scaling_factor")).data(), ATOL, RTOL);
    }
}
