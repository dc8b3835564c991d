package dev.animagine.core.pipeline;

import dev.animagine.core.sampling.ConditionedEpsModel;
import dev.animagine.core.tensor.Buffers;
import dev.animagine.core.tensor.Tensor;
import dev.animagine.core.unet.DeepCache;
import dev.animagine.core.unet.UNet2DConditionModel;

import java.util.List;

/**
 * The UNet as the denoising loop calls it: {@link #eps} with diffusers' guidance on ε (the [negative;
 * positive] batch), {@link #rows} with the two outputs apart in A1111's order, or the prompt's alone
 * (a prompt-only conditioning is built on first use, with its own text K/V cache). Every evaluation
 * is announced to the run's hooks first (cancellation).
 * <p>
 * Step savings ({@link StepSavings}): with DeepCache every evaluation goes through the pass's own
 * {@link DeepCache} (released with {@link #release}); with a CFG cutoff, {@link #eps} runs the
 * prompt's pass alone, unguided, on the steps after the cutoff, as diffusers' SDXLCFGCutoffCallback
 * leaves it (A1111's samplers cut in {@code CfgDenoiser} instead, through {@link #rows}).
 */
final class ConditionedUnet implements ConditionedEpsModel {
    private final UNet2DConditionModel model;
    private final List<TextConditioning> texts;
    private final UNet2DConditionModel.Conditioning both;
    private final List<GenerationRequest> reqs;
    private final int[] shape;
    private final RunHooks hooks;
    private final DeepCache deepCache;
    private final int passSteps;
    private int step;
    private UNet2DConditionModel.Conditioning promptOnly;

    /** @param passSteps the steps this pass runs (diffusers' {@code num_timesteps}, the CFG cutoff's base) */
    ConditionedUnet(UNet2DConditionModel model, TextConditioning text, UNet2DConditionModel.Conditioning both,
                    GenerationRequest req, int[] shape, RunHooks hooks, int passSteps) {
        this(model, List.of(text), both, List.of(req), shape, hooks, passSteps);
    }

    /**
     * A batch of shape[0] images: {@code both} holds their [negatives; positives] rows (or the positives alone).
     * They share steps and step savings ({@link StableDiffusionXLPipeline#generateBatch} checks it).
     */
    ConditionedUnet(UNet2DConditionModel model, List<TextConditioning> texts, UNet2DConditionModel.Conditioning both,
                    List<GenerationRequest> reqs, int[] shape, RunHooks hooks, int passSteps) {
        this.model = model;
        this.texts = texts;
        this.both = both;
        this.reqs = reqs;
        this.shape = shape;
        this.hooks = hooks;
        this.passSteps = passSteps;
        StepSavings savings = reqs.getFirst().savings();
        this.deepCache = savings.deepCache() ? new DeepCache(savings.deepCacheInterval()) : null;
    }

    ConditionedUnet(UNet2DConditionModel model, TextConditioning text, UNet2DConditionModel.Conditioning both,
                    GenerationRequest req, int[] shape, RunHooks hooks) {
        this(model, text, both, req, shape, hooks, req.steps());
    }

    @Override
    public float[] eps(float[] xIn, float t) {
        hooks.beforeEvaluation();
        // the cutoff runs the N prompts alone (N rows) after the 2N-row guided calls
        if (both.batch() == 2 * shape[0] && reqs.getFirst().savings().unguided(step, passSteps)) return single(xIn, t, promptOnly());
        return StableDiffusionXLPipeline.guidedNoise(model, xIn, shape, t, both, reqs.getFirst().cfgScale(), deepCache);
    }

    /** The sampler finished a step (the CFG cutoff counts steps of the pass from 0). */
    void stepDone() {
        step++;
    }

    /** The pass's DeepCache state, or null when off. */
    DeepCache deepCache() {
        return deepCache;
    }

    /** The positives of every image of the batch, built on first use. */
    private UNet2DConditionModel.Conditioning promptOnly() {
        if (promptOnly == null) promptOnly = StableDiffusionXLPipeline.unetConditioning(texts.stream()
                .map(text -> new TextConditioning(text.positive(), null, text.positiveTokens(), null)).toList(), reqs);
        return promptOnly;
    }

    @Override
    public float[][] rows(float[] xIn, float t, int rows) {
        hooks.beforeEvaluation();
        if (both.batch() == shape[0]) {
            float[] c = single(xIn, t, both);
            return rows == 1 ? new float[][] {c} : new float[][] {c, c};
        }
        if (rows == 1) return new float[][] {single(xIn, t, promptOnly())};
        float[] batch = new float[2 * xIn.length];
        System.arraycopy(xIn, 0, batch, 0, xIn.length);
        System.arraycopy(xIn, 0, batch, xIn.length, xIn.length);
        float[] out = model.forward(new Tensor(batch, 2 * shape[0], shape[1], shape[2], shape[3]),
                StableDiffusionXLPipeline.timesteps(t, 2 * shape[0]), both, deepCache).data();
        float[] negative = java.util.Arrays.copyOfRange(out, 0, xIn.length);
        float[] prompt = java.util.Arrays.copyOfRange(out, xIn.length, 2 * xIn.length);
        Buffers.give(out); // the UNet's output came from the activation pool
        return new float[][] {prompt, negative};
    }

    private float[] single(float[] xIn, float t, UNet2DConditionModel.Conditioning c) {
        float[] out = model.forward(new Tensor(xIn, shape), StableDiffusionXLPipeline.timesteps(t, shape[0]), c, deepCache).data();
        float[] copy = out.clone();
        Buffers.give(out);
        return copy;
    }

    /** Drops the prompt-only conditioning's K/V cache and the DeepCache feature (the caller releases the shared K/V cache). */
    void release() {
        if (promptOnly != null) promptOnly.keyValues().release();
        if (deepCache != null) deepCache.release();
    }
}
