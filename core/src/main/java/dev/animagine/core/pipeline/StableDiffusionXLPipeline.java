package dev.animagine.core.pipeline;

import dev.animagine.core.io.Checkpoint;
import dev.animagine.core.io.Component;
import dev.animagine.core.lora.LoraPrompt;
import dev.animagine.core.lora.LoraStack;
import dev.animagine.core.sampling.BatchGenerators;
import dev.animagine.core.sampling.DenoisingSampler;
import dev.animagine.core.sampling.DiffusersSampler;
import dev.animagine.core.sampling.EpsModel;
import dev.animagine.core.sampling.NormalNoise;
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

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * <p>
 * <b>Batches.</b> {@link #generateBatch} runs several images through every UNet evaluation (A1111's
 * batch size, diffusers' {@code num_images_per_prompt} with a list of generators): one latent array
 * of N images, a UNet batch of 2N rows with CFG, each image's noise from its own seed. The text
 * encoders run once per distinct prompt pair, and the last few encodings are kept
 * ({@link TextEncodingCache}) for the next batch or request with the same prompts.
 */
public final class StableDiffusionXLPipeline {
    private final Checkpoint checkpoint;
    private final SdxlTokenizers tokenizers;
    private SdxlTextEncoder textEncoder;
    private UNet2DConditionModel unet;
    private AutoencoderKL vae;
    private final TextEncodingCache encodings;

    /** Text conditionings kept for requests that repeat a prompt. */
    private static final int CACHED_ENCODINGS = 4;

    /** Makes the sampler of one image (or one batch) from the run's generator(s). */
    @FunctionalInterface
    public interface SamplerFactory {
        DenoisingSampler create(GenerationRequest request, NormalNoise generator);

        /**
         * The sampler of a batch whose images differ only in seed and prompts, image i's noise drawn
         * from generator i. By default the first image's sampler over the batch's generators, right for
         * every sampler that takes its noise from the generator it is given.
         */
        default DenoisingSampler createBatch(List<GenerationRequest> batch, BatchGenerators generators) {
            return create(batch.getFirst(), generators);
        }
    }

    /** Throws when the checkpoint cannot run as detected (e.g. attention heads unknown without --config). */
    public StableDiffusionXLPipeline(Checkpoint checkpoint, SdxlTokenizers tokenizers) {
        checkpoint.architecture().requireRunnable();
        this.checkpoint = checkpoint;
        this.tokenizers = tokenizers;
        this.encodings = new TextEncodingCache(CACHED_ENCODINGS);
    }

    /** A pipeline over the same checkpoint with the given models already built (see {@link #withAdapters}). */
    private StableDiffusionXLPipeline(Checkpoint checkpoint, SdxlTokenizers tokenizers, SdxlTextEncoder textEncoder,
                                      UNet2DConditionModel unet, AutoencoderKL vae, TextEncodingCache encodings) {
        this.checkpoint = checkpoint;
        this.tokenizers = tokenizers;
        this.textEncoder = textEncoder;
        this.unet = unet;
        this.vae = vae;
        this.encodings = encodings;
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
        // the same text encoders share the encodings; adapted ones keep theirs apart (for this pipeline only)
        return new StableDiffusionXLPipeline(checkpoint, tokenizers, enc, u, vae(), text ? new TextEncodingCache(CACHED_ENCODINGS) : encodings);
    }

    public Checkpoint checkpoint() {
        return checkpoint;
    }

    public SdxlTokenizers tokenizers() {
        return tokenizers;
    }

    /** How many times this pipeline's text encoders have run (cached and repeated prompts are not encoded again). */
    public long textEncodings() {
        return encodings.encodings();
    }

    /** Forgets the kept text encodings (benchmarks time an encoding each run). */
    public void clearTextEncodings() {
        encodings.clear();
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
        return generateBatch(List.of(req), samplers, hooks).getFirst();
    }

    /**
     * Runs all stages for a batch of images that differ only in seed and prompts (A1111's batch size):
     * one denoising loop over all their latents, each image's noise from its own seed, then one VAE
     * decode per image. Each result equals the image made alone with its request (up to the rounding
     * of batched matrix products; bit for bit where prompts of different chunk counts do not meet).
     * Timings are the batch's.
     */
    public List<ImageResult> generateBatch(List<GenerationRequest> batch, SamplerFactory samplers, RunHooks hooks) {
        checkBatch(batch);
        BufferPool pool = new BufferPool();
        try {
            return Buffers.withPool(pool, () -> run(batch, samplers, hooks));
        } finally {
            pool.clearAndCollect(); // the next image must reuse this one's heap, not add to it
        }
    }

    private List<ImageResult> run(List<GenerationRequest> batch, SamplerFactory samplers, RunHooks hooks) {
        GenerationRequest req = batch.getFirst();
        int n = batch.size();
        hooks.stageStarted(Stage.TEXT_ENCODING);
        long t0 = System.nanoTime();
        List<TextConditioning> conds = encodePrompts(batch);
        releaseTextEncoderWeights();
        long t1 = System.nanoTime();
        hooks.stageStarted(Stage.DENOISING);
        NormalNoise generator;
        DenoisingSampler sampler;
        if (n == 1) {
            TorchGenerator g = new TorchGenerator(req.seed());
            generator = g;
            sampler = samplers.create(req, g);
        } else {
            BatchGenerators g = BatchGenerators.seeded(batch.stream().mapToLong(GenerationRequest::seed).toArray());
            generator = g;
            sampler = samplers.createBatch(batch, g);
        }
        int[] shape = latentShape(req);
        shape[0] = n;
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
        x = denoise(batch, conds, sampler, x, 0, counting, UnaryOperator.identity());
        long t2 = System.nanoTime();
        releaseUnetMemory();
        hooks.stageStarted(Stage.VAE_DECODING);
        int per = x.length / n;
        int[] one = shape.clone();
        one[0] = 1;
        List<Tensor> latents = new ArrayList<>();
        List<Tensor> images = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Tensor l = new Tensor(n == 1 ? x : Arrays.copyOfRange(x, i * per, (i + 1) * per), one);
            latents.add(l);
            images.add(decode(l));
        }
        long t3 = System.nanoTime();
        int perEvaluation = req.classifierFreeGuidance() ? 2 : 1;
        var timings = new ImageResult.Timings((t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9, evaluations[0] * perEvaluation);
        float[] timesteps = sampler.timesteps();
        List<ImageResult> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] noiseI = n == 1 ? noise : Arrays.copyOfRange(noise, i * per, (i + 1) * per);
            out.add(new ImageResult(batch.get(i), conds.get(i), noiseI, latents.get(i), images.get(i), timesteps, timings));
        }
        return out;
    }

    /** A batch shares everything but seeds and prompts (size, steps, sampler, guidance, size conditioning, ...). */
    private static void checkBatch(List<GenerationRequest> batch) {
        if (batch.isEmpty()) throw new IllegalArgumentException("an empty batch");
        GenerationRequest first = neutral(batch.getFirst());
        for (GenerationRequest r : batch)
            if (!neutral(r).equals(first)) throw new IllegalArgumentException("images of one batch differ in more than seed and prompts: " + r);
    }

    private static GenerationRequest neutral(GenerationRequest r) {
        return new GenerationRequest("", null, r.width(), r.height(), r.steps(), r.cfgScale(), r.sampler(), r.schedule(), 0, r.promptMode(),
                r.a1111(), r.clipSkip(), r.originalWidth(), r.originalHeight(), r.cropTop(), r.cropLeft(), r.targetWidth(), r.targetHeight(),
                r.savings());
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
        return encodings.get(req, () -> encodeNow(req));
    }

    /** Stage 1 for a batch: each distinct prompt pair encoded once (or taken from the recent encodings). */
    public List<TextConditioning> encodePrompts(List<GenerationRequest> batch) {
        Map<TextEncodingCache.Key, TextConditioning> distinct = new HashMap<>();
        List<TextConditioning> out = new ArrayList<>();
        for (GenerationRequest r : batch) out.add(distinct.computeIfAbsent(TextEncodingCache.Key.of(r), k -> encodePrompts(r)));
        return out;
    }

    private TextConditioning encodeNow(GenerationRequest req) {
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
        return denoise(List.of(req), List.of(cond), sampler, x, fromStep, hooks, prediction);
    }

    /** Stage 3 for a batch: {@code x} holds the latents of every image of {@code batch}, one after another. */
    public float[] denoise(List<GenerationRequest> batch, List<TextConditioning> conds, DenoisingSampler sampler, float[] x, int fromStep,
                           RunHooks hooks, UnaryOperator<EpsModel> prediction) {
        GenerationRequest req = batch.getFirst();
        // what earlier phases left idle (a VAE encode, a first pass at another size) has other shapes
        Buffers.clearAndCollect();
        UNet2DConditionModel model = unet();
        UNet2DConditionModel.Conditioning unetCond = unetConditioning(conds, batch);
        int[] shape = {batch.size(), model.config().inChannels(), req.height() / 8, req.width() / 8};
        ConditionedUnet unetModel = new ConditionedUnet(model, conds, unetCond, batch, shape, hooks, sampler.steps() - fromStep);
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
    public DenoisingSampler diffusersSampler(GenerationRequest req, NormalNoise generator) {
        return new DiffusersSampler(scheduler(req), generator);
    }

    /**
     * The UNet's noise prediction for the latents of shape [N, C, H, W] at timestep {@code t}, with
     * classifier-free guidance when the conditioning holds the 2N rows [negatives; positives]:
     * uncond + scale * (cond - uncond).
     */
    public static float[] guidedNoise(UNet2DConditionModel model, float[] latent, int[] shape, float t,
                                      UNet2DConditionModel.Conditioning cond, double cfgScale) {
        return guidedNoise(model, latent, shape, t, cond, cfgScale, null);
    }

    /** {@link #guidedNoise(UNet2DConditionModel, float[], int[], float, UNet2DConditionModel.Conditioning, double)} through a DeepCache state (null: off). */
    public static float[] guidedNoise(UNet2DConditionModel model, float[] latent, int[] shape, float t,
                                      UNet2DConditionModel.Conditioning cond, double cfgScale, DeepCache deepCache) {
        int n = shape[0];
        if (cond.batch() == n) return model.forward(new Tensor(latent, shape), timesteps(t, n), cond, deepCache).data();
        float[] batch = new float[2 * latent.length];
        System.arraycopy(latent, 0, batch, 0, latent.length);
        System.arraycopy(latent, 0, batch, latent.length, latent.length);
        float[] out = model.forward(new Tensor(batch, 2 * n, shape[1], shape[2], shape[3]), timesteps(t, 2 * n), cond, deepCache).data();
        float[] eps = new float[latent.length];
        float scale = (float) cfgScale;
        for (int k = 0; k < eps.length; k++) {
            float u = out[k], c = out[latent.length + k];
            eps[k] = u + scale * (c - u);
        }
        Buffers.give(out); // the UNet's output came from the activation pool
        return eps;
    }

    /** The same timestep for each of {@code rows} UNet batch rows. */
    static float[] timesteps(float t, int rows) {
        float[] ts = new float[rows];
        Arrays.fill(ts, t);
        return ts;
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
        return unetConditioning(List.of(c), List.of(req));
    }

    /**
     * The conditioning of a batch of N images: [negatives; positives] (2N rows) with CFG, else the N
     * positives. Rows of different lengths are each repeated up to the least common multiple.
     */
    static UNet2DConditionModel.Conditioning unetConditioning(List<TextConditioning> conds, List<GenerationRequest> batch) {
        List<Embedding> rows = new ArrayList<>();
        List<GenerationRequest> rowRequests = new ArrayList<>();
        boolean guidance = conds.getFirst().negative() != null;
        if (guidance) {
            for (int i = 0; i < conds.size(); i++) {
                if (conds.get(i).negative() == null) throw new IllegalArgumentException("image " + i + " of the batch has no negative conditioning");
                rows.add(conds.get(i).negative());
                rowRequests.add(batch.get(i));
            }
        }
        for (int i = 0; i < conds.size(); i++) {
            rows.add(conds.get(i).positive());
            rowRequests.add(batch.get(i));
        }
        Embedding first = rows.getFirst();
        if (rows.size() == 1) return new UNet2DConditionModel.Conditioning(first.hiddenStates(), first.tokens(), first.pooled(), batch.getFirst().timeIds());
        int tokens = 1;
        for (Embedding e : rows) tokens = lcm(tokens, e.tokens());
        int rowLength = tokens * first.width();
        int pooledWidth = first.pooled().length;
        float[] ctx = new float[rows.size() * rowLength];
        float[] pooled = new float[rows.size() * pooledWidth];
        float[] timeIds = new float[rows.size() * 6];
        for (int r = 0; r < rows.size(); r++) {
            float[] h = rows.get(r).hiddenStates();
            // each row's hidden states repeated along the sequence: attention over k copies is unchanged
            for (int o = 0; o < rowLength; o += h.length) System.arraycopy(h, 0, ctx, r * rowLength + o, h.length);
            System.arraycopy(rows.get(r).pooled(), 0, pooled, r * pooledWidth, pooledWidth);
            System.arraycopy(rowRequests.get(r).timeIds(), 0, timeIds, r * 6, 6);
        }
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
