package dev.animagine.core.sampling.a1111;

import dev.animagine.core.sampling.EpsModel;
import dev.animagine.core.sampling.KDenoiser;

import java.util.ArrayList;
import java.util.List;

/**
 * A1111's {@code CFGDenoiser}: one batch [prompt, negative] per call, combined as
 * uncond + (cond − uncond)·scale on the wrapped model's outputs (denoised estimates for the
 * k-diffusion samplers, ε for DDIM/UniPC). No shortcut at scale 1: the negative still runs.
 * "Negative Guidance minimum sigma" ({@code s_min_uncond}, infotext {@code NGMS}): on odd calls
 * (every call with {@code s_min_uncond_all}) below that level the negative is skipped and the
 * prompt's output is returned as is. Counts calls from 0 (second-order evaluations included), so use
 * one instance per image batch.
 * <p>
 * CFG cutoff (diffusers' {@code SDXLCFGCutoffCallback} arithmetic, skipped the NGMS way): with ratio R
 * over a pass of {@code steps} steps, every call after call {@code int(steps * R)} skips the negative.
 * Calls are counted as NGMS (and A1111's "Skip Early CFG") count them, so with a second-order sampler
 * the cutoff comes after that many evaluations rather than steps. R = 1 never skips.
 */
public final class CfgDenoiser implements KDenoiser, EpsModel {
    private final ConditionedModel model;
    private final float scale, sMinUncond;
    private final boolean sMinUncondAll;
    private final double cfgCutoff;
    private final int cutoffSteps;
    private final List<Integer> batchRows = new ArrayList<>();
    private int step;

    /**
     * @param model         {@link CompVisDenoiser}/{@link LcmDenoiser} for the k-diffusion samplers, the UNet's ε for DDIM/UniPC
     * @param sMinUncond    0 = off
     */
    public CfgDenoiser(ConditionedModel model, double cfgScale, double sMinUncond, boolean sMinUncondAll) {
        this(model, cfgScale, sMinUncond, sMinUncondAll, 1, 1);
    }

    /**
     * @param cfgCutoff the CFG cutoff ratio R in [0, 1], 1 = off
     * @param steps     the steps of this pass (the cutoff's base)
     */
    public CfgDenoiser(ConditionedModel model, double cfgScale, double sMinUncond, boolean sMinUncondAll, double cfgCutoff, int steps) {
        this.model = model;
        this.scale = (float) cfgScale;
        this.sMinUncond = (float) sMinUncond;
        this.sMinUncondAll = sMinUncondAll;
        this.cfgCutoff = cfgCutoff;
        this.cutoffSteps = steps;
    }

    public CfgDenoiser(ConditionedModel model, double cfgScale) {
        this(model, cfgScale, 0, false);
    }

    /** The guided output at σ (k-diffusion samplers) or timestep (DDIM/UniPC). */
    public float[] forward(float[] x, float level) {
        boolean skipUncond = (step % 2 == 1 || sMinUncondAll) && sMinUncond > 0 && level < sMinUncond
                || cfgCutoff < 1 && step > (int) (cutoffSteps * cfgCutoff);
        int rows = skipUncond ? 1 : 2;
        float[][] out = model.forward(x, level, rows);
        if (out.length != rows) throw new IllegalStateException("model returned " + out.length + " rows for " + rows);
        batchRows.add(rows);
        step++;
        if (skipUncond) return out[0].clone();
        float[] c = out[0], u = out[1];
        float[] d = new float[x.length];
        for (int i = 0; i < d.length; i++) d[i] = u[i] + (c[i] - u[i]) * scale;
        return d;
    }

    @Override
    public float[] denoise(float[] x, float sigma) {
        return forward(x, sigma);
    }

    @Override
    public float[] eps(float[] xIn, float t) {
        return forward(xIn, t);
    }

    /** Model calls so far. */
    public int calls() {
        return step;
    }

    /** The conditioning rows of every model call so far (2 = with the negative, 1 = prompt only). */
    public List<Integer> batchRows() {
        return List.copyOf(batchRows);
    }
}
