package dev.animagine.core.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.animagine.core.io.Checkpoint;
import dev.animagine.core.sampling.Sampler;
import dev.animagine.core.sampling.ScheduleType;
import dev.animagine.core.tensor.Tensor;
import dev.animagine.core.testing.Close;
import dev.animagine.core.testing.Fixtures;
import dev.animagine.core.testing.PngCompare;
import dev.animagine.core.testing.PipelineCases;
import dev.animagine.core.testing.TestModels;
import dev.animagine.core.text.PromptMode;
import dev.animagine.core.text.TokenizerLocator;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * End to end in diffusers-compatible mode against StableDiffusionXLPipeline with a CPU generator:
 * every case of pipeline/index.json (samplers, sizes, CFG on/off, negatives, size conditioning).
 * Tolerances: initial latents 1e-6, final latents 1e-3 absolute, PNG within 1/255 per channel.
 */
class PipelineTest {
    static final String FILE = "pipeline/pipeline.safetensors";

    @TestFactory
    List<DynamicTest> pipelineMatchesDiffusers() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : Fixtures.cases("pipeline"))
            tests.add(DynamicTest.dynamicTest(c.get("id").asText(), () -> check(c)));
        return tests;
    }

    /** text_encoders/index.json "encode_with_negative": diffusers' negative handling (None -> zeros, "" encoded). */
    @TestFactory
    List<DynamicTest> negativeConditioningLikeDiffusers() {
        List<DynamicTest> tests = new ArrayList<>();
        JsonNode index = Fixtures.json("text_encoders/index.json");
        for (JsonNode set : index.get("model_sets")) {
            String path = set.get("model").get("path").asText();
            for (JsonNode id : set.get("cases")) {
                JsonNode c = caseById(index, id.asText());
                if (!c.get("kind").asText().equals("encode_with_negative")) continue;
                JsonNode in = c.get("inputs"), e = c.get("expected");
                tests.add(DynamicTest.dynamicTest(id.asText(), () -> {
                    StableDiffusionXLPipeline p = pipeline(path);
                    GenerationRequest req = GenerationRequest.of(in.get("prompt").asText(),
                            in.get("negative_prompt").isNull() ? null : in.get("negative_prompt").asText(), 64, 64, 1,
                            in.get("do_classifier_free_guidance").asBoolean() ? 5.0 : 1.0, Sampler.EULER, ScheduleType.DEFAULT, 0, PromptMode.DIFFUSERS);
                    TextConditioning tc = p.encodePrompts(req);
                    String f = "text_encoders/text_encoders.safetensors";
                    Close.assertClose("prompt_embeds", tc.positive().hiddenStates(), Fixtures.tensor(f, e.get("prompt_embeds").get("key").asText()).toFloats(), 1e-4, 1e-4);
                    Close.assertClose("pooled", tc.positive().pooled(), Fixtures.tensor(f, e.get("pooled_prompt_embeds").get("key").asText()).toFloats(), 1e-4, 1e-4);
                    Close.assertClose("negative_prompt_embeds", tc.negative().hiddenStates(), Fixtures.tensor(f, e.get("negative_prompt_embeds").get("key").asText()).toFloats(), 1e-4, 1e-4);
                    Close.assertClose("negative pooled", tc.negative().pooled(), Fixtures.tensor(f, e.get("negative_pooled_prompt_embeds").get("key").asText()).toFloats(), 1e-4, 1e-4);
                    if (c.path("negative_is_all_zeros").asBoolean(false)) {
                        for (float v : tc.negative().hiddenStates()) assertThat(v).isZero();
                        for (float v : tc.negative().pooled()) assertThat(v).isZero();
                    }
                }));
            }
        }
        return tests;
    }

    static JsonNode caseById(JsonNode index, String id) {
        for (JsonNode x : index.get("cases")) if (x.get("id").asText().equals(id)) return x;
        throw new IllegalArgumentException(id);
    }

    static StableDiffusionXLPipeline pipeline(String indexPath) {
        Checkpoint ckpt = TestModels.open(indexPath);
        Path folder = ckpt.layout().equals("diffusers") ? ckpt.path() : TestModels.diffusersFolderOf(ckpt.path());
        return new StableDiffusionXLPipeline(ckpt, TokenizerLocator.find(folder, null));
    }

    static float[] tensor(String key) {
        return Fixtures.tensor(FILE, key).toFloats();
    }

    /** The request diffusers ran: pipeline_args mapped to our parameters. */
    static GenerationRequest request(JsonNode c) {
        JsonNode a = c.get("pipeline_args");
        int w = a.get("width").asInt(), h = a.get("height").asInt();
        JsonNode orig = a.get("original_size"), target = a.get("target_size"), crop = a.get("crops_coords_top_left");
        return new GenerationRequest(a.get("prompt").asText(), a.get("negative_prompt").isNull() ? null : a.get("negative_prompt").asText(),
                w, h, a.get("num_inference_steps").asInt(), a.get("guidance_scale").asDouble(), PipelineCases.sampler(c),
                PipelineCases.schedule(c), PipelineCases.seed(c), PromptMode.DIFFUSERS, dev.animagine.core.text.A1111Settings.DEFAULTS, 1,
                orig.isNull() ? w : orig.get(1).asInt(), orig.isNull() ? h : orig.get(0).asInt(),
                crop.get(0).asInt(), crop.get(1).asInt(),
                target.isNull() ? w : target.get(1).asInt(), target.isNull() ? h : target.get(0).asInt());
    }

    static void check(JsonNode c) throws Exception {
        StableDiffusionXLPipeline p = pipeline(c.get("model").get("path").asText());
        GenerationRequest req = request(c);
        JsonNode e = c.get("expected");
        // the conditioning batch the UNet sees at step 0
        JsonNode step0 = e.get("step0_conditioning");
        var unetCond = StableDiffusionXLPipeline.unetConditioning(p.encodePrompts(req), req);
        Close.assertClose("prompt_embeds batch", unetCond.encoderHiddenStates(), tensor(step0.get("prompt_embeds").asText()), 1e-4, 1e-4);
        Close.assertClose("add_text_embeds batch", unetCond.textEmbeds(), tensor(step0.get("add_text_embeds").asText()), 1e-4, 1e-4);
        Close.assertClose("add_time_ids batch", unetCond.timeIds(), tensor(step0.get("add_time_ids").asText()), 0, 0);

        ImageResult r = p.generate(req, RunHooks.NONE);
        float[] timesteps = new float[c.get("timesteps").size()];
        for (int i = 0; i < timesteps.length; i++) timesteps[i] = (float) c.get("timesteps").get(i).asDouble();
        assertThat(r.timesteps()).containsExactly(timesteps);
        float[] initial = r.initialNoise().clone();
        float sigma0 = p.scheduler(req).initNoiseSigma();
        for (int i = 0; i < initial.length; i++) initial[i] *= sigma0;
        Close.assertClose("initial latents", initial, tensor(e.get("initial_latents").asText()), 1e-6, 1e-6);
        Close.assertClose("final latents", r.latents().data(), tensor(e.get("final_latents").get("key").asText()), 1e-3, 0);
        // image: NCHW here, NHWC in the fixture
        Tensor img = r.image();
        int h = img.dim(2), w = img.dim(3);
        float[] nhwc = tensor(e.get("image_nhwc_0_1").get("key").asText());
        float[] chw = new float[nhwc.length];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int ch = 0; ch < 3; ch++) chw[(ch * h + y) * w + x] = nhwc[(y * w + x) * 3 + ch];
        Close.assertClose("image", img.data(), chw, 1e-3, 0);
        // PNG pixels within 1/255 of the reference PNG
        BufferedImage ref = ImageIO.read(Fixtures.resolveIndexPath(e.get("png").asText()).toFile());
        PngCompare.assertWithinOneLevel(PngFiles.toImage(img.data(), w, h), ref);
    }

    /**
     * A prompt and negative of different lengths (A1111 chunks): both are repeated up to their least
     * common multiple, and the UNet's output does not change when a context is repeated.
     */
    @org.junit.jupiter.api.Test
    void contextsOfDifferentLengthsAreRepeatedWithoutChangingTheUNet() {
        JsonNode c = Fixtures.cases("unet").getFirst();
        StableDiffusionXLPipeline p = pipeline(c.get("model").get("path").asText());
        var unet = p.unet();
        int width = unet.config().crossAttentionDim(), pooled = unet.config().pooledTextDim();
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        float[] pos = new float[154 * width], neg = new float[77 * width], pool = new float[pooled];
        for (int i = 0; i < pos.length; i++) pos[i] = (float) r.nextGaussian();
        for (int i = 0; i < neg.length; i++) neg[i] = (float) r.nextGaussian();
        var emb = new dev.animagine.core.text.SdxlTextEncoder.Embedding(pos, 154, width, pool);
        var negEmb = new dev.animagine.core.text.SdxlTextEncoder.Embedding(neg, 77, width, pool);
        GenerationRequest req = GenerationRequest.of("x", "y", 64, 64, 1, 5, Sampler.EULER, ScheduleType.DEFAULT, 0, PromptMode.A1111);
        var cond = StableDiffusionXLPipeline.unetConditioning(new TextConditioning(emb, negEmb, null, null), req);
        assertThat(cond.contextTokens()).isEqualTo(154);
        float[] ctx = cond.encoderHiddenStates();
        for (int i = 0; i < neg.length; i++) {
            assertThat(ctx[i]).isEqualTo(neg[i]);
            assertThat(ctx[neg.length + i]).isEqualTo(neg[i]);
        }
        for (int i = 0; i < pos.length; i++) assertThat(ctx[2 * neg.length + i]).isEqualTo(pos[i]);

        float[] sample = new float[4 * 8 * 8];
        for (int i = 0; i < sample.length; i++) sample[i] = (float) r.nextGaussian();
        float[] ids = {64, 64, 0, 0, 64, 64};
        float[] once = unet.forward(new Tensor(sample.clone(), 1, 4, 8, 8), new float[] {500},
                new dev.animagine.core.unet.UNet2DConditionModel.Conditioning(neg, 77, pool, ids)).data().clone();
        float[] twice = unet.forward(new Tensor(sample.clone(), 1, 4, 8, 8), new float[] {500},
                new dev.animagine.core.unet.UNet2DConditionModel.Conditioning(java.util.Arrays.copyOf(ctx, 2 * neg.length), 154, pool, ids)).data();
        Close.assertClose("UNet with the context repeated twice", twice, once, 1e-5, 1e-5);
    }
}
