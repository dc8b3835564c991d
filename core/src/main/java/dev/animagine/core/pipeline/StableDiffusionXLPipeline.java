package dev.animagine.core.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.animagine.core.io.Checkpoint;
import dev.animagine.core.sampling.SchedulerConfig;
import dev.animagine.core.sampling.Scheduler;
import dev.animagine.core.sampling.TorchGenerator;
import dev.animagine.core.tensor.Buffers;
import dev.animagine.core.tensor.StoredTensor;
import dev.animagine.core.tensor.Tensor;
import dev.animagine.core.text.ClipTextModel;
import dev.animagine.core.text.PromptMode;
import dev.animagine.core.text.PromptTokenizer;
import dev.animagine.core.text.SdxlTextEncoder;
import dev.animagine.core.text.SdxlTextEncoder.Embedding;
import dev.animagine.core.text.SdxlTokenizers;
import dev.animagine.core.text.TokenizedPrompt;
import dev.animagine.core.unet.UNet2DConditionModel;
import dev.animagine.core.vae.AutoencoderKL;

import java.util.List;

/**
 * Text to image with an SDXL checkpoint, step for step as diffusers' {@code StableDiffusionXLPipeline}
 * with a CPU generator: encode the prompts, draw the initial latents from the torch-compatible
 * generator, run the scheduler loop around the UNet with classifier-free guidance (negative and
 * positive in one batch-2 evaluation, [negative; positive] as diffusers orders them), decode with
 * the VAE. Models are built on first use and kept for the next image.
 */
public final class StableDiffusionXLPipeline {
    private final Checkpoint checkpoint;
    private final SdxlTokenizers tokenizers;
    private SdxlTextEncoder textEncoder;
    private UNet2DConditionModel unet;
    private AutoencoderKL vae;

    /** Receives progress of the denoising loop. */
    public interface Listener {
        Listener NONE = new Listener() {};

        default void onStep(int step, int total) {}

        default void onPhase(String phase) {}
    }

    /** What one image run produced, including intermediates for {@code --dump}. */
    public record Result(GenerationRequest request, TextConditioning conditioning, float[] initialNoise,
                         Tensor latents, Tensor image, float[] timesteps, Timings timings) {}

    /** Wall-clock seconds per phase. */
    public record Timings(double textEncode, double denoise, double vaeDecode, int unetEvaluations) {}

    public StableDiffusionXLPipeline(Checkpoint checkpoint, SdxlTokenizers tokenizers) {
        this.checkpoint = checkpoint;
        this.tokenizers = tokenizers;
    }

    public Checkpoint checkpoint() {
        return checkpoint;
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

    /**
     * Encodes prompt and negative prompt as the request's mode does: A1111 (emphasis, 75-token chunks,
     * a missing negative encoded as "") or diffusers (truncation at 77; with no negative and
     * {@code force_zeros_for_empty_prompt}, an all-zero negative).
     */
    public TextConditioning encode(GenerationRequest req) {
        PromptTokenizer tok = new PromptTokenizer(tokenizers, req.promptMode(), req.a1111());
        SdxlTextEncoder enc = textEncoder();
        TokenizedPrompt pt = tok.tokenize(req.prompt());
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

    public Result generate(GenerationRequest req, Listener listener) {
        listener.onPhase("text");
        long t0 = System.nanoTime();
        TextConditioning cond = encode(req);
        releaseTextEncoderWeights();
        long t1 = System.nanoTime();
        listener.onPhase("denoise");
        UNet2DConditionModel model = unet();
        Scheduler scheduler = scheduler(req);
        TorchGenerator generator = new TorchGenerator(req.seed());
        int lc = model.config().inChannels(), lh = req.height() / 8, lw = req.width() / 8;
        float[] noise = generator.randn(1, lc, lh, lw);
        float[] x = noise.clone();
        float sigma0 = scheduler.initNoiseSigma();
        for (int i = 0; i < x.length; i++) x[i] *= sigma0;

        UNet2DConditionModel.Conditioning unetCond = unetConditioning(cond, req);
        float[] timesteps = scheduler.timesteps();
        int[] shape = {1, lc, lh, lw};
        for (int i = 0; i < timesteps.length; i++) {
            float[] eps = guidedNoise(model, scheduler.scaleModelInput(x, i), shape, timesteps[i], unetCond, req.cfgScale());
            x = scheduler.step(eps, i, x, generator);
            listener.onStep(i + 1, timesteps.length);
        }
        int evaluations = timesteps.length * (req.classifierFreeGuidance() ? 2 : 1);
        long t2 = System.nanoTime();
        releaseUnetMemory();
        listener.onPhase("vae");
        Tensor latents = new Tensor(x, 1, lc, lh, lw);
        Tensor image = decodeToImage(latents);
        long t3 = System.nanoTime();
        return new Result(req, cond, noise, latents, image, timesteps,
                new Timings((t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9, evaluations));
    }

    /**
     * The UNet's noise prediction for one latent at timestep {@code t}, with classifier-free guidance
     * when the conditioning holds a [negative; positive] batch: uncond + scale * (cond - uncond).
     */
    public static float[] guidedNoise(UNet2DConditionModel model, float[] latent, int[] shape, float t,
                                      UNet2DConditionModel.Conditioning cond, double cfgScale) {
        if (cond.batch() == 1) return model.forward(new Tensor(latent, shape), new float[] {t}, cond).data();
        float[] batch = new float[2 * latent.length];
        System.arraycopy(latent, 0, batch, 0, latent.length);
        System.arraycopy(latent, 0, batch, latent.length, latent.length);
        float[] out = model.forward(new Tensor(batch, 2, shape[1], shape[2], shape[3]), new float[] {t, t}, cond).data();
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
     * image pages them back in from the OS cache) and its idle activation buffers are dropped, so
     * the decoder's large activations do not stack on top of them.
     */
    void releaseUnetMemory() {
        if (unet != null) unet.clearContextCache();
        checkpoint.unet().asMap().values().forEach(StoredTensor::release);
        Buffers.clear();
    }

    /** Latents -> RGB in [0, 1]: VAE decode of latents / scaling factor, then clamp(x / 2 + 0.5). */
    public Tensor decodeToImage(Tensor latents) {
        AutoencoderKL v = vae();
        float[] z = latents.data().clone();
        float inv = (float) v.config().scalingFactor();
        for (int i = 0; i < z.length; i++) z[i] /= inv;
        Tensor decoded = v.decode(new Tensor(z, latents.shape()));
        float[] d = decoded.data();
        for (int i = 0; i < d.length; i++) d[i] = Math.clamp(d[i] / 2f + 0.5f, 0f, 1f);
        return decoded;
    }

    Scheduler scheduler(GenerationRequest req) {
        JsonNode config = checkpoint.schedulerConfig().orElseGet(SchedulerConfig::sdxlJson);
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
