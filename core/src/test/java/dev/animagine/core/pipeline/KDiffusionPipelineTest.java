package dev.animagine.core.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.animagine.core.io.Checkpoint;
import dev.animagine.core.sampling.DiscreteEpsDDPMDenoiser;
import dev.animagine.core.sampling.KDiffusionSampler;
import dev.animagine.core.sampling.KDiffusionSampling;
import dev.animagine.core.sampling.NoiseSchedule;
import dev.animagine.core.sampling.SchedulerConfig;
import dev.animagine.core.sampling.Sampler;
import dev.animagine.core.sampling.ScheduleType;
import dev.animagine.core.sampling.TorchGenerator;
import dev.animagine.core.tensor.Tensor;
import dev.animagine.core.testing.Close;
import dev.animagine.core.testing.Fixtures;
import dev.animagine.core.text.PromptMode;
import dev.animagine.core.unet.UNet2DConditionModel;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * k-diffusion's samplers (Euler a, DPM++ 2M on Karras sigmas, as A1111 and ComfyUI sample) around our
 * UNet with CFG and an encoded (never zeroed) negative, against kdiffusion/index.json: conditioning
 * 1e-4, final latents 1e-3 absolute, image 1e-3.
 */
class KDiffusionPipelineTest {
    static final String FILE = "kdiffusion/kdiffusion.safetensors";

    @TestFactory
    List<DynamicTest> kdiffusionSamplersAroundTheUNet() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : Fixtures.cases("kdiffusion")) tests.add(DynamicTest.dynamicTest(c.get("id").asText(), () -> check(c)));
        return tests;
    }

    static float[] t(String key) {
        return Fixtures.tensor(FILE, key).toFloats();
    }

    static void check(JsonNode c) {
        StableDiffusionXLPipeline p = PipelineTest.pipeline(c.get("model").get("path").asText());
        Checkpoint ckpt = p.checkpoint();
        JsonNode in = c.get("inputs");
        int w = in.get("width").asInt(), h = in.get("height").asInt();
        GenerationRequest req = GenerationRequest.of(in.get("prompt").asText(), in.get("negative_prompt").asText(), w, h,
                in.get("steps").asInt(), in.get("cfg_scale").asDouble(), Sampler.EULER, ScheduleType.DEFAULT, in.get("seed").asLong(),
                PromptMode.DIFFUSERS);
        TextConditioning tc = p.encodePrompts(req);
        JsonNode cc = c.get("conditioning");
        Close.assertClose("prompt_embeds", tc.positive().hiddenStates(), t(cc.get("prompt_embeds").asText()), 1e-4, 1e-4);
        Close.assertClose("negative_prompt_embeds", tc.negative().hiddenStates(), t(cc.get("negative_prompt_embeds").asText()), 1e-4, 1e-4);
        Close.assertClose("pooled", tc.positive().pooled(), t(cc.get("pooled").asText()), 1e-4, 1e-4);
        Close.assertClose("negative pooled", tc.negative().pooled(), t(cc.get("negative_pooled").asText()), 1e-4, 1e-4);
        UNet2DConditionModel.Conditioning cond = StableDiffusionXLPipeline.unetConditioning(tc, req);

        UNet2DConditionModel unet = p.unet();
        int[] shape = {1, unet.config().inChannels(), h / 8, w / 8};
        float[] alphas = NoiseSchedule.of(SchedulerConfig.fromJson(dev.animagine.core.sampling.SchedulerType.EULER_DISCRETE, ckpt.schedulerConfig().orElseGet(SchedulerConfig::sdxlJson), "scheduler")).alphasCumprod();
        DiscreteEpsDDPMDenoiser den = new DiscreteEpsDDPMDenoiser(
                (x, tt) -> StableDiffusionXLPipeline.guidedNoise(unet, x, shape, tt, cond, req.cfgScale()), alphas, in.get("quantize").asBoolean());
        float[] sigmas = KDiffusionSampling.getSigmasKarras(in.get("steps").asInt(), den.sigmaMin(), den.sigmaMax(), in.get("rho").asDouble());
        Close.assertClose("sigmas", sigmas, t(c.get("expected").get("sigmas").asText()), 1e-5, 1e-6);
        TorchGenerator g = new TorchGenerator(in.get("seed").asLong());
        float[] noise = g.randn(1, shape[1], shape[2], shape[3]);
        Close.assertClose("noise", noise, t(c.get("expected").get("noise").asText()), 2e-6, 0);
        float[] x = noise.clone();
        for (int i = 0; i < x.length; i++) x[i] *= sigmas[0];
        String sampler = c.get("sampler").asText();
        float[] out = sampler.endsWith("sample_euler_ancestral")
                ? KDiffusionSampling.sampleEulerAncestral(den, x, sigmas, null, (float) in.get("eta").asDouble(),
                        (float) in.get("s_noise").asDouble(), KDiffusionSampling.NoiseSampler.of(g, x.length))
                : KDiffusionSampling.sampleDpmpp2m(den, x, sigmas, null);
        Close.assertClose("final latents", out, t(c.get("expected").get("final_latents").asText()), 1e-3, 0);
        Tensor image = p.decode(new Tensor(out, shape));
        Close.assertClose("image", image.data(), t(c.get("expected").get("image_nchw_0_1").asText()), 1e-3, 0);

        // the same through the pipeline's one sampler contract (the k-diffusion functions behind KDiffusionSampler)
        KDiffusionSampler.Method method = sampler.endsWith("sample_euler_ancestral") ? KDiffusionSampler.Method.EULER_ANCESTRAL
                : KDiffusionSampler.Method.DPMPP_2M;
        ImageResult r = p.generate(req, (rq, gen) -> new KDiffusionSampler(method, sigmas, alphas, in.get("quantize").asBoolean(),
                KDiffusionSampling.NoiseSampler.of(gen, shape[1] * shape[2] * shape[3]))
                .withAncestralNoise((float) in.path("eta").asDouble(1), (float) in.path("s_noise").asDouble(1)), RunHooks.NONE);
        Close.assertClose("final latents (sampler contract)", r.latents().data(), t(c.get("expected").get("final_latents").asText()), 1e-3, 0);
        Close.assertClose("image (sampler contract)", r.image().data(), t(c.get("expected").get("image_nchw_0_1").asText()), 1e-3, 0);
    }
}
