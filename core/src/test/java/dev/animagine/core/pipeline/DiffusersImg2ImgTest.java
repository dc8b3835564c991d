package dev.animagine.core.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.animagine.core.image.ImageFiles;
import dev.animagine.core.image.InpaintMask;
import dev.animagine.core.image.PixelImage;
import dev.animagine.core.sampling.DiffusersSampler;
import dev.animagine.core.sampling.Sampler;
import dev.animagine.core.sampling.ScheduleType;
import dev.animagine.core.sampling.Scheduler;
import dev.animagine.core.sampling.TorchGenerator;
import dev.animagine.core.tensor.Tensor;
import dev.animagine.core.testing.Close;
import dev.animagine.core.testing.Fixtures;
import dev.animagine.core.testing.PipelineCases;
import dev.animagine.core.text.A1111Settings;
import dev.animagine.core.text.PromptMode;
import dev.animagine.core.vae.VaeTiling;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * End to end against diffusers v0.27.2 on every case of img2img/, inpaint/ and hires/: the stages of
 * {@link DiffusersImg2Img} composed as diffusers' pipelines run them (read the init image and mask,
 * VAE-encode with the run's generator, add_noise at the first timestep run, the loop with the
 * inpainting blend, the latent upscale and the second pass). Tolerances from the READMEs: image and
 * start latents 1e-4 absolute; per-step and final latents 1e-3 relative to max(1, max|ref|); masks
 * exact; image 2e-3; PNG within 1/255 per channel.
 */
class DiffusersImg2ImgTest {
    static final Pattern SEED = Pattern.compile("manual_seed\\((\\d+)\\)");

    @TestFactory
    List<DynamicTest> img2imgMatchesDiffusers() {
        return cases("img2img", this::img2img);
    }

    @TestFactory
    List<DynamicTest> inpaintMatchesDiffusers() {
        return cases("inpaint", this::inpaint);
    }

    @TestFactory
    List<DynamicTest> hiresMatchesDiffusers() {
        return cases("hires", this::hires);
    }

    static List<DynamicTest> cases(String category, Consumer<JsonNode> check) {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : Fixtures.cases(category)) tests.add(DynamicTest.dynamicTest(c.get("id").asText(), () -> check.accept(c)));
        assertThat(tests).as(category + " cases").isNotEmpty();
        return tests;
    }

    // ---- img2img ----

    void img2img(JsonNode c) {
        String file = "img2img/img2img.safetensors";
        StableDiffusionXLPipeline p = PipelineTest.pipeline(c.get("model").get("path").asText());
        JsonNode a = c.get("pipeline_args"), eff = c.get("effective");
        PixelImage init = ImageFiles.readRgbOnWhite(Fixtures.resolveIndexPath(c.get("inputs").get("init_image").asText()));
        int[] size = ImageFiles.defaultSize(init.width(), init.height());
        assertThat(size).containsExactly(eff.get("width").asInt(), eff.get("height").asInt());
        GenerationRequest req = request(c, a, size[0], size[1], a.get("num_inference_steps").asInt());
        Scheduler s = p.scheduler(req);
        assertThat(s.timesteps()).containsExactly(floats(c.get("timesteps_full")));
        TorchGenerator g = new TorchGenerator(seed(a.get("generator").asText()));
        int[] shape = ints(eff.get("latent_shape"));

        float[] imageLatents = DiffusersImg2Img.encodeImageLatents(p.vae(), init.toTensor(), g, VaeTiling.DEFAULT);
        Close.assertClose("image_latents", imageLatents, t(file, c, "image_latents"), 1e-4, 0);
        DiffusersImg2Img.Start start = DiffusersImg2Img.img2imgStart(s, imageLatents, a.get("strength").asDouble(), g, shape);
        assertThat(runTimesteps(s, start)).containsExactly(floats(c.get("timesteps_run")));
        assertThat(start.noise()).containsExactly(t(file, c, "initial_noise"));
        Close.assertClose("start_latents", start.latents(), t(file, c, "start_latents"), 1e-4, 0);

        TextConditioning text = p.encodePrompts(req);
        var cond = StableDiffusionXLPipeline.unetConditioning(text, req);
        assertThat(cond.timeIds()).startsWith(floats(eff.get("add_time_ids")));
        List<float[]> perStep = new ArrayList<>();
        float[] fin = p.denoise(req, text, new DiffusersSampler(s, g), start.latents(), start.steps()[0], collect(perStep));
        checkSteps(file, c, c.get("expected").get("per_step_latents"), perStep);
        checkFinal(p, file, c, fin, shape);
    }

    // ---- inpaint ----

    void inpaint(JsonNode c) {
        String file = "inpaint/inpaint.safetensors";
        StableDiffusionXLPipeline p = PipelineTest.pipeline(c.get("model").get("path").asText());
        JsonNode a = c.get("pipeline_args"), eff = c.get("effective");
        PixelImage init = ImageFiles.readRgbOnWhite(Fixtures.resolveIndexPath(c.get("inputs").get("init_image").asText()));
        PixelImage maskImage = ImageFiles.read(Fixtures.resolveIndexPath(c.get("inputs").get("mask").asText()));
        int w = a.get("width").asInt(), h = a.get("height").asInt();
        assertThat(init.width()).isEqualTo(w);
        assertThat(init.height()).isEqualTo(h);
        GenerationRequest req = request(c, a, w, h, a.get("num_inference_steps").asInt());
        Scheduler s = p.scheduler(req);
        TorchGenerator g = new TorchGenerator(seed(a.get("generator").asText()));
        int[] shape = ints(eff.get("latent_shape"));

        Tensor binarized = InpaintMask.diffusersBinarize(maskImage);
        assertThat(binarized.data()).containsExactly(t(file, c, "mask_binarized"));
        Tensor maskLatent = InpaintMask.diffusersLatentMask(binarized, shape[2], shape[3]);
        assertThat(maskLatent.data()).containsExactly(t(file, c, "mask_latent"));

        float[] imageLatents = DiffusersImg2Img.encodeImageLatents(p.vae(), init.toTensor(), g, VaeTiling.DEFAULT);
        Close.assertClose("image_latents", imageLatents, t(file, c, "image_latents"), 1e-4, 0);
        DiffusersImg2Img.Start start = DiffusersImg2Img.inpaintStart(s, imageLatents, a.get("strength").asDouble(), g, shape);
        assertThat(runTimesteps(s, start)).containsExactly(floats(c.get("timesteps_run")));
        assertThat(start.noise()).containsExactly(t(file, c, "initial_noise"));
        Close.assertClose("start_latents", start.latents(), t(file, c, "start_latents"), 1e-4, 0);
        DiffusersImg2Img.skipMaskedImageDraw(g, shape);

        DiffusersSampler sampler = new DiffusersSampler(s, g);
        List<float[]> perStep = new ArrayList<>();
        InpaintLatentBlend blend = new InpaintLatentBlend(sampler, start.steps()[0], maskLatent.data(), imageLatents, start.noise(), collect(perStep));
        float[] fin = p.denoise(req, p.encodePrompts(req), sampler, start.latents(), start.steps()[0], blend);
        checkSteps(file, c, c.get("expected").get("per_step_latents"), perStep);
        checkFinal(p, file, c, fin, shape);
    }

    // ---- hires ----

    void hires(JsonNode c) {
        String file = "hires/hires.safetensors";
        StableDiffusionXLPipeline p = PipelineTest.pipeline(c.get("model").get("path").asText());
        JsonNode a1 = c.get("pass1").get("args"), a2 = c.get("pass2").get("args"), up = c.get("upscale");
        int w = a1.get("width").asInt(), h = a1.get("height").asInt();
        GenerationRequest req1 = request(c, a1, w, h, a1.get("num_inference_steps").asInt());
        long seed = seed(a1.get("generator").asText());
        TorchGenerator g = new TorchGenerator(seed);
        Scheduler s1 = p.scheduler(req1);
        int[] shape1 = {1, p.unet().config().inChannels(), h / 8, w / 8};
        TextConditioning text = p.encodePrompts(req1);
        DiffusersImg2Img.Start start1 = DiffusersImg2Img.txt2imgStart(s1, g, shape1);
        assertThat(start1.noise()).containsExactly(t(file, c, "pass1_initial_noise"));
        float[] pass1 = p.denoise(req1, text, new DiffusersSampler(s1, g), start1.latents(), 0, RunHooks.NONE);
        checkRel("pass1_final_latents", pass1, t(file, c, "pass1_final_latents"));

        LatentUpscaler upscaler = java.util.Arrays.stream(LatentUpscaler.values())
                .filter(u -> u.mode().name().toLowerCase().replace('_', '-').equals(up.get("mode").asText()) && u.antialias() == up.get("antialias").asBoolean())
                .findFirst().orElseThrow();
        double scale = up.get("scale").asDouble();
        int h2 = LatentUpscaler.spaceLatentSize(shape1[2], scale), w2 = LatentUpscaler.spaceLatentSize(shape1[3], scale);
        Tensor upscaled = upscaler.upscale(new Tensor(pass1, shape1), h2, w2);
        checkRel("upscaled_latents", upscaled.data(), t(file, c, "upscaled_latents"));

        boolean shared = c.get("generator_mode").asText().startsWith("shared");
        TorchGenerator g2 = shared ? g : new TorchGenerator(seed);
        int steps2 = a2.get("num_inference_steps").asInt();
        GenerationRequest req2 = request(c, a2, 8 * w2, 8 * h2, steps2);
        Scheduler s2 = p.scheduler(req2);
        int[] shape2 = {1, shape1[1], h2, w2};
        DiffusersImg2Img.Start start2 = DiffusersImg2Img.img2imgStart(s2, upscaled.data(), a2.get("strength").asDouble(), g2, shape2);
        assertThat(runTimesteps(s2, start2)).containsExactly(floats(c.get("pass2").get("timesteps_run")));
        assertThat(start2.noise()).containsExactly(t(file, c, "pass2_initial_noise"));
        checkRel("pass2_start_latents", start2.latents(), t(file, c, "pass2_start_latents"));
        var cond2 = StableDiffusionXLPipeline.unetConditioning(text, req2);
        assertThat(cond2.timeIds()).startsWith(floats(c.get("pass2").get("add_time_ids")));
        List<float[]> perStep = new ArrayList<>();
        float[] fin = p.denoise(req2, text, new DiffusersSampler(s2, g2), start2.latents(), start2.steps()[0], collect(perStep));
        checkSteps(file, c, c.get("expected").get("pass2_per_step_latents"), perStep);
        checkFinal(p, file, c, fin, shape2);
    }

    // ---- helpers ----

    /** Hooks keeping a copy of the latents after every step. */
    static RunHooks collect(List<float[]> perStep) {
        return new RunHooks() {
            @Override
            public void afterStep(int step, int total, float sigma, float timestep, float[] latents, int[] shape) {
                perStep.add(latents.clone());
            }
        };
    }

    static GenerationRequest request(JsonNode c, JsonNode args, int w, int h, int steps) {
        JsonNode neg = args.get("negative_prompt");
        return new GenerationRequest(args.get("prompt").asText(), neg == null || neg.isNull() ? null : neg.asText(), w, h, steps,
                args.get("guidance_scale").asDouble(), sampler(c), schedule(c), 0, PromptMode.DIFFUSERS, A1111Settings.DEFAULTS, 1,
                w, h, 0, 0, w, h);
    }

    static Sampler sampler(JsonNode c) {
        return Sampler.byId(c.get("sampler").asText().replace("_karras", ""));
    }

    static ScheduleType schedule(JsonNode c) {
        return c.get("sampler").asText().endsWith("_karras") ? ScheduleType.KARRAS : ScheduleType.DEFAULT;
    }

    static long seed(String generator) {
        Matcher m = SEED.matcher(generator);
        if (!m.find()) throw new IllegalArgumentException(generator);
        return Long.parseLong(m.group(1));
    }

    static float[] runTimesteps(Scheduler s, DiffusersImg2Img.Start start) {
        float[] ts = s.timesteps(), out = new float[start.steps().length];
        for (int i = 0; i < out.length; i++) out[i] = ts[start.steps()[i]];
        return out;
    }

    static float[] t(String file, JsonNode c, String name) {
        return Fixtures.tensor(file, c.get("id").asText() + "/" + name).toFloats();
    }

    static void checkSteps(String file, JsonNode c, JsonNode keys, List<float[]> ours) {
        assertThat(ours).hasSize(keys.size());
        for (int i = 0; i < keys.size(); i++)
            checkRel("step " + i, ours.get(i), Fixtures.tensor(file, keys.get(i).asText()).toFloats());
    }

    static void checkRel(String what, float[] ours, float[] ref) {
        double m = 1;
        for (float v : ref) m = Math.max(m, Math.abs(v));
        Close.assertClose(what, ours, ref, 1e-3 * m, 0);
    }

    static void checkFinal(StableDiffusionXLPipeline p, String file, JsonNode c, float[] fin, int[] shape) {
        checkRel("final_latents", fin, t(file, c, "final_latents"));
        Tensor img = p.decode(new Tensor(fin, shape));
        int h = img.dim(2), w = img.dim(3);
        float[] nhwc = t(file, c, "image_nhwc_0_1");
        float[] chw = new float[nhwc.length];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int ch = 0; ch < 3; ch++) chw[(ch * h + y) * w + x] = nhwc[(y * w + x) * 3 + ch];
        Close.assertClose("image", img.data(), chw, 2e-3, 0);
        try {
            BufferedImage ours = PngFiles.toImage(img.data(), w, h);
            BufferedImage ref = ImageIO.read(Fixtures.resolveIndexPath(c.get("expected").get("png").asText()).toFile());
            int worst = 0;
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) {
                    int u = ours.getRGB(x, y), v = ref.getRGB(x, y);
                    for (int s = 0; s < 24; s += 8) worst = Math.max(worst, Math.abs(((u >> s) & 255) - ((v >> s) & 255)));
                }
            assertThat(worst).as("max PNG channel difference").isLessThanOrEqualTo(1);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static int[] ints(JsonNode a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).asInt();
        return r;
    }

    static float[] floats(JsonNode a) {
        float[] r = new float[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = (float) a.get(i).asDouble();
        return r;
    }
}
