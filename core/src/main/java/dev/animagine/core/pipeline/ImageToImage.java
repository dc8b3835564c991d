package dev.animagine.core.pipeline;

import dev.animagine.core.InvalidArgumentException;
import dev.animagine.core.image.A1111InpaintInputs;
import dev.animagine.core.image.A1111Mask;
import dev.animagine.core.image.DiffusersImageProcessor;
import dev.animagine.core.image.ImageFiles;
import dev.animagine.core.image.InpaintMask;
import dev.animagine.core.image.PixelImage;
import dev.animagine.core.sampling.DenoisingSampler;
import dev.animagine.core.sampling.DiffusersSampler;
import dev.animagine.core.sampling.EpsModel;
import dev.animagine.core.sampling.Img2ImgTimesteps;
import dev.animagine.core.sampling.TorchGenerator;
import dev.animagine.core.sampling.a1111.A1111DenoisingSampler;
import dev.animagine.core.tensor.BufferPool;
import dev.animagine.core.tensor.Buffers;
import dev.animagine.core.tensor.Tensor;
import dev.animagine.core.vae.AutoencoderKL;
import dev.animagine.core.vae.VaeTiledEncode;
import dev.animagine.core.vae.VaeTiling;

import java.util.function.UnaryOperator;

/**
 * img2img, inpainting (4-channel UNet) and the hires fix, composed from the stages of
 * {@link StableDiffusionXLPipeline} ({@link StableDiffusionXLPipeline#encodePrompts}, a VAE encode,
 * {@link StableDiffusionXLPipeline#denoise} from a later step, {@link StableDiffusionXLPipeline#decode})
 * with the sampler its {@link StableDiffusionXLPipeline.SamplerFactory} makes, in two conventions:
 * <ul>
 * <li>diffusers v0.27.2 ({@code StableDiffusionXLImg2ImgPipeline}, {@code StableDiffusionXLInpaintPipeline},
 *     the Animagine space's two-pass upscale): {@code int(steps * strength)} steps from the end, one
 *     generator for VAE sample, start noise and sampler, the latent blend after every step, no composite;</li>
 * <li>A1111 ({@code StableDiffusionProcessingImg2Img}, {@code sample_hr_pass}): {@code int(d * steps) + 1}
 *     steps, the seed's latent noise, masked-content fills, the blend on every step's prediction and on
 *     the result, "only masked" crop and paste-back, the composite of the original outside the mask; with an
 *     {@link A1111DenoisingSampler} A1111's own {@code sample_img2img} (image RNG, k-diffusion or timestep
 *     samplers, {@link A1111DenoisingSampler#img2imgStart}).</li>
 * </ul>
 * One instance per pipeline; each {@link #generate} call owns its run state.
 */
public final class ImageToImage {
    private final StableDiffusionXLPipeline p;

    public ImageToImage(StableDiffusionXLPipeline pipeline) {
        this.p = pipeline;
    }

    /** Runs one image with fresh run state (activation pool, generators, sampler); the hires pass uses the same factory. */
    public ImageResult generate(GenerationRequest req, ImageToImageRequest in, StableDiffusionXLPipeline.SamplerFactory samplers,
                                RunHooks hooks) {
        return generate(req, in, samplers, samplers, hooks);
    }

    /**
     * As {@link #generate(GenerationRequest, ImageToImageRequest, StableDiffusionXLPipeline.SamplerFactory, RunHooks)},
     * with the hires pass's sampler from {@code hiresSamplers} (A1111's hires sampler and its own infotext).
     * An {@link A1111DenoisingSampler} runs A1111's {@code sample_img2img}; other samplers keep the diffusers
     * schedulers under A1111's conventions.
     */
    public ImageResult generate(GenerationRequest req, ImageToImageRequest in, StableDiffusionXLPipeline.SamplerFactory samplers,
                                StableDiffusionXLPipeline.SamplerFactory hiresSamplers, RunHooks hooks) {
        int channels = p.checkpoint().architecture().unet().inChannels();
        if (channels != 4)
            throw new InvalidArgumentException("the checkpoint's UNet takes " + channels + " input channels (an inpainting UNet?): "
                    + "only standard 4-channel SDXL UNets are supported for img2img, inpainting and hires");
        BufferPool pool = new BufferPool();
        try {
            return Buffers.withPool(pool, () -> run(req, in, samplers, hiresSamplers, new Counting(hooks)));
        } finally {
            pool.clearAndCollect(); // the next image must reuse this one's heap, not add to it
        }
    }

    private ImageResult run(GenerationRequest req, ImageToImageRequest in, StableDiffusionXLPipeline.SamplerFactory samplers,
                            StableDiffusionXLPipeline.SamplerFactory hiresSamplers, Counting hooks) {
        long t0 = System.nanoTime();
        hooks.stageStarted(Stage.TEXT_ENCODING);
        TextConditioning cond = p.encodePrompts(req);
        GenerationRequest hiresReq = in.hires() == null ? null : hiresRequest(req, in);
        TextConditioning hiresCond = hiresReq == null || samePrompts(req, hiresReq) ? cond : p.encodePrompts(hiresReq);
        p.releaseTextEncoderWeights();
        long t1 = System.nanoTime();
        Run r;
        if (in.init() == null) r = in.diffusers() ? diffusersHires(req, cond, hiresReq, hiresCond, in, samplers, hooks)
                : a1111Hires(req, cond, hiresReq, hiresCond, in, samplers, hiresSamplers, hooks);
        else r = in.diffusers() ? diffusersImg2Img(req, cond, in, samplers, hooks) : a1111Img2Img(req, cond, in, samplers, hooks);
        long t2 = System.nanoTime();
        p.releaseUnetMemory();
        hooks.stageStarted(Stage.VAE_DECODING);
        Tensor latents = new Tensor(r.latents, r.shape);
        Tensor image = p.decode(latents);
        if (r.finish != null) image = r.finish.apply(image);
        long t3 = System.nanoTime();
        int perEvaluation = req.classifierFreeGuidance() ? 2 : 1;
        return new ImageResult(req, cond, r.noise, latents, image, r.timesteps,
                new ImageResult.Timings((t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9, hooks.evaluations * perEvaluation));
    }

    /** A run's final latents, the noise a dump reports, the schedule, and the pixel step after decoding (or null). */
    private record Run(float[] latents, int[] shape, float[] noise, float[] timesteps, UnaryOperator<Tensor> finish) {}

    // ---- diffusers ----

    private Run diffusersImg2Img(GenerationRequest req, TextConditioning cond, ImageToImageRequest in,
                                 StableDiffusionXLPipeline.SamplerFactory samplers, RunHooks hooks) {
        int w = req.width(), h = req.height();
        int[] shape = p.latentShape(req);
        hooks.stageStarted(Stage.VAE_ENCODING);
        TorchGenerator g = new TorchGenerator(req.seed());
        Tensor image = DiffusersImageProcessor.preprocess(ImageFiles.flattenToRgb(in.init(), 255, 255, 255), w, h);
        float[] imageLatents = DiffusersImg2Img.encodeImageLatents(p.vae(), image, g, VaeTiling.DEFAULT);
        hooks.stageStarted(Stage.DENOISING);
        DenoisingSampler sampler = samplers.create(req, g);
        int from = diffusersFirstStep(sampler, in.strength());
        float[] noise = g.randn(shape[0], shape[1], shape[2], shape[3]);
        if (in.mask() == null) {
            float[] x = sampler.addNoise(imageLatents, noise, from);
            return new Run(p.denoise(req, cond, sampler, x, from, hooks), shape, noise, sampler.timesteps(), null);
        }
        PixelImage maskImage = in.maskOptions().invert() ? A1111Mask.invert(ImageFiles.toGrey(in.mask())) : in.mask();
        Tensor binarized = DiffusersImageProcessor.binarizedMask(maskImage, w, h);
        Tensor maskLatent = InpaintMask.diffusersLatentMask(binarized, shape[2], shape[3]);
        // strength exactly 1 starts from pure noise (is_strength_max)
        float[] x = in.strength() == 1.0 ? sampler.startFromNoise(noise) : sampler.addNoise(imageLatents, noise, from);
        DiffusersImg2Img.skipMaskedImageDraw(g, shape);
        InpaintLatentBlend blend = new InpaintLatentBlend(sampler, from, maskLatent.data(), imageLatents, noise, hooks);
        return new Run(p.denoise(req, cond, sampler, x, from, blend), shape, noise, sampler.timesteps(), null);
    }

    /** The Animagine space: txt2img to latents, interpolate to round(latent x scale), img2img on them. */
    private Run diffusersHires(GenerationRequest req, TextConditioning cond, GenerationRequest req2, TextConditioning cond2,
                               ImageToImageRequest in, StableDiffusionXLPipeline.SamplerFactory samplers, RunHooks hooks) {
        TorchGenerator g = new TorchGenerator(req.seed());
        hooks.stageStarted(Stage.DENOISING);
        int[] shape1 = p.latentShape(req);
        DenoisingSampler s1 = samplers.create(req, g);
        float[] noise1 = g.randn(shape1[0], shape1[1], shape1[2], shape1[3]);
        float[] pass1 = p.denoise(req, cond, s1, p.prepareLatents(s1, noise1), 0, hooks);
        hooks.stageStarted(Stage.HIRES);
        int[] shape2 = p.latentShape(req2);
        // the Animagine space upscales latents only (image upscalers are refused in diffusers mode)
        float[] upscaled = ((LatentUpscaler) in.hires().upscaler()).upscale(new Tensor(pass1, shape1), shape2[2], shape2[3]).data();
        TorchGenerator g2 = in.hires().reseed() ? new TorchGenerator(req.seed()) : g;
        DenoisingSampler s2 = samplers.create(req2, g2);
        int from = diffusersFirstStep(s2, in.hires().denoise());
        float[] noise2 = g2.randn(shape2[0], shape2[1], shape2[2], shape2[3]);
        float[] x = s2.addNoise(upscaled, noise2, from);
        return new Run(p.denoise(req2, cond2, s2, x, from, hooks), shape2, noise1, s2.timesteps(), null);
    }

    /**
     * diffusers' {@code get_timesteps}: the first of the last {@code int(steps * strength)} steps; a
     * diffusers scheduler also gets its begin index, as the pipelines' {@code add_noise} lookup sets it.
     */
    static int diffusersFirstStep(DenoisingSampler sampler, double strength) {
        if (sampler instanceof DiffusersSampler d) {
            int[] steps = Img2ImgTimesteps.diffusersSteps(d.scheduler(), strength);
            if (steps[0] + steps.length != sampler.steps())
                throw new InvalidArgumentException("strength " + strength + ": the schedule repeats its first timestep; choose another step count");
            return steps[0];
        }
        int first = Img2ImgTimesteps.tStart(sampler.steps(), strength);
        if (first >= sampler.steps())
            throw new InvalidArgumentException("strength " + strength + " leaves no step of " + sampler.steps() + " to run");
        return first;
    }

    // ---- A1111 ----

    private Run a1111Img2Img(GenerationRequest req, TextConditioning cond, ImageToImageRequest in,
                             StableDiffusionXLPipeline.SamplerFactory samplers, RunHooks hooks) {
        int w = req.width(), h = req.height();
        int[] shape = p.latentShape(req);
        A1111InpaintInputs inputs = in.mask() == null ? A1111InpaintInputs.img2img(in.init(), in.resize(), w, h)
                : A1111InpaintInputs.inpaint(in.init(), in.mask(), in.resize(), w, h, in.maskOptions());
        hooks.stageStarted(Stage.VAE_ENCODING);
        float[] initLatent = a1111Encode(p.vae(), inputs.image().toTensor());
        initLatent = A1111LatentResize.toRunSize(in.resize(), initLatent, inputs.image().width(), inputs.image().height(),
                p.vae().config().downscale(), shape);
        hooks.stageStarted(Stage.DENOISING);
        TorchGenerator g = new TorchGenerator(req.seed());
        float[] nmask = inputs.latentMask() == null ? null : A1111Mask.latentMask(inputs.latentMask(), shape[3], shape[2], in.maskOptions().round());
        Img2ImgTimesteps.A1111Steps plan = Img2ImgTimesteps.a1111(req.steps(), in.strength(), false, null);
        DenoisingSampler sampler = samplers.create(req, g);
        float[] noise, samples;
        if (sampler instanceof A1111DenoisingSampler a) {
            // sample_img2img: p.rng's first draw; the "latent noise" fill is create_random_tensors of the seed alone
            noise = a.initialNoise(shape, g);
            if (nmask != null) initLatent = in.fill().applyToLatents(initLatent, nmask, a.seedNoise(shape));
            float[] x = a.img2imgStart(initLatent, noise, plan, nmask);
            samples = p.denoise(req, cond, a, x, plan.firstStep(), hooks);
        } else {
            // the seed's latent noise (a txt2img of this size and seed starts from it); samplers draw on from there
            noise = g.randn(shape[0], shape[1], shape[2], shape[3]);
            if (nmask != null) initLatent = in.fill().applyToLatents(initLatent, nmask, noise);
            int from = a1111FirstStep(sampler, plan);
            float[] x = sampler.addNoise(initLatent, noise, from);
            samples = nmask == null ? p.denoise(req, cond, sampler, x, from, hooks)
                    : p.denoise(req, cond, sampler, x, from, hooks, maskedPrediction(sampler, initLatent, nmask));
        }
        if (nmask == null) return new Run(samples, shape, noise, sampler.timesteps(), null);
        float[] blended = A1111Img2Img.blend(samples, initLatent, nmask);
        return new Run(blended, shape, noise, sampler.timesteps(), image -> toTensor(inputs.finish(toPixels(image))));
    }

    /**
     * A1111's {@code sample_hr_pass} with a latent upscaler: the first pass as txt2img, the latents resized, then
     * {@code sample_img2img} with fresh noise of the seed at the new size (a new image RNG, variation seed and seed
     * resize included) and the hires sampler.
     */
    private Run a1111Hires(GenerationRequest req, TextConditioning cond, GenerationRequest req2, TextConditioning cond2,
                           ImageToImageRequest in, StableDiffusionXLPipeline.SamplerFactory samplers,
                           StableDiffusionXLPipeline.SamplerFactory hiresSamplers, RunHooks hooks) {
        hooks.stageStarted(Stage.DENOISING);
        int[] shape1 = p.latentShape(req);
        TorchGenerator g = new TorchGenerator(req.seed());
        DenoisingSampler s1 = samplers.create(req, g);
        float[] noise1 = s1.initialNoise(shape1, g);
        float[] pass1 = p.denoise(req, cond, s1, p.prepareLatents(s1, noise1), 0, hooks);
        hooks.stageStarted(Stage.HIRES);
        A1111HiresFix fix = a1111Plan(req, in.hires());
        float[] upscaled = fix.upscaler() instanceof ImageUpscaler image ? A1111ImageHires.upscale(p, fix, image, pass1, shape1)
                : fix.upscale(new Tensor(pass1, shape1)).data();
        int[] shape2 = p.latentShape(req2);
        TorchGenerator g2 = new TorchGenerator(req.seed());
        if (hiresSamplers.create(req2, g2) instanceof A1111DenoisingSampler a) {
            float[] x = a.img2imgStart(upscaled, a.initialNoise(shape2, g2), fix.steps(), null);
            return new Run(p.denoise(req2, cond2, a, x, fix.steps().firstStep(), hooks), shape2, noise1, a.timesteps(), null);
        }
        // fresh seeded noise at the new size, the sampler continuing that generator
        g2 = new TorchGenerator(req.seed());
        float[] noise2 = g2.randn(shape2[0], shape2[1], shape2[2], shape2[3]);
        DenoisingSampler s2 = hiresSamplers.create(req2, g2);
        int from = a1111FirstStep(s2, fix.steps());
        float[] x = s2.addNoise(upscaled, noise2, from);
        return new Run(p.denoise(req2, cond2, s2, x, from, hooks), shape2, noise1, s2.timesteps(), null);
    }

    /** The hires plan: {@code int(side * scale)} or the given size; exactly hires steps (or steps) run. */
    static A1111HiresFix a1111Plan(GenerationRequest req, ImageToImageRequest.Hires h) {
        int hiresSteps = h.steps() > 0 ? h.steps() : req.steps();
        if (h.width() > 0)
            return new A1111HiresFix(h.width(), h.height(), h.upscaler(), h.denoise(), Img2ImgTimesteps.a1111(req.steps(), h.denoise(), true, hiresSteps));
        return A1111HiresFix.plan(req.width(), req.height(), h.scale(), req.steps(), h.steps(), h.denoise(), h.upscaler());
    }

    /** The second pass's request: its size, schedule length, sampler, prompts and size conditioning. */
    static GenerationRequest hiresRequest(GenerationRequest req, ImageToImageRequest in) {
        ImageToImageRequest.Hires h = in.hires();
        int w2, h2, steps, condW, condH;
        if (in.diffusers()) {
            int lw = h.width() > 0 ? h.width() / 8 : LatentUpscaler.spaceLatentSize(req.width() / 8, h.scale());
            int lh = h.height() > 0 ? h.height() / 8 : LatentUpscaler.spaceLatentSize(req.height() / 8, h.scale());
            w2 = condW = 8 * lw;
            h2 = condH = 8 * lh;
            steps = h.steps() > 0 ? h.steps() : req.steps();
        } else {
            A1111HiresFix fix = a1111Plan(req, h);
            w2 = 8 * fix.latentWidth();
            h2 = 8 * fix.latentHeight();
            condW = fix.targetWidth();
            condH = fix.targetHeight();
            steps = fix.steps().scheduleSteps();
        }
        if (w2 < 8 || h2 < 8) throw new InvalidArgumentException("hires size " + w2 + "x" + h2 + " is too small");
        return new GenerationRequest(h.prompt() != null ? h.prompt() : req.prompt(),
                h.negativePrompt() != null ? h.negativePrompt() : req.negativePrompt(), w2, h2, steps, req.cfgScale(),
                h.sampler() != null ? h.sampler() : req.sampler(), req.schedule(), req.seed(), req.promptMode(), req.a1111(),
                req.clipSkip(), condW, condH, 0, 0, condW, condH, req.savings());
    }

    private static boolean samePrompts(GenerationRequest a, GenerationRequest b) {
        return a.prompt().equals(b.prompt()) && java.util.Objects.equals(a.negativePrompt(), b.negativePrompt());
    }

    /** A1111 runs {@code sigmas[firstStep:]} of a {@code scheduleSteps}-long schedule. */
    static int a1111FirstStep(DenoisingSampler sampler, Img2ImgTimesteps.A1111Steps plan) {
        if (sampler.steps() != plan.scheduleSteps())
            throw new IllegalStateException("sampler of " + sampler.steps() + " steps for a schedule of " + plan.scheduleSteps());
        if (sampler instanceof DiffusersSampler d) d.scheduler().setBeginIndex(plan.firstStep());
        return plan.firstStep();
    }

    /**
     * A1111's init latents: the VAE posterior times the scaling factor. A1111 samples the posterior
     * with torch's global generator, whose state no seed pins down; the mean is used here, so a seed
     * always gives the same image.
     */
    static float[] a1111Encode(AutoencoderKL vae, Tensor image) {
        AutoencoderKL.LatentDistribution d = VaeTiledEncode.encode(vae, image, VaeTiling.DEFAULT);
        float[] mean = d.mean().data();
        float sf = (float) vae.config().scalingFactor();
        float[] out = new float[mean.length];
        for (int i = 0; i < out.length; i++) out[i] = sf * mean[i];
        return out;
    }

    /**
     * A1111's per-step inpainting blend ({@code CFGDenoiser}: {@code denoised * nmask + init_latent * mask})
     * expressed on the noise prediction a sampler consumes: with {@code x = xIn * sqrt(σ² + 1)} and
     * {@code denoised = x - σ · eps}, the blended denoised gives {@code eps' = (x - denoised') / σ}.
     */
    static UnaryOperator<EpsModel> maskedPrediction(DenoisingSampler sampler, float[] initLatent, float[] nmask) {
        float[] ts = sampler.timesteps(), sigmas = sampler.sigmas();
        int plane = nmask.length;
        return model -> (xIn, t) -> {
            float[] eps = model.eps(xIn, t);
            float sigma = sigmas[indexOf(ts, t)];
            float c = (float) Math.sqrt(sigma * sigma + 1f);
            float[] out = new float[eps.length];
            for (int k = 0; k < out.length; k++) {
                float x = xIn[k] * c;
                float denoised = x - sigma * eps[k];
                float n = nmask[k % plane];
                float blended = denoised * n + initLatent[k] * (1f - n);
                out[k] = (x - blended) / sigma;
            }
            return out;
        };
    }

    private static int indexOf(float[] ts, float t) {
        for (int i = 0; i < ts.length; i++) if (ts[i] == t) return i;
        throw new IllegalStateException("timestep " + t + " is not in the schedule");
    }

    /** RGB in [0, 1] as 8-bit pixels, rounded as the PNG writer rounds. */
    static PixelImage toPixels(Tensor image) {
        int h = image.dim(2), w = image.dim(3);
        float[] d = image.data();
        int[] px = new int[3 * w * h];
        for (int i = 0; i < px.length; i++) px[i] = (int) Math.rint(Math.clamp(d[i], 0f, 1f) * 255f);
        return new PixelImage(w, h, 3, px);
    }

    static Tensor toTensor(PixelImage rgb) {
        return rgb.toUnitTensor();
    }

    /** Counts UNet evaluations for the timings and forwards everything. */
    private static final class Counting implements RunHooks {
        private final RunHooks next;
        int evaluations;

        Counting(RunHooks next) {
            this.next = next;
        }

        @Override
        public void stageStarted(Stage stage) {
            next.stageStarted(stage);
        }

        @Override
        public void beforeEvaluation() {
            next.beforeEvaluation();
            evaluations++;
        }

        @Override
        public void afterStep(int step, int total, float sigma, float timestep, float[] latents, int[] shape) {
            next.afterStep(step, total, sigma, timestep, latents, shape);
        }
    }
}
