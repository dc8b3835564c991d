package dev.animagine.core.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.animagine.core.io.Checkpoint;
import dev.animagine.core.io.Component;
import dev.animagine.core.lora.LoraStack;
import dev.animagine.core.sampling.Scheduler;
import dev.animagine.core.sampling.TorchGenerator;
import dev.animagine.core.tensor.Tensor;
import dev.animagine.core.testing.Close;
import dev.animagine.core.testing.Fixtures;
import dev.animagine.core.testing.PipelineCases;
import dev.animagine.core.testing.TestModels;
import dev.animagine.core.text.ClipTextModel;
import dev.animagine.core.text.PromptMode;
import dev.animagine.core.text.PromptTokenizer;
import dev.animagine.core.text.SdxlTextEncoder;
import dev.animagine.core.text.SdxlTextEncoder.Embedding;
import dev.animagine.core.text.TokenizedPrompt;
import dev.animagine.core.text.TokenizerLocator;
import dev.animagine.core.unet.UNet2DConditionModel;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pipeline cases of lora/index.json (StableDiffusionXLPipeline with merged adapters), composed
 * from the pipeline's parts with adapted text encoders and UNet, since the pipeline does not take
 * adapters yet: conditioning within 1e-4, final latents within 1e-3·max(1, max|ref|), PNG within
 * 1/255.
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
        try (LoraStack stack = LoraStack.open(ckpt.architecture(), loras)) {
            SdxlTextEncoder enc = new SdxlTextEncoder(
                    new ClipTextModel(ckpt.architecture().textEncoder(), stack.apply(ckpt.textEncoder(), Component.TEXT_ENCODER)),
                    new ClipTextModel(ckpt.architecture().textEncoder2(), stack.apply(ckpt.textEncoder2(), Component.TEXT_ENCODER_2)));
            UNet2DConditionModel unet = new UNet2DConditionModel(ckpt.architecture().unet(), stack.apply(ckpt.unet(), Component.UNET));

            TextConditioning cond = encode(enc, ckpt, req);
            JsonNode e = c.get("expected"), ce = e.get("conditioning");
            Close.assertClose("prompt_embeds", cond.positive().hiddenStates(), tensor(ce.get("prompt_embeds").get("key").asText()), 1e-4, 0);
            Close.assertClose("pooled_prompt_embeds", cond.positive().pooled(), tensor(ce.get("pooled_prompt_embeds").get("key").asText()), 1e-4, 0);
            Close.assertClose("negative_prompt_embeds", cond.negative().hiddenStates(), tensor(ce.get("negative_prompt_embeds").get("key").asText()), 1e-4, 0);
            Close.assertClose("negative_pooled_prompt_embeds", cond.negative().pooled(),
                    tensor(ce.get("negative_pooled_prompt_embeds").get("key").asText()), 1e-4, 0);

            // the denoising loop of StableDiffusionXLPipeline.generate with the adapted UNet
            Scheduler scheduler = base.scheduler(req);
            TorchGenerator generator = new TorchGenerator(req.seed());
            int lc = unet.config().inChannels(), lh = req.height() / 8, lw = req.width() / 8;
            float[] x = generator.randn(1, lc, lh, lw);
            float sigma0 = scheduler.initNoiseSigma();
            for (int i = 0; i < x.length; i++) x[i] *= sigma0;
            Close.assertClose("initial latents", x, tensor(e.get("initial_latents").asText()), 1e-6, 1e-6);
            UNet2DConditionModel.Conditioning unetCond = StableDiffusionXLPipeline.unetConditioning(cond, req);
            float[] timesteps = scheduler.timesteps();
            int[] shape = {1, lc, lh, lw};
            for (int i = 0; i < timesteps.length; i++) {
                float[] eps = StableDiffusionXLPipeline.guidedNoise(unet, scheduler.scaleModelInput(x, i), shape, timesteps[i], unetCond, req.cfgScale());
                x = scheduler.step(eps, i, x, generator);
            }
            float[] ref = tensor(e.get("final_latents").get("key").asText());
            double maxRef = 1;
            for (float v : ref) maxRef = Math.max(maxRef, Math.abs(v));
            Close.assertClose("final latents", x, ref, 1e-3 * maxRef, 0);

            Tensor img = base.decode(new Tensor(x, shape));
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
        }
    }

    /** StableDiffusionXLPipeline.encode in diffusers mode: a null negative is zeros, "" is encoded. */
    private static TextConditioning encode(SdxlTextEncoder enc, Checkpoint ckpt, GenerationRequest req) {
        PromptTokenizer tok = new PromptTokenizer(TokenizerLocator.find(ckpt.path(), null), PromptMode.DIFFUSERS);
        TokenizedPrompt pt = tok.tokenize(req.prompt());
        if (req.negativePrompt() == null && ckpt.forceZerosForEmptyPrompt()) {
            Embedding pos = enc.encode(pt, 1);
            return new TextConditioning(pos, Embedding.zeros(pos.tokens(), pos.width(), enc.pooledWidth()), pt, null);
        }
        TokenizedPrompt nt = tok.tokenize(req.negativePrompt() == null ? "" : req.negativePrompt());
        List<Embedding> both = enc.encodeAll(List.of(pt, nt), 1);
        return new TextConditioning(both.get(0), both.get(1), pt, nt);
    }
}
