package dev.animagine.core.sampling.a1111;

import com.fasterxml.jackson.databind.JsonNode;
import dev.animagine.core.io.Checkpoint;
import dev.animagine.core.sampling.KDenoiser;
import dev.animagine.core.tensor.Tensor;
import dev.animagine.core.testing.Close;
import dev.animagine.core.testing.Fixtures;
import dev.animagine.core.testing.TestModels;
import dev.animagine.core.text.A1111Settings;
import dev.animagine.core.text.ClipTextModel;
import dev.animagine.core.text.PromptMode;
import dev.animagine.core.text.PromptTokenizer;
import dev.animagine.core.text.SdxlTextEncoder;
import dev.animagine.core.text.TokenizerLocator;
import dev.animagine.core.unet.UNet2DConditionModel;
import dev.animagine.core.vae.AutoencoderKL;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Every pipeline case of {@code a1111_sampling/index.json} (the "A_*" txt2img runs of A1111's own
 * sampler stack) composed from our parts, twice: (1) step by step from the fixture's text conditioning,
 * the miniature UNet behind {@link CfgDenoiser}, our sigmas, image RNG, Brownian tree and samplers, then
 * the VAE; (2) prompt to image through our text encoders and {@link A1111Sampling#run}. (1) checks
 * the initial noise and every later RNG draw (1e-6 NV / 2e-6 CPU), sigmas (1e-6 relative), the Brownian
 * queries (1e-5), the UNet batch sizes, every callback's x and denoised and the final latents (1e-3
 * relative to max(1, max|ref|)), the image (1e-3) and the PNG bytes (1/255); (2) the conditioning (1e-4),
 * latents, callback and UNet call counts, infotext entries and image.
 */
class A1111SamplingCasesTest {
    static final String FILE = SamplerSigmasTest.FILE;
    private static final Map<String, UNet2DConditionModel> UNETS = new ConcurrentHashMap<>();
    private static final Map<String, AutoencoderKL> VAES = new ConcurrentHashMap<>();
    private static final Map<String, SdxlTextEncoder> ENCODERS = new ConcurrentHashMap<>();

    static float[] t(String key) {
        return Fixtures.tensor(FILE, key).toFloats();
    }

    @TestFactory
    List<DynamicTest> everyPipelineCase() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : Fixtures.cases("a1111_sampling")) tests.add(DynamicTest.dynamicTest(c.get("id").asText(), () -> run(c)));
        assertThat(tests).hasSizeGreaterThan(0);
        return tests;
    }

    /**
     * Prompt to image: our text encoders (A1111 prompt reading) and the one-call entry point give A1111's
     * conditioning (1e-4), final latents, callbacks count, UNet calls, infotext entries and image.
     */
    @TestFactory
    List<DynamicTest> everyPipelineCaseThroughTheEntryPoint() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : Fixtures.cases("a1111_sampling")) tests.add(DynamicTest.dynamicTest(c.get("id").asText(), () -> runEntryPoint(c)));
        assertThat(tests).hasSizeGreaterThan(0);
        return tests;
    }

    private static void runEntryPoint(JsonNode c) {
        String id = c.get("id").asText();
        JsonNode in = c.get("inputs"), e = c.get("expected");
        A1111Sampler.Choice choice = A1111Sampler.parse(in.get("sampler").asText(), in.get("schedule").asText());
        JsonNode resize = in.get("seed_resize_from_h_w");
        A1111Request r = new A1111Request(choice.sampler(), choice.schedule(), RngSource.byId(in.get("rng").asText()), seedList(in),
                in.get("subseed").isNull() ? null : new long[] {in.get("subseed").asLong()}, in.get("subseed_strength").asDouble(),
                resize.isNull() ? 0 : resize.get(0).asInt(), resize.isNull() ? 0 : resize.get(1).asInt(), in.get("eta_noise_seed_delta").asLong(),
                in.get("steps").asInt(), in.get("cfg_scale").asDouble(), in.get("s_min_uncond").asDouble(), in.get("s_min_uncond_all").asBoolean(),
                new SamplerOptions(choice.sampler().timestepBased() ? 1 : in.get("eta").asDouble(), in.get("s_noise").asDouble(), 0, 0, 0),
                ScheduleOptions.DEFAULTS, choice.sampler().timestepBased() ? in.get("eta").asDouble() : 0);
        int w = in.get("width").asInt(), h = in.get("height").asInt();
        int[] steps = {0};
        A1111Sampling.Result res = A1111Sampling.run(encodedUnet(c), DiscreteSchedule.sdxlAlphasCumprod(), channels(c), h / 8, w / 8, r,
                (i, total, sigma, sigmaHat, x, denoised) -> {
                    steps[0]++;
                    return true;
                });
        float[] want = t(e.get("latents").get("key").asText());
        Close.assertClose(id + " latents", res.latents(), want, 1e-3 * Math.max(1, maxAbs(want)), 0);
        assertThat(steps[0]).isEqualTo(c.get("callbacks").size());
        assertThat(res.unetCalls()).isEqualTo(c.get("a1111").get("unet_calls").asInt());
        Map<String, Object> info = new java.util.LinkedHashMap<>();
        c.get("a1111").get("infotext_params").properties().forEach(p -> info.put(p.getKey(),
                p.getValue().isBoolean() ? p.getValue().asBoolean() : p.getValue().isNumber() ? p.getValue().asDouble() : p.getValue().asText()));
        assertThat(res.infotext()).as(id + " infotext").isEqualTo(info);
        Close.assertClose(id + " image", decode(c, res.latents(), w, h), t(e.get("image_nchw_0_1").asText()), 1e-3, 0);
    }

    /** The UNet for [prompt, negative] rows as A1111 batches them, from the case's stored conditioning. */
    static ConditionedModel unet(JsonNode c) {
        JsonNode cc = c.get("conditioning");
        int tokens = (int) Fixtures.tensor(FILE, cc.get("cond").get("crossattn").asText()).shape()[0];
        return unet(c, t(cc.get("cond").get("crossattn").asText()), t(cc.get("uncond").get("crossattn").asText()),
                t(cc.get("cond").get("text_embeds").asText()), t(cc.get("uncond").get("text_embeds").asText()), tokens);
    }

    /** The same from our own text encoders: the prompts read as A1111 reads them (emphasis syntax, 75-token chunks). */
    static ConditionedModel encodedUnet(JsonNode c) {
        String path = c.get("model").get("path").asText();
        Checkpoint ckpt = TestModels.open(path);
        java.nio.file.Path folder = ckpt.layout().equals("diffusers") ? ckpt.path() : TestModels.diffusersFolderOf(ckpt.path());
        PromptTokenizer tok = new PromptTokenizer(TokenizerLocator.find(folder, null), PromptMode.A1111, A1111Settings.DEFAULTS);
        SdxlTextEncoder enc = ENCODERS.computeIfAbsent(path, p -> new SdxlTextEncoder(new ClipTextModel(ckpt.architecture().textEncoder(),
                ckpt.textEncoder()), new ClipTextModel(ckpt.architecture().textEncoder2(), ckpt.textEncoder2())));
        JsonNode in = c.get("inputs"), cc = c.get("conditioning");
        List<SdxlTextEncoder.Embedding> e = enc.encodeAll(List.of(tok.tokenize(in.get("prompt").asText()),
                tok.tokenize(in.get("negative_prompt").asText())), 1);
        String id = c.get("id").asText();
        Close.assertClose(id + " prompt", e.get(0).hiddenStates(), t(cc.get("cond").get("crossattn").asText()), 1e-4, 1e-4);
        Close.assertClose(id + " negative", e.get(1).hiddenStates(), t(cc.get("uncond").get("crossattn").asText()), 1e-4, 1e-4);
        Close.assertClose(id + " pooled", e.get(0).pooled(), t(cc.get("cond").get("text_embeds").asText()), 1e-4, 1e-4);
        Close.assertClose(id + " negative pooled", e.get(1).pooled(), t(cc.get("uncond").get("text_embeds").asText()), 1e-4, 1e-4);
        assertThat(e.get(1).tokens()).isEqualTo(e.get(0).tokens());
        return unet(c, e.get(0).hiddenStates(), e.get(1).hiddenStates(), e.get(0).pooled(), e.get(1).pooled(), e.get(0).tokens());
    }

    static ConditionedModel unet(JsonNode c, float[] cond, float[] uncond, float[] pooled, float[] uPooled, int tokens) {
        String path = c.get("model").get("path").asText();
        Checkpoint ckpt = TestModels.open(path);
        UNet2DConditionModel unet = UNETS.computeIfAbsent(path, p -> new UNet2DConditionModel(ckpt.architecture().unet(), ckpt.unet()));
        JsonNode in = c.get("inputs");
        int w = in.get("width").asInt(), h = in.get("height").asInt();
        float[] ids = {h, w, 0, 0, h, w};
        UNet2DConditionModel.Conditioning one = new UNet2DConditionModel.Conditioning(cond, tokens, pooled, ids);
        UNet2DConditionModel.Conditioning two = new UNet2DConditionModel.Conditioning(concat(cond, uncond), tokens,
                concat(pooled, uPooled), concat(ids, ids));
        int lh = h / 8, lw = w / 8, ch = unet.config().inChannels();
        return (xIn, timestep, rows) -> {
            float[] batch = rows == 1 ? xIn : concat(xIn, xIn);
            float[] ts = rows == 1 ? new float[] {timestep} : new float[] {timestep, timestep};
            float[] out = unet.forward(new Tensor(batch, rows, ch, lh, lw), ts, rows == 1 ? one : two).data();
            float[][] split = new float[rows][];
            for (int r = 0; r < rows; r++) split[r] = java.util.Arrays.copyOfRange(out, r * xIn.length, (r + 1) * xIn.length);
            return split;
        };
    }

    static float[] concat(float[] a, float[] b) {
        float[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Latent channels, from the stored initial noise's shape (1, C, H/8, W/8). */
    static int channels(JsonNode c) {
        return c.get("expected").get("initial_noise").get("shape").get(1).asInt();
    }

    static long[] seedList(JsonNode in) {
        return new long[] {PhiloxAndImageRngTest.seed(in.get("seed"))};
    }

    private static void run(JsonNode c) throws IOException {
        String id = c.get("id").asText();
        JsonNode in = c.get("inputs"), e = c.get("expected"), a = c.get("a1111");
        A1111Sampler.Choice choice = A1111Sampler.parse(in.get("sampler").asText(), in.get("schedule").asText());
        A1111Sampler sampler = choice.sampler();
        RngSource rngSource = RngSource.byId(in.get("rng").asText());
        double noiseTol = rngSource == RngSource.CPU ? 2e-6 : 1e-6;
        int w = in.get("width").asInt(), h = in.get("height").asInt();
        long[] seeds = seedList(in);
        long[] subseeds = in.get("subseed").isNull() ? null : new long[] {in.get("subseed").asLong()};
        JsonNode resize = in.get("seed_resize_from_h_w");
        ImageRng rng = new ImageRng(rngSource, channels(c), h / 8, w / 8, seeds, subseeds, in.get("subseed_strength").asDouble(),
                resize.isNull() ? 0 : resize.get(0).asInt(), resize.isNull() ? 0 : resize.get(1).asInt(), in.get("eta_noise_seed_delta").asLong());
        float[] noise = rng.next();
        Close.assertClose(id + " initial noise", noise, t(e.get("initial_noise").get("key").asText()), noiseTol, 0);
        // every later draw must match A1111's p.rng.next() in order
        JsonNode draws = e.get("rng_draws_after_first");
        int[] drawn = {0};
        NoiseSampler checkedRng = (s, n) -> {
            float[] z = rng.next();
            assertThat(drawn[0]).as(id + " rng draws").isLessThan(draws.size());
            Close.assertClose(id + " rng draw " + (drawn[0] + 1), z, t(draws.get(drawn[0]).asText()), noiseTol, 0);
            drawn[0]++;
            return z;
        };

        ConditionedModel unet = unet(c);
        float[] ac = t("const/alphas_cumprod");
        double cfg = in.get("cfg_scale").asDouble();
        List<float[][]> seen = new ArrayList<>();
        StepCallback record = (i, total, sigma, sigmaHat, x, denoised) -> {
            seen.add(new float[][] {x.clone(), denoised.clone(), {i, total, sigma, sigmaHat}});
            return true;
        };
        float[] latents;
        CfgDenoiser cfgDen;
        if (sampler.timestepBased()) {
            cfgDen = new CfgDenoiser(unet, cfg, in.get("s_min_uncond").asDouble(), in.get("s_min_uncond_all").asBoolean());
            int[] ts = TimestepSampler.timesteps(in.get("steps").asInt(), ac.length, false);
            JsonNode want = c.get("timesteps");
            assertThat(ts).as(id + " timesteps").hasSize(want.size());
            for (int i = 0; i < ts.length; i++) assertThat(ts[i]).isEqualTo(want.get(i).asInt());
            latents = TimestepSampler.sample(sampler, cfgDen, noise, ts, ac, in.get("eta").asDouble(), checkedRng, record);
        } else {
            boolean lcm = sampler == A1111Sampler.LCM;
            SigmaModel schedule = lcm ? LcmSchedule.of(ac) : new DiscreteSchedule(ac);
            ConditionedModel wrapped = lcm ? new LcmDenoiser(unet, (LcmSchedule) schedule) : new CompVisDenoiser(unet, schedule);
            cfgDen = new CfgDenoiser(wrapped, cfg, in.get("s_min_uncond").asDouble(), in.get("s_min_uncond_all").asBoolean());
            SamplerSigmas sigmas = SamplerSigmas.of(sampler, choice.schedule(), in.get("steps").asInt(), schedule);
            Close.assertClose(id + " sigmas", sigmas.sigmas(), t(id + "/sigmas"), 0, 1e-6);
            float[] x = new float[noise.length];
            for (int i = 0; i < x.length; i++) x[i] = noise[i] * sigmas.sigmas()[0];
            NoiseSampler ns = checkedRng;
            if (sampler.brownianNoise()) {
                BrownianTreeNoiseSampler tree = new BrownianTreeNoiseSampler(sigmas.sigmas(), seeds, noise.length, rngSource);
                JsonNode queries = c.get("brownian_queries");
                int[] q = {0};
                ns = (s, n) -> {
                    float[] z = tree.sample(s, n);
                    JsonNode want = queries.get(q[0]++);
                    // the sigmas match A1111's within an ulp (float32 exp), so the query times do too
                    assertThat((double) s).as(id + " brownian query sigma").isCloseTo(want.get("sigma").asDouble(), within(1e-6 * s));
                    assertThat((double) n).as(id + " brownian query sigma_next").isCloseTo(want.get("sigma_next").asDouble(), within(1e-6 * n));
                    Close.assertClose(id + " brownian " + (q[0] - 1), z, t(want.get("key").asText()), 1e-5, 1e-5);
                    return z;
                };
            }
            KDenoiser den = cfgDen;
            latents = KSampler.sample(sampler, den, x, sigmas.sigmas(), SamplerOptions.DEFAULTS.withEta(in.get("eta").asDouble()), ns, record);
        }
        assertThat(drawn[0]).as(id + " rng next() calls after the first").isEqualTo(a.get("rng_next_calls").asInt() - 1);
        List<Integer> batches = new ArrayList<>();
        a.get("unet_batch_sizes").forEach(b -> batches.add(b.asInt()));
        assertThat(cfgDen.batchRows()).as(id + " UNet batch sizes").isEqualTo(batches);

        float[] wantLatents = t(e.get("latents").get("key").asText());
        double tol = 1e-3 * Math.max(1, maxAbs(wantLatents));
        JsonNode cbs = c.get("callbacks");
        assertThat(seen).as(id + " callbacks").hasSize(cbs.size());
        for (int k = 0; k < cbs.size(); k++) {
            JsonNode cb = cbs.get(k);
            assertThat((int) seen.get(k)[2][0]).isEqualTo(cb.get("i").asInt());
            if (!sampler.timestepBased()) {
                assertThat((double) seen.get(k)[2][2]).as(id + " callback sigma " + k).isCloseTo(cb.get("sigma").asDouble(), within(1e-6 * cb.get("sigma").asDouble() + 1e-12));
                assertThat((double) seen.get(k)[2][3]).as(id + " callback sigma_hat " + k).isCloseTo(cb.get("sigma_hat").asDouble(), within(1e-6 * cb.get("sigma_hat").asDouble() + 1e-12));
            }
            Close.assertClose(id + " callback " + k + " x", seen.get(k)[0], t(cb.get("x").asText()), tol, 0);
            if (!cb.get("denoised").isNull())
                Close.assertClose(id + " callback " + k + " denoised", seen.get(k)[1], t(cb.get("denoised").asText()), tol, 0);
        }
        Close.assertClose(id + " latents", latents, wantLatents, tol, 0);
        System.out.printf("%s: latents max |diff| %.3g (tolerance %.3g)%n", id, Close.maxAbsDiff(latents, wantLatents), tol);

        float[] image = decode(c, latents, w, h);
        Close.assertClose(id + " image", image, t(e.get("image_nchw_0_1").asText()), 1e-3, 0);
        BufferedImage png = ImageIO.read(Fixtures.resolveIndexPath(e.get("png").asText()).toFile());
        int worst = 0;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                int rgb = png.getRGB(x, y);
                for (int ch = 0; ch < 3; ch++) {
                    int want = (rgb >> (16 - 8 * ch)) & 0xFF;
                    int got = (int) (255 * image[(ch * h + y) * w + x]);
                    worst = Math.max(worst, Math.abs(got - want));
                }
            }
        assertThat(worst).as(id + " PNG max difference").isLessThanOrEqualTo(1);
    }

    /** A1111's decode: VAE of latents · (1 / scaling factor), then clamp((x + 1)/2, 0, 1). */
    private static float[] decode(JsonNode c, float[] latents, int w, int h) {
        String path = c.get("model").get("path").asText();
        Checkpoint ckpt = TestModels.open(path);
        AutoencoderKL vae = VAES.computeIfAbsent(path, p -> new AutoencoderKL(ckpt.architecture().vae(), ckpt.vae()));
        float inv = (float) (1 / vae.config().scalingFactor());
        float[] z = new float[latents.length];
        for (int i = 0; i < z.length; i++) z[i] = latents[i] * inv;
        float[] d = vae.decode(new Tensor(z, 1, channels(c), h / 8, w / 8)).data();
        float[] out = new float[d.length];
        for (int i = 0; i < d.length; i++) out[i] = Math.clamp((d[i] + 1f) / 2f, 0f, 1f);
        return out;
    }

    private static double maxAbs(float[] v) {
        double m = 0;
        for (float f : v) m = Math.max(m, Math.abs(f));
        return m;
    }
}
