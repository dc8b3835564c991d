package dev.animagine.core.pipeline;

import dev.animagine.core.image.A1111InpaintInputs;
import dev.animagine.core.image.A1111Mask;
import dev.animagine.core.image.A1111Resize;
import dev.animagine.core.image.ImageFiles;
import dev.animagine.core.image.PixelImage;
import dev.animagine.core.sampling.Sampler;
import dev.animagine.core.sampling.ScheduleType;
import dev.animagine.core.sampling.a1111.A1111DenoisingSampler;
import dev.animagine.core.sampling.a1111.A1111Request;
import dev.animagine.core.sampling.a1111.A1111Sampler;
import dev.animagine.core.sampling.a1111.CfgDenoiser;
import dev.animagine.core.sampling.a1111.CompVisDenoiser;
import dev.animagine.core.sampling.a1111.ConditionedModel;
import dev.animagine.core.sampling.a1111.DiscreteSchedule;
import dev.animagine.core.sampling.a1111.ImageRng;
import dev.animagine.core.sampling.a1111.KSampler;
import dev.animagine.core.sampling.a1111.NoiseSampler;
import dev.animagine.core.sampling.a1111.RngSource;
import dev.animagine.core.sampling.a1111.SamplerOptions;
import dev.animagine.core.sampling.a1111.SamplerSigmas;
import dev.animagine.core.sampling.a1111.SigmaSchedule;
import dev.animagine.core.sampling.a1111.TimestepSampler;
import dev.animagine.core.tensor.BufferPool;
import dev.animagine.core.tensor.Buffers;
import dev.animagine.core.tensor.Tensor;
import dev.animagine.core.testing.Close;
import dev.animagine.core.testing.Fixtures;
import dev.animagine.core.text.PromptMode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A1111-mode img2img, inpainting and hires on the miniature model through {@link ImageToImage} with
 * A1111's sampler, against loops composed by hand from the public pieces as A1111's code runs them
 * ({@code StableDiffusionProcessingImg2Img.init / sample}, {@code KDiffusionSampler.sample_img2img},
 * {@code CompVisSampler.sample_img2img}, {@code sample_hr_pass}): VAE mean × scaling factor, the image
 * RNG's noise at {@code sigmas[steps - t_enc - 1]}, the sampler over the tail with the CFG denoiser, the
 * per-step and final blends. Same arithmetic, so the latents must agree to float rounding (1e-6).
 */
class A1111SampleImg2ImgTest {
    static final long SEED = 4242;
    static final double TOL = 1e-6;
    static final float[] AC = DiscreteSchedule.sdxlAlphasCumprod();
    static final Path INPUTS = Fixtures.path("inpaint").resolve("inputs");
    /** Over the shared test checkpoint (TestModels caches it; not closed here). */
    static StableDiffusionXLPipeline p;

    @BeforeAll
    static void open() {
        assertThat(Fixtures.cases("img2img")).isNotEmpty();
        p = PipelineTest.pipeline(Fixtures.cases("img2img").getFirst().get("model").get("path").asText());
    }

    static GenerationRequest req(int w, int h, int steps) {
        return GenerationRequest.of("1girl, solo", "lowres", w, h, steps, 5, Sampler.EULER_A, ScheduleType.DEFAULT, SEED, PromptMode.A1111);
    }

    static StableDiffusionXLPipeline.SamplerFactory factory(A1111Sampler s, SigmaSchedule schedule) {
        return (r, g) -> new A1111DenoisingSampler(A1111Request.of(s, schedule, RngSource.CPU, r.seed(), r.steps(), r.cfgScale()), AC);
    }

    /** Counts UNet evaluations. */
    static final class Counter implements RunHooks {
        int evaluations;

        @Override
        public void beforeEvaluation() {
            evaluations++;
        }
    }

    /** The UNet's prompt and negative rows for a request (what the pipeline's loop evaluates). */
    static ConditionedModel rows(GenerationRequest req, RunHooks hooks) {
        TextConditioning tc = p.encodePrompts(req);
        int[] shape = p.latentShape(req);
        ConditionedUnet u = new ConditionedUnet(p.unet(), tc, StableDiffusionXLPipeline.unetConditioning(tc, req), req, shape, hooks);
        return u::rows;
    }

    static float[] tail(A1111Sampler s, SigmaSchedule schedule, int steps, int tEnc) {
        float[] full = SamplerSigmas.of(s, schedule, steps, new DiscreteSchedule(AC)).sigmas();
        return Arrays.copyOfRange(full, steps - tEnc - 1, full.length);
    }

    static ImageRng rng(int[] shape) {
        return new ImageRng(RngSource.CPU, shape[1], shape[2], shape[3], new long[] {SEED}, null, 0, 0, 0, 0);
    }

    static float[] plus(float[] a, float[] noise, float sigma) {
        float[] out = new float[a.length];
        for (int i = 0; i < out.length; i++) out[i] = a[i] + noise[i] * sigma;
        return out;
    }

    static float[] blend(float[] current, float[] init, float[] nmask) {
        float[] out = new float[current.length];
        for (int i = 0; i < out.length; i++) {
            float n = nmask[i % nmask.length];
            out[i] = current[i] * n + init[i] * (1f - n);
        }
        return out;
    }

    static ImageToImageRequest img2img(PixelImage init, PixelImage mask, double d, A1111Img2Img.MaskedContent fill) {
        var options = new A1111InpaintInputs.Options(0, 0, false, false, 32, true, fill.fillsPixels());
        return new ImageToImageRequest(false, init, mask, d, A1111Resize.JUST_RESIZE, options, fill, null);
    }

    @Test
    void img2imgEqualsTheHandComposedLoop() {
        PixelImage init = ImageFiles.read(INPUTS.resolve("init_variant2_96x64.png"));
        int w = 96, h = 64;
        Object[][] cases = {{A1111Sampler.EULER_A, SigmaSchedule.AUTOMATIC, 6, 0.6}, {A1111Sampler.DPMPP_2M, SigmaSchedule.KARRAS, 5, 0.45}};
        for (Object[] c : cases) {
            A1111Sampler s = (A1111Sampler) c[0];
            SigmaSchedule sched = (SigmaSchedule) c[1];
            int steps = (int) c[2];
            double d = (double) c[3];
            GenerationRequest req = req(w, h, steps);
            Counter counted = new Counter();
            float[] actual = new ImageToImage(p).generate(req, img2img(init, null, d, A1111Img2Img.MaskedContent.ORIGINAL), factory(s, sched), counted)
                    .latents().data();

            int tEnc = (int) (Math.min(d, 0.999) * steps);
            Counter refCount = new Counter();
            float[] expected = Buffers.withPool(new BufferPool(), () -> {
                float[] initLatent = ImageToImage.a1111Encode(p.vae(), A1111InpaintInputs.img2img(init, A1111Resize.JUST_RESIZE, w, h).image().toTensor());
                float[] sig = tail(s, sched, steps, tEnc);
                ImageRng rng = rng(p.latentShape(req));
                float[] x = plus(initLatent, rng.next(), sig[0]);
                CfgDenoiser cfg = new CfgDenoiser(new CompVisDenoiser(rows(req, refCount), new DiscreteSchedule(AC)), req.cfgScale());
                return KSampler.sample(s, cfg, x, sig, SamplerOptions.DEFAULTS, NoiseSampler.of(rng), null);
            });
            String what = s.label() + " " + sched.label();
            System.out.printf("%s img2img: max |diff| %.3g (tolerance %.0e)%n", what, Close.maxAbsDiff(actual, expected), TOL);
            Close.assertClose(what, actual, expected, TOL, 0);
            assertThat(counted.evaluations).as(what).isEqualTo(tEnc + 1).isEqualTo(refCount.evaluations);
        }
    }

    @Test
    void ddimImg2ImgEqualsTheHandComposedLoop() {
        PixelImage init = ImageFiles.read(INPUTS.resolve("init_variant0_64x64.png"));
        int steps = 8;
        double d = 0.7;
        GenerationRequest req = req(64, 64, steps);
        Counter counted = new Counter();
        float[] actual = new ImageToImage(p).generate(req, img2img(init, null, d, A1111Img2Img.MaskedContent.ORIGINAL),
                factory(A1111Sampler.DDIM, SigmaSchedule.AUTOMATIC), counted).latents().data();
        int tEnc = (int) (d * steps);
        float[] expected = Buffers.withPool(new BufferPool(), () -> {
            float[] initLatent = ImageToImage.a1111Encode(p.vae(), A1111InpaintInputs.img2img(init, A1111Resize.JUST_RESIZE, 64, 64).image().toTensor());
            int[] ts = TimestepSampler.timesteps(steps, AC.length, false);
            float a = AC[ts[tEnc]];
            ImageRng rng = rng(p.latentShape(req));
            float[] noise = rng.next();
            float[] x = new float[noise.length];
            for (int i = 0; i < x.length; i++) x[i] = initLatent[i] * (float) Math.sqrt(a) + noise[i] * (float) Math.sqrt(1f - a);
            CfgDenoiser cfg = new CfgDenoiser(rows(req, RunHooks.NONE), req.cfgScale());
            return TimestepSampler.sample(A1111Sampler.DDIM, cfg, x, Arrays.copyOf(ts, tEnc), AC, 0, NoiseSampler.of(rng), true, null);
        });
        System.out.printf("DDIM img2img: max |diff| %.3g (tolerance %.0e)%n", Close.maxAbsDiff(actual, expected), TOL);
        Close.assertClose("DDIM", actual, expected, TOL, 0);
        assertThat(counted.evaluations).isEqualTo(tEnc - 1);
    }

    @Test
    void inpaintingBlendsEveryPredictionAndTheResult() {
        PixelImage init = ImageFiles.read(INPUTS.resolve("init_variant1_64x64.png"));
        PixelImage mask = ImageFiles.read(INPUTS.resolve("mask_soft_circle_64x64.png"));
        int steps = 6;
        double d = 0.75;
        GenerationRequest req = req(64, 64, steps);
        A1111Img2Img.MaskedContent fill = A1111Img2Img.MaskedContent.LATENT_NOISE;
        ImageToImageRequest in = img2img(init, mask, d, fill);
        float[] actual = new ImageToImage(p).generate(req, in, factory(A1111Sampler.EULER_A, SigmaSchedule.AUTOMATIC), RunHooks.NONE)
                .latents().data();
        int tEnc = (int) (d * steps);
        float[] expected = Buffers.withPool(new BufferPool(), () -> {
            A1111InpaintInputs inputs = A1111InpaintInputs.inpaint(init, mask, A1111Resize.JUST_RESIZE, 64, 64, in.maskOptions());
            int[] shape = p.latentShape(req);
            float[] nmask = A1111Mask.latentMask(inputs.latentMask(), shape[3], shape[2], true);
            float[] encoded = ImageToImage.a1111Encode(p.vae(), inputs.image().toTensor());
            // init: create_random_tensors of the seed in the masked area
            float[] initLatent = fill.applyToLatents(encoded, nmask, rng(shape).next());
            float[] sig = tail(A1111Sampler.EULER_A, SigmaSchedule.AUTOMATIC, steps, tEnc);
            ImageRng rng = rng(shape);
            float[] x = plus(initLatent, rng.next(), sig[0]);
            CfgDenoiser cfg = new CfgDenoiser(new CompVisDenoiser(rows(req, RunHooks.NONE), new DiscreteSchedule(AC)), req.cfgScale());
            float[] samples = KSampler.sample(A1111Sampler.EULER_A, (xx, sigma) -> blend(cfg.denoise(xx, sigma), initLatent, nmask), x, sig,
                    SamplerOptions.DEFAULTS, NoiseSampler.of(rng), null);
            return blend(samples, initLatent, nmask);
        });
        System.out.printf("Euler a inpainting: max |diff| %.3g (tolerance %.0e)%n", Close.maxAbsDiff(actual, expected), TOL);
        Close.assertClose("inpainting", actual, expected, TOL, 0);
    }

    @Test
    void hiresPassWithExplicitStepsAndHiresSampler() {
        int steps = 5, hiresSteps = 4;
        double d = 0.7;
        GenerationRequest req = req(64, 64, steps);
        var hires = new ImageToImageRequest.Hires(1.5, 0, 0, d, hiresSteps, LatentUpscaler.LATENT, null, null, null, false);
        ImageToImageRequest in = new ImageToImageRequest(false, null, null, d, A1111Resize.JUST_RESIZE, A1111InpaintInputs.Options.DEFAULTS,
                A1111Img2Img.MaskedContent.ORIGINAL, hires);
        Counter counted = new Counter();
        ImageResult r = new ImageToImage(p).generate(req, in, factory(A1111Sampler.EULER_A, SigmaSchedule.AUTOMATIC),
                factory(A1111Sampler.DPMPP_2M, SigmaSchedule.KARRAS), counted);
        float[] actual = r.latents().data();
        assertThat(r.latents().shape()).containsExactly(1, 4, 12, 12);

        GenerationRequest req2 = ImageToImage.hiresRequest(req, in);
        int schedule2 = (int) (hiresSteps / d); // fix-steps branch: int(S / d), t_enc = S - 1
        assertThat(req2.steps()).isEqualTo(schedule2);
        float[] expected = Buffers.withPool(new BufferPool(), () -> {
            int[] shape1 = p.latentShape(req);
            ImageRng rng1 = rng(shape1);
            float[] sig1 = SamplerSigmas.of(A1111Sampler.EULER_A, SigmaSchedule.AUTOMATIC, steps, new DiscreteSchedule(AC)).sigmas();
            float[] x1 = plus(new float[shape1[1] * shape1[2] * shape1[3]], rng1.next(), sig1[0]);
            CfgDenoiser cfg1 = new CfgDenoiser(new CompVisDenoiser(rows(req, RunHooks.NONE), new DiscreteSchedule(AC)), req.cfgScale());
            float[] pass1 = KSampler.sample(A1111Sampler.EULER_A, cfg1, x1, sig1, SamplerOptions.DEFAULTS, NoiseSampler.of(rng1), null);
            int[] shape2 = {1, shape1[1], 12, 12}; // int(64 * 1.5) // 8
            float[] up = LatentUpscaler.LATENT.upscale(new Tensor(pass1, shape1), 12, 12).data();
            float[] sig2 = tail(A1111Sampler.DPMPP_2M, SigmaSchedule.KARRAS, schedule2, hiresSteps - 1);
            ImageRng rng2 = rng(shape2); // a fresh image RNG of the seed at the hires size
            float[] x2 = plus(up, rng2.next(), sig2[0]);
            CfgDenoiser cfg2 = new CfgDenoiser(new CompVisDenoiser(rows(req2, RunHooks.NONE), new DiscreteSchedule(AC)), req2.cfgScale());
            return KSampler.sample(A1111Sampler.DPMPP_2M, cfg2, x2, sig2, SamplerOptions.DEFAULTS, NoiseSampler.of(rng2), null);
        });
        System.out.printf("hires Euler a -> DPM++ 2M Karras: max |diff| %.3g (tolerance %.0e)%n", Close.maxAbsDiff(actual, expected), TOL);
        Close.assertClose("hires", actual, expected, TOL, 0);
        assertThat(counted.evaluations).isEqualTo(steps + hiresSteps);
    }
}
