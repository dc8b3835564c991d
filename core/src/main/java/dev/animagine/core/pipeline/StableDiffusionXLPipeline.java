package dev.animagine.core.pipeline;

import dev.animagine.core.io.Checkpoint;
import dev.animagine.core.io.Component;
import dev.animagine.core.lora.LoraPrompt;
import dev.animagine.core.lora.LoraStack;
import dev.animagine.core.sampling.DenoisingSampler;
import dev.animagine.core.sampling.DiffusersSampler;
import dev.animagine.core.sampling.EpsModel;
import dev.animagine.core.sampling.SchedulerConfig;
import dev.animagine.core.sampling.SchedulerJson;
import dev.animagine.core.sampling.Scheduler;
import dev.animagine.core.sampling.TorchGenerator;
import dev.animagine.core.tensor.BufferPool;
import dev.animagine.core.tensor.Buffers;
import dev.animagine.core.tensor.StoredTensor;
import dev.animagine.core.tensor.Tensor;
import dev.animagine.core.text.ClipTextModel;
import dev.animagine.core.text.PromptMode;
import dev.animagine.core.text.PromptTokenizer;
import dev.animagine.core.text.SdxlTextEncoder;
import dev.animagine.core.text.SdxlTextEncoder.Embedding;
import dev.animagine.core.text.SdxlTokenizers;
import dev.animagine.core.text.TextEncoderWarmUp;
import dev.animagine.core.text.TokenizedPrompt;
import dev.animagine.core.unet.DeepCache;
import dev.animagine.core.unet.UNet2DConditionModel;
import dev.animagine.core.vae.AutoencoderKL;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Text to image with an SDXL checkpoint, step for step as diffusers' {@code StableDiffusionXLPipeline}
 * with a CPU generator, in four stages a reader finds by name: {@link #encodePrompts} (both text
 * encoders, negative and positive in one batch), {@link #prepareLatents} (the initial noise),
 * {@link #denoise} (the sampler loop around the UNet with classifier-free guidance, [negative;
 * positive] as diffusers orders them) and {@link #decode} (the VAE).
 * <p>
 * <b>Concurrency.</b> The pipeline and its models are immutable once built (models are built on
 * first use, under a lock) and hold no state of a run: each {@link #generate} call creates its own
 * run state (activation pool, generator, K/V cache of the text context, sampler) and drops it at
 * the end. Several threads may therefore call {@code generate} on one pipeline; each run uses all
 * cores through the shared kernel pool, so runs at once only share the cores. The generation service
 * runs one at a time and queues the rest.
 */
public final class StableDiffusionXLPipeline {
    private final Checkpoint checkpoint;
    private final SdxlTokenizers tokenizers;
    private SdxlTextEncoder textEncoder;
    private UNet2DConditionModel unet;
    private AutoencoderKL vae;

    /** Makes the sampler of one image from the run's generator. */
    @FunctionalInterface
    public interface SamplerFactory {
        DenoisingSampler create(GenerationRequest request, TorchGenerator generator);
    }

    /** Throws when the checkpoint cannot run as detected (e.g. attention heads unknown without --config). */
    public StableDiffusionXLPipeline(Checkpoint checkpoint, SdxlTokenizers tokenizers) {
        checkpoint.architecture().requireRunnable();
        this.checkpoint = checkpoint;
        this.tokenizers = tokenizers;
    }

    /** A pipeline over the same checkpoint with the given models already built (see {@link #withAdapters}). */
    private StableDiffusionXLPipeline(Checkpoint checkpoint, SdxlTokenizers tokenizers, SdxlTextEncoder textEncoder,
                                      UNet2DConditionModel unet, AutoencoderKL vae) {
        this.checkpoint = checkpoint;
        this.tokenizers = tokenizers;
        this.textEncoder = textEncoder;
        this.unet = unet;
        this.vae = vae;
    }

    /**
     * This pipeline with the stack's adapters: text encoders and UNet rebuilt over
     * {@link LoraStack#apply adapted views} of the checkpoint's weights (mapped base weights shared,
     * nothing reloaded or copied but merged LyCORIS weights), every untouched model and the VAE
     * shared with this pipeline. Valid while the stack is open; drop it before closing the stack.
     */
    public StableDiffusionXLPipeline withAdapters(LoraStack stack) {
        var arch = checkpoint.architecture();
        boolean text = stack.touches(Component.TEXT_ENCODER) || stack.touches(Component.TEXT_ENCODER_2);
        SdxlTextEncoder enc = !text ? textEncoder()
                : new SdxlTextEncoder(new ClipTextModel(arch.textEncoder(), stack.apply(checkpoint.textEncoder(), Component.TEXT_ENCODER)),
                        new ClipTextModel(arch.textEncoder2(), stack.apply(checkpoint.textEncoder2(), Component.TEXT_ENCODER_2)));
        UNet2DConditionModel u = stack.touches(Component.UNET)
                ? new UNet2DConditionModel(arch.unet(), stack.apply(checkpoint.unet(), Component.UNET)) : unet();
        return new StableDiffusionXLPipeline(checkpoint, tokenizers, enc, u, vae());
    }

    public Checkpoint checkpoint() {
        return checkpoint;
    }

    public SdxlTokenizers tokenizers() {
        return tokenizers;
    }

    public synchronized SdxlTextEncoder textEncoder() {
        if (textEncoder == null) {
            var arch = checkpoint.architecture();
            textEncoder = new SdxlTextEncoder(new ClipTextModel(arch.textEncoder(), checkpoint.textEncoder()),
                    new ClipTextModel(arch.textEncoder2(), checkpoint.textEncoder2()));
        }
        return textEncoder;
    }

    public synchronized UNet2DConditionModel unet() {
        if (unet == null) unet = new UNet2DConditionModel(checkpoint.architecture().unet(), checkpoint.unet());
        return unet;
    }

    public synchronized AutoencoderKL vae() {
        if (vae == null) vae = new AutoencoderKL(checkpoint.architecture().vae(), checkpoint.vae());
        return vae;
    }

    /** Runs all stages for one image with fresh run state: the diffusers scheduler the request names. */
    public ImageResult generate(GenerationRequest req, RunHooks hooks) {
        return generate(req, this::diffusersSampler, hooks);
    }

    /** Runs all stages for one image with fresh run state and the sampler {@code samplers} makes. */
    public ImageResult generate(GenerationRequest req, SamplerFactory samplers, RunHooks hooks) {
        BufferPool pool = new BufferPool();
        try {
            return Buffers.withPool(pool, () -> run(req, samplers, hooks));
        } finally {
            pool.clearAndCollect(); // the next image must reuse this one's heap, not add to it
        }
    }

    private ImageResult run(GenerationRequest req, SamplerFactory samplers, RunHooks hooks) {
        hooks.stageStarted(Stage.TEXT_ENCODING);
        long t0 = System.nanoTime();
        TextConditioning cond = encodePrompts(req);
        releaseTextEncoderWeights();
        long t1 = System.nanoTime();
        hooks.stageStarted(Stage.DENOISING);
        TorchGenerator generator = new TorchGenerator(req.seed());
        DenoisingSampler sampler = samplers.create(req, generator);
        int[] shape = latentShape(req);
        float[] noise = sampler.initialNoise(shape, generator);
        float[] x = prepareLatents(sampler, noise);
        int[] evaluations = {0};
        RunHooks counting = new RunHooks() {
            @Override
            public void beforeEvaluation() {
                hooks.beforeEvaluation();
                evaluations[0]++;
            }

            @Override
            public void afterStep(int step, int total, float sigma, float timestep, float[] latents, int[] s) {
                hooks.afterStep(step, total, sigma, timestep, latents, s);
            }
        };
        x = denoise(req, cond, sampler, x, 0, counting);
        long t2 = System.nanoTime();
        releaseUnetMemory();
        hooks.stageStarted(Stage.VAE_DECODING);
        Tensor latents = new Tensor(x, shape);
        Tensor image = decode(latents);
        long t3 = System.nanoTime();
        int perEvaluation = req.classifierFreeGuidance() ? 2 : 1;
        return new ImageResult(req, cond, noise, latents, image, sampler.timesteps(),
                new ImageResult.Timings((t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9, evaluations[0] * perEvaluation));
    }

    /** The latents' shape [1, UNet input channels, height / 8, width / 8]. */
    public int[] latentShape(GenerationRequest req) {
        return new int[] {1, unet().config().inChannels(), req.height() / 8, req.width() / 8};
    }

    /**
     * Stage 1: encodes prompt and negative prompt as the request's mode does: A1111 (emphasis, 75-token
     * chunks, a missing negative encoded as "") or diffusers (truncation at 77; with no negative and
     * {@code force_zeros_for_empty_prompt}, an all-zero negative).
     */
    public TextConditioning encodePrompts(GenerationRequest req) {
        TextEncoderWarmUp.awaitBackground(); // compiled kernels, if a warm-up is running, before the 1.6 GB towers
        PromptTokenizer tok = new PromptTokenizer(tokenizers, req.promptMode(), req.a1111());
        SdxlTextEncoder enc = textEncoder();
        // A1111's <lora:...> and other extra-network tags are recorded in the prompt, never encoded
        TokenizedPrompt pt = tok.tokenize(LoraPrompt.parse(req.prompt()).prompt());
        boolean zeros = req.negativePrompt() == null && req.promptMode() == PromptMode.DIFFUSERS && checkpoint.forceZerosForEmptyPrompt();
        if (!req.classifierFreeGuidance() || zeros) {
            Embedding pos = enc.encode(pt, req.clipSkip());
            return !req.classifierFreeGuidance() ? new TextConditioning(pos, null, pt, null)
                    : new TextConditioning(pos, Embedding.zeros(pos.tokens(), pos.width(), enc.pooledWidth()), pt, null);
        }
        TokenizedPrompt nt = tok.tokenize(req.negativePrompt() == null ? "" : req.negativePrompt());
        List<Embedding> both = enc.encodeAll(List.of(pt, nt), req.clipSkip());
        return new TextConditioning(both.get(0), both.get(1), pt, nt);
    }

    /** Stage 2 (txt2img): the starting latents, unit-variance noise scaled to the first noise level. */
    public float[] prepareLatents(DenoisingSampler sampler, float[] noise) {
        return sampler.startFromNoise(noise);
    }

    /**
     * Stage 3: the sampler's loop from step {@code fromStep} around the UNet with classifier-free
     * guidance. The run's text K/V cache lives for this call only.
     */
    public float[] denoise(GenerationRequest req, TextConditioning cond, DenoisingSampler sampler, float[] x, int fromStep,
                           RunHooks hooks) {
        return denoise(req, cond, sampler, x, fromStep, hooks, UnaryOperator.identity());
    }

    /**
     * Stage 3 with the guided noise prediction passed through {@code prediction} (A1111's inpainting
     * blends the denoised prediction of every step with the init latents).
     */
    public float[] denoise(GenerationRequest req, TextConditioning cond, DenoisingSampler sampler, float[] x, int fromStep,
                           RunHooks hooks, UnaryOperator<EpsModel> prediction) {
        // what earlier phases left idle (a VAE encode, a first pass at another size) has other shapes
        Buffers.clearAndCollect();
        UNet2DConditionModel model = unet();
        UNet2DConditionModel.Conditioning unetCond = unetConditioning(cond, req);
        int[] shape = {1, model.config().inChannels(), req.height() / 8, req.width() / 8};
        ConditionedUnet unetModel = new ConditionedUnet(model, cond, unetCond, req, shape, hooks, sampler.steps() - fromStep);
        try {
            EpsModel eps = prediction.apply(unetModel);
            return sampler.sample(eps, x, fromStep, (step, total, sigma, t, latents) -> {
                unetModel.stepDone();
                hooks.afterStep(step, total, sigma, t, latents, shape);
            });
        } finally {
            unetCond.keyValues().release();
            unetModel.release();
        }
    }

    /** The diffusers scheduler the request names, as a sampler drawing from the run's generator. */
    public DenoisingSampler diffusersSampler(GenerationRequest req, TorchGenerator generator) {
        return new DiffusersSampler(scheduler(req), generator);
    }

    /**
     * The UNet's noise prediction for one latent at timestep {@code t}, with classifier-free guidance
     * when the conditioning holds a [negative; positive] batch: uncond + scale * (cond - uncond).
     */
    public static float[] guidedNoise(UNet2DConditionModel model, float[] latent, int[] shape, float t,
                                      UNet2DConditionModel.Conditioning cond, double cfgScale) {
        return guidedNoise(model, latent, shape, t, cond, cfgScale, null);
    }

    /** {@link #guidedNoise(UNet2DConditionModel, float[], int[], float, UNet2DConditionModel.Conditioning, double)} through a DeepCache state (null: off). */
    public static float[] guidedNoise(UNet2DConditionModel model, float[] latent, int[] shape, float t,
                                      UNet2DConditionModel.Conditioning cond, double cfgScale, DeepCache deepCache) {
        if (cond.batch() == 1) return model.forward(new Tensor(latent, shape), new float[] {t}, cond, deepCache).data();
        float[] batch = new float[2 * latent.length];
        System.arraycopy(latent, 0, batch, 0, latent.length);
        System.arraycopy(latent, 0, batch, latent.length, latent.length);
        float[] out = model.forward(new Tensor(batch, 2, shape[1], shape[2], shape[3]), new float[] {t, t}, cond, deepCache).data();
        float[] eps = new float[latent.length];
        float scale = (float) cfgScale;
        for (int k = 0; k < eps.length; k++) {
            float u = out[k], c = out[latent.length + k];
            eps[k] = u + scale * (c - u);
        }
        Buffers.give(out); // the UNet's output came from the activation pool
        return eps;
    }

    /**
     * The text encoders' mapped weights (1.6 GB for SDXL) leave resident memory until the next
     * encoding pages them back in from the OS cache, so they do not add to the UNet's footprint.
     */
    void releaseTextEncoderWeights() {
        checkpoint.textEncoder().asMap().values().forEach(StoredTensor::release);
        checkpoint.textEncoder2().asMap().values().forEach(StoredTensor::release);
    }

    /**
     * Before the VAE: the UNet's mapped weights (5.1 GB for SDXL) leave resident memory (the next
     * image pages them back in from the OS cache) and its activation buffers are dropped and
     * collected, so the decoder's large activations reuse their heap instead of stacking on top.
     */
    void releaseUnetMemory() {
        checkpoint.unet().asMap().values().forEach(StoredTensor::release);
        Buffers.clearAndCollect();
    }

    /** Stage 4: latents -> RGB in [0, 1]: VAE decode of latents / scaling factor, then clamp(x / 2 + 0.5). */
    public Tensor decode(Tensor latents) {
        AutoencoderKL v = vae();
        float[] z = latents.data().clone();
        float inv = (float) v.config().scalingFactor();
        for (int i = 0; i < z.length; i++) z[i] /= inv;
        Tensor decoded = v.decode(new Tensor(z, latents.shape()));
        float[] d = decoded.data();
        for (int i = 0; i < d.length; i++) d[i] = Math.clamp(d[i] / 2f + 0.5f, 0f, 1f);
        return decoded;
    }

    /** A fresh diffusers scheduler for the request, its timesteps set. */
    public Scheduler scheduler(GenerationRequest req) {
        SchedulerJson config = checkpoint.schedulerConfig().orElseGet(SchedulerJson::sdxl);
        return req.sampler().create(config, req.schedule(), checkpoint.path().toString(), req.steps());
    }

    /**
     * The UNet's conditioning batch: [negative; positive] with CFG. When the two differ in length (A1111
     * chunks), each is repeated up to their least common multiple, which leaves attention unchanged.
     */
    static UNet2DConditionModel.Conditioning unetConditioning(TextConditioning c, GenerationRequest req) {
        float[] ids = req.timeIds();
        Embedding p = c.positive(), n = c.negative();
        if (n == null) return new UNet2DConditionModel.Conditioning(p.hiddenStates(), p.tokens(), p.pooled(), ids);
        int tokens = lcm(p.tokens(), n.tokens());
        float[] ctx = new float[2 * tokens * p.width()];
        int half = tokens * p.width();
        // each row's hidden states repeated along the sequence: attention over k copies is unchanged
        for (int o = 0; o < half; o += n.hiddenStates().length) System.arraycopy(n.hiddenStates(), 0, ctx, o, n.hiddenStates().length);
        for (int o = 0; o < half; o += p.hiddenStates().length) System.arraycopy(p.hiddenStates(), 0, ctx, half + o, p.hiddenStates().length);
        float[] pooled = new float[2 * p.pooled().length];
        System.arraycopy(n.pooled(), 0, pooled, 0, n.pooled().length);
        System.arraycopy(p.pooled(), 0, pooled, n.pooled().length, p.pooled().length);
        float[] timeIds = new float[12];
        System.arraycopy(ids, 0, timeIds, 0, 6);
        System.arraycopy(ids, 0, timeIds, 6, 6);
        return new UNet2DConditionModel.Conditioning(ctx, tokens, pooled, timeIds);
    }

    private static int lcm(int a, int b) {
        int x = a, y = b;
        while (y != 0) {
            int r = x % y;
            x = y;
            y = r;
        }
        return a / x * b;
    }
}
