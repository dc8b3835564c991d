package dev.animagine.core.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.animagine.core.io.Checkpoint;
import dev.animagine.core.lora.LoraStack;
import dev.animagine.core.tensor.Tensor;
import dev.animagine.core.testing.Close;
import dev.animagine.core.testing.Fixtures;
import dev.animagine.core.testing.PipelineCases;
import dev.animagine.core.testing.TestModels;
import dev.animagine.core.text.PromptMode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pipeline cases of lora/index.json (StableDiffusionXLPipeline with merged adapters) through the
 * real pipeline path, {@link StableDiffusionXLPipeline#withAdapters} over the shared base pipeline:
 * conditioning within 1e-4, final latents within 1e-3·max(1, max|ref|), PNG within 1/255; the base
 * pipeline's own run afterwards is unchanged.
 */
class LoraPipelineTest {
    static final String FILE = "lora/lora.safetensors";

    @TestFactory
    List<DynamicTest> pipelineWithAdaptersMatchesDiffusers() {
        JsonNode index = Fixtures.json("lora/index.json");
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : index.get("pipeline_cases")) tests.add(DynamicTest.dynamicTest(c.get("id").asText(), () -> check(c)));
        assertThat(tests).hasSizeGreaterThan(0);
        return tests;
    }

    static float[] tensor(String key) {
        return Fixtures.tensor(FILE, key).toFloats();
    }

    private static void check(JsonNode c) throws Exception {
        String modelPath = c.get("model").get("path").asText();
        Checkpoint ckpt = TestModels.open(modelPath);
        StableDiffusionXLPipeline base = PipelineTest.pipeline(modelPath);
        JsonNode a = c.get("pipeline_args");
        GenerationRequest req = GenerationRequest.of(a.get("prompt").asText(), a.get("negative_prompt").isNull() ? null : a.get("negative_prompt").asText(),
                a.get("width").asInt(), a.get("height").asInt(), a.get("num_inference_steps").asInt(), a.get("guidance_scale").asDouble(),
                PipelineCases.sampler(c), PipelineCases.schedule(c), PipelineCases.seed(c), PromptMode.DIFFUSERS);
        List<LoraStack.Request> loras = new ArrayList<>();
        for (JsonNode l : c.get("loras"))
            loras.add(new LoraStack.Request(Fixtures.resolveIndexPath(l.get("file").asText()), (float) l.get("weight").asDouble(), (float) l.get("weight").asDouble()));
        float[] baseBefore = base.generate(req, RunHooks.NONE).latents().data();
        ImageResult r;
        try (LoraStack stack = LoraStack.open(ckpt.architecture(), loras)) {
            StableDiffusionXLPipeline adapted = base.withAdapters(stack);
            assertThat(adapted.vae()).as("the VAE is shared").isSameAs(base.vae());
            r = adapted.generate(req, RunHooks.NONE);
        }
        TextConditioning cond = r.conditioning();
        JsonNode e = c.get("expected"), ce = e.get("conditioning");
        Close.assertClose("prompt_embeds", cond.positive().hiddenStates(), tensor(ce.get("prompt_embeds").get("key").asText()), 1e-4, 0);
        Close.assertClose("pooled_prompt_embeds", cond.positive().pooled(), tensor(ce.get("pooled_prompt_embeds").get("key").asText()), 1e-4, 0);
        Close.assertClose("negative_prompt_embeds", cond.negative().hiddenStates(), tensor(ce.get("negative_prompt_embeds").get("key").asText()), 1e-4, 0);
        Close.assertClose("negative_pooled_prompt_embeds", cond.negative().pooled(),
                tensor(ce.get("negative_pooled_prompt_embeds").get("key").asText()), 1e-4, 0);

        float[] x0 = r.initialNoise().clone();
        float sigma0 = base.scheduler(req).initNoiseSigma();
        for (int i = 0; i < x0.length; i++) x0[i] *= sigma0;
        Close.assertClose("initial latents", x0, tensor(e.get("initial_latents").asText()), 1e-6, 1e-6);
        float[] ref = tensor(e.get("final_latents").get("key").asText());
        double maxRef = 1;
        for (float v : ref) maxRef = Math.max(maxRef, Math.abs(v));
        Close.assertClose("final latents", r.latents().data(), ref, 1e-3 * maxRef, 0);

        Tensor img = r.image();
        int h = img.dim(2), w = img.dim(3);
        BufferedImage ours = PngFiles.toImage(img.data(), w, h);
        BufferedImage png = ImageIO.read(Fixtures.resolveIndexPath(e.get("png").asText()).toFile());
        int worst = 0;
        for (int yy = 0; yy < h; yy++)
            for (int xx = 0; xx < w; xx++) {
                int p = ours.getRGB(xx, yy), q = png.getRGB(xx, yy);
                for (int s = 0; s < 24; s += 8) worst = Math.max(worst, Math.abs(((p >> s) & 255) - ((q >> s) & 255)));
            }
        assertThat(worst).as("max PNG channel difference").isLessThanOrEqualTo(1);

        // the base pipeline is untouched by the adapted one it made
        assertThat(base.generate(req, RunHooks.NONE).latents().data()).as("base pipeline after the adapted run").isEqualTo(baseBefore);
    }
}
