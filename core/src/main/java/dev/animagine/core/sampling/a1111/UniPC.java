package dev.animagine.core.sampling.a1111;

import dev.animagine.core.sampling.EpsModel;
import dev.animagine.core.sampling.TorchFloat32;

import java.util.ArrayList;
import java.util.List;

/**
 * UniPC (Zhao et al. 2023) as A1111 runs it ({@code modules/models/diffusion/uni_pc}): multistep
 * predictor-corrector on the data prediction, variant bh1 (B(h) = h), order 3 with lower orders at
 * the start and the end, time-uniform steps from t = 1 to 1/N of the discrete VP schedule, float32.
 */
final class UniPC {
    private static final int ORDER = 3;

    private final EpsModel model;
    private final float[] tArray, logAlpha;
    private final int totalN;

    private UniPC(EpsModel model, float[] alphasCumprod) {
        this.model = model;
        this.totalN = alphasCumprod.length;
        this.logAlpha = new float[totalN];
        for (int i = 0; i < totalN; i++) logAlpha[i] = 0.5f * (float) Math.log(alphasCumprod[i]);
        float[] t = TorchFloat32.linspace(0, 1, totalN + 1);
        this.tArray = java.util.Arrays.copyOfRange(t, 1, t.length);
    }

    /**
     * @param steps A1111 passes the number of its timesteps (which can exceed the user's steps by one)
     * @param x     the unscaled initial noise
     */
    static float[] sample(EpsModel model, float[] x, int steps, float[] alphasCumprod, StepCallback cb) {
        return sample(model, x, steps, alphasCumprod, 1.0, cb);
    }

    /**
     * @param tStart the continuous time the run starts at: 1 from noise; img2img passes
     *               {@code timesteps[-1] / 1000 + 1 / 1000} of its shortened timesteps (A1111's {@code t_start})
     */
    static float[] sample(EpsModel model, float[] x, int steps, float[] alphasCumprod, double tStart, StepCallback cb) {
        if (steps < ORDER) throw new dev.animagine.core.InvalidArgumentException("UniPC needs at least " + ORDER + " steps, not " + steps);
        return new UniPC(model, alphasCumprod).run(x, steps, tStart, cb);
    }

    private float[] run(float[] x, int steps, double tStart, StepCallback cb) {
        float[] ts = TorchFloat32.linspace(tStart, 1.0 / totalN, steps + 1);
        List<float[]> models = new ArrayList<>();
        List<Float> times = new ArrayList<>();
        models.add(dataPrediction(x, ts[0]));
        times.add(ts[0]);
        int index = 0;
        for (int initOrder = 1; initOrder < ORDER; initOrder++) {
            float t = ts[initOrder];
            Update u = update(x, models, times, t, initOrder, true);
            x = u.x;
            float[] mx = u.model != null ? u.model : dataPrediction(x, t);
            KSampler.emit(cb, index++, steps, 0f, 0f, x, mx);
            models.add(mx);
            times.add(t);
        }
        for (int step = ORDER; step <= steps; step++) {
            float t = ts[step];
            int stepOrder = Math.min(ORDER, steps + 1 - step);
            boolean corrector = step != steps;
            Update u = update(x, models, times, t, stepOrder, corrector);
            x = u.x;
            KSampler.emit(cb, index++, steps, 0f, 0f, x, u.model != null ? u.model : x);
            for (int i = 0; i < ORDER - 1; i++) {
                times.set(i, times.get(i + 1));
                models.set(i, models.get(i + 1));
            }
            times.set(ORDER - 1, t);
            if (step < steps) models.set(ORDER - 1, u.model != null ? u.model : dataPrediction(x, t));
        }
        return x;
    }

    private record Update(float[] x, float[] model) {}

    /** {@code multistep_uni_pc_bh_update} with predict_x0 and B(h) = h. */
    private Update update(float[] x, List<float[]> models, List<Float> times, float t, int order, boolean useCorrector) {
        int last = models.size() - 1;
        float tPrev0 = times.get(last);
        float lambdaPrev0 = lambda(tPrev0), lambdaT = lambda(t);
        float[] m0 = models.get(last);
        float sigmaPrev0 = std(tPrev0), sigmaT = std(t);
        float alphaT = (float) Math.exp(logMeanCoeff(t));
        float h = lambdaT - lambdaPrev0;
        float[] rks = new float[order];
        List<float[]> d1s = new ArrayList<>();
        for (int i = 1; i < order; i++) {
            float[] mi = models.get(last - i);
            float rk = (lambda(times.get(last - i)) - lambdaPrev0) / h;
            rks[i - 1] = rk;
            float[] d = new float[x.length];
            for (int k = 0; k < d.length; k++) d[k] = (mi[k] - m0[k]) / rk;
            d1s.add(d);
        }
        rks[order - 1] = 1f;
        float hh = -h;
        float hPhi1 = (float) Math.expm1(hh);
        float hPhiK = hPhi1 / hh - 1f;
        float bH = hh;
        int factorial = 1;
        float[][] r = new float[order][order];
        float[] b = new float[order];
        for (int i = 1; i <= order; i++) {
            for (int k = 0; k < order; k++) r[i - 1][k] = (float) Math.pow(rks[k], i - 1);
            b[i - 1] = hPhiK * factorial / bH;
            factorial *= i + 1;
            hPhiK = hPhiK / hh - 1f / factorial;
        }
        float[] rhosP = null;
        if (!d1s.isEmpty()) rhosP = order == 2 ? new float[] {0.5f} : solve(r, b, order - 1);
        float[] rhosC = null;
        if (useCorrector) rhosC = order == 1 ? new float[] {0.5f} : solve(r, b, order);
        float a = sigmaT / sigmaPrev0, c = alphaT * hPhi1, ab = alphaT * bH;
        float[] xt0 = new float[x.length];
        for (int k = 0; k < x.length; k++) xt0[k] = a * x[k] - c * m0[k];
        float[] xt = new float[x.length];
        for (int k = 0; k < x.length; k++) {
            float pred = 0f;
            if (rhosP != null) for (int j = 0; j < rhosP.length; j++) pred += rhosP[j] * d1s.get(j)[k];
            xt[k] = xt0[k] - ab * pred;
        }
        float[] modelT = null;
        if (useCorrector) {
            modelT = dataPrediction(xt, t);
            for (int k = 0; k < x.length; k++) {
                float corr = 0f;
                for (int j = 0; j < d1s.size(); j++) corr += rhosC[j] * d1s.get(j)[k];
                float d1t = modelT[k] - m0[k];
                xt[k] = xt0[k] - ab * (corr + rhosC[order - 1] * d1t);
            }
        }
        return new Update(xt, modelT);
    }

    /** x0 = (x − σ_t·ε)/α_t with ε from the CFG model at the model time (t − 1/N)·1000. */
    private float[] dataPrediction(float[] x, float t) {
        float tInput = (t - 1f / totalN) * 1000f;
        float[] eps = model.eps(x, tInput);
        float sigma = std(t), alpha = (float) Math.exp(logMeanCoeff(t));
        float[] x0 = new float[x.length];
        for (int k = 0; k < x.length; k++) x0[k] = (x[k] - sigma * eps[k]) / alpha;
        return x0;
    }

    /** ln α_t: piecewise linear in t through (t_i, ½ ln ᾱ_i), extrapolated beyond the ends ({@code interpolate_fn}). */
    private float logMeanCoeff(float t) {
        int k = tArray.length;
        int j = 0;
        while (j < k && tArray[j] < t) j++;
        int s = j == 0 ? 0 : j == k ? k - 2 : j - 1;
        float sx = tArray[s], ex = tArray[s + 1], sy = logAlpha[s], ey = logAlpha[s + 1];
        return sy + (t - sx) * (ey - sy) / (ex - sx);
    }

    private float std(float t) {
        return (float) Math.sqrt(1f - (float) Math.exp(2f * logMeanCoeff(t)));
    }

    private float lambda(float t) {
        float lmc = logMeanCoeff(t);
        float logStd = 0.5f * (float) Math.log(1f - (float) Math.exp(2f * lmc));
        return lmc - logStd;
    }

    /** Solves the leading n×n block of r·ρ = b (Gaussian elimination with partial pivoting, in double). */
    private static float[] solve(float[][] r, float[] b, int n) {
        double[][] m = new double[n][n + 1];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) m[i][j] = r[i][j];
            m[i][n] = b[i];
        }
        for (int col = 0; col < n; col++) {
            int piv = col;
            for (int i = col + 1; i < n; i++) if (Math.abs(m[i][col]) > Math.abs(m[piv][col])) piv = i;
            double[] tmp = m[col];
            m[col] = m[piv];
            m[piv] = tmp;
            for (int i = col + 1; i < n; i++) {
                double f = m[i][col] / m[col][col];
                for (int j = col; j <= n; j++) m[i][j] -= f * m[col][j];
            }
        }
        double[] sol = new double[n];
        for (int i = n - 1; i >= 0; i--) {
            double s = m[i][n];
            for (int j = i + 1; j < n; j++) s -= m[i][j] * sol[j];
            sol[i] = s / m[i][i];
        }
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = (float) sol[i];
        return out;
    }
}
