package dev.animagine.core.sampling;

/**
 * The numpy (1.24) constructions diffusers' {@code set_timesteps} uses, with numpy's arithmetic:
 * float64 linspace/arange, round-half-to-even, {@code np.interp}, and the Karras ramp.
 */
final class NumpyFloat64 {
    private NumpyFloat64() {}

    /** {@code np.linspace(start, stop, num)}: {@code i * step + start}, the last element exactly stop. */
    static double[] linspace(double start, double stop, int num) {
        double[] y = new double[num];
        if (num == 1) {
            y[0] = start;
            return y;
        }
        double step = (stop - start) / (num - 1);
        for (int i = 0; i < num; i++) y[i] = i * step + start;
        y[num - 1] = stop;
        return y;
    }

    /**
     * {@code np.arange(start, stop, step)} with a float step: numpy stores start and start + step,
     * then fills {@code start + i * delta} with delta recomputed from those two values.
     */
    static double[] arange(double start, double stop, double step) {
        int len = (int) Math.max(0, Math.ceil((stop - start) / step));
        double[] y = new double[len];
        if (len == 0) return y;
        y[0] = start;
        if (len == 1) return y;
        y[1] = start + step;
        double delta = y[1] - y[0];
        for (int i = 2; i < len; i++) y[i] = start + i * delta;
        return y;
    }

    /** {@code np.round}: half to even. */
    static double round(double x) {
        return Math.rint(x);
    }

    /** {@code np.interp(x, arange(len(fp)), fp)}. */
    static double interp(double x, float[] fp) {
        int last = fp.length - 1;
        if (x <= 0) return fp[0];
        if (x >= last) return fp[last];
        int j = (int) Math.floor(x);
        if (x == j) return fp[j];
        double slope = ((double) fp[j + 1] - fp[j]) / 1.0;
        return slope * (x - j) + fp[j];
    }

    /**
     * Karras et al. (2022) noise levels: {@code (max^(1/rho) + ramp * (min^(1/rho) - max^(1/rho)))^rho}
     * over {@code ramp = linspace(0, 1, n)}, rho = 7, in float64 as diffusers computes them.
     */
    static double[] karrasSigmas(double sigmaMin, double sigmaMax, int n) {
        double rho = 7.0;
        double[] ramp = linspace(0, 1, n);
        double minInvRho = Math.pow(sigmaMin, 1 / rho), maxInvRho = Math.pow(sigmaMax, 1 / rho);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) out[i] = Math.pow(maxInvRho + ramp[i] * (minInvRho - maxInvRho), rho);
        return out;
    }
}
