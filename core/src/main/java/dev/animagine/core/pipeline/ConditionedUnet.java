package dev.animagine.core.pipeline;

import dev.animagine.core.sampling.ConditionedEpsModel;
import dev.animagine.core.tensor.Buffers;
import dev.animagine.core.tensor.Tensor;
import dev.animagine.core.unet.DeepCache;
import dev.animagine.core.unet.UNet2DConditionModel;

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
    private final TextConditioning text;
    private final UNet2DConditionModel.Conditioning both;
    private final GenerationRequest req;
    private final int[] shape;
    private final RunHooks hooks;
    private final DeepCache deepCache;
    private final int passSteps;
    private int step;
    private UNet2DConditionModel.Conditioning promptOnly;

    /** @param passSteps the steps this pass runs (diffusers' {@code num_timesteps}, the CFG cutoff's base) */
    ConditionedUnet(UNet2DConditionModel model, TextConditioning text, UNet2DConditionModel.Conditioning both,
                    GenerationRequest req, int[] shape, RunHooks hooks, int passSteps) {
        this.model = model;
        this.text = text;
        this.both = both;
        this.req = req;
        this.shape = shape;
        this.hooks = hooks;
        this.passSteps = passSteps;
        this.deepCache = req.savings().deepCache() ? new DeepCache(req.savings().deepCacheInterval()) : null;
    }

    ConditionedUnet(UNet2DConditionModel model, TextConditioning text, UNet2DConditionModel.Conditioning both,
                    GenerationRequest req, int[] shape, RunHooks hooks) {
        this(model, text, both, req, shape, hooks, req.steps());
    }

    @Override
    public float[] eps(float[] xIn, float t) {
        hooks.beforeEvaluation();
        if (both.batch() == 2 && req.savings().unguided(step, passSteps)) return single(xIn, t, promptOnly());
        return StableDiffusionXLPipeline.guidedNoise(model, xIn, shape, t, both, req.cfgScale(), deepCache);
    }

    /** The sampler finished a step (the CFG cutoff counts steps of the pass from 0). */
    void stepDone() {
        step++;
    }

    /** The pass's DeepCache state, or null when off. */
    DeepCache deepCache() {
        return deepCache;
    }

    private UNet2DConditionModel.Conditioning promptOnly() {
        if (promptOnly == null) promptOnly = StableDiffusionXLPipeline.unetConditioning(new TextConditioning(text.positive(), null,
                text.positiveTokens(), null), req);
        return promptOnly;
    }

    @Override
    public float[][] rows(float[] xIn, float t, int rows) {
        hooks.beforeEvaluation();
        if (both.batch() == 1) {
            float[] c = single(xIn, t, both);
            return rows == 1 ? new float[][] {c} : new float[][] {c, c};
        }
        if (rows == 1) return new float[][] {single(xIn, t, promptOnly())};
        float[] batch = new float[2 * xIn.length];
        System.arraycopy(xIn, 0, batch, 0, xIn.length);
        System.arraycopy(xIn, 0, batch, xIn.length, xIn.length);
        float[] out = model.forward(new Tensor(batch, 2, shape[1], shape[2], shape[3]), new float[] {t, t}, both, deepCache).data();
        float[] negative = java.util.Arrays.copyOfRange(out, 0, xIn.length);
        float[] prompt = java.util.Arrays.copyOfRange(out, xIn.length, 2 * xIn.length);
        Buffers.give(out); // the UNet's output came from the activation pool
        return new float[][] {prompt, negative};
    }

    private float[] single(float[] xIn, float t, UNet2DConditionModel.Conditioning c) {
        float[] out = model.forward(new Tensor(xIn, shape), new float[] {t}, c, deepCache).data();
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
