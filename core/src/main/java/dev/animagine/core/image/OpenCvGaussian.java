package dev.animagine.core.image;

/**
 * The pieces of OpenCV's bit-exact 8-bit {@code GaussianBlur} that A1111's mask blur relies on:
 * the fixed-point kernel ({@link #fixedKernel}) and the default border rule.
 */
final class OpenCvGaussian {
    private OpenCvGaussian() {}

    /**
     * The n-tap kernel for σ, in units of 1/256: OpenCV's {@code getGaussianKernelBitExact} (the
     * normalised Gaussian, centre = 1 − the other taps) turned into fixed point by
     * {@code getGaussianKernelFixedPoint_ED}: one side rounded half to even with the rounding error
     * carried to the next tap (error diffusion), mirrored, the centre making the sum exactly 256.
     */
    static int[] fixedKernel(int n, double sigma) {
        if ((n & 1) == 0) throw new IllegalArgumentException("kernel size " + n + " must be odd");
        int half = (n - 1) / 2;
        double scale2 = -0.125 / (sigma * sigma);
        double[] values = new double[half];
        double sum = 0;
        for (int i = 0, x = 1 - n; i < half; i++, x += 2) {
            values[i] = Math.exp((double) (x * x) * scale2);
            sum += values[i];
        }
        sum *= 2;
        sum += 1;
        double mul = 1.0 / sum;
        int[] k = new int[n];
        double err = 0;
        int tails = 0;
        for (int i = 0; i < half; i++) {
            double adjusted = values[i] * mul * 256 + err;
            int v = (int) Math.rint(adjusted);
            err = adjusted - v;
            k[i] = v;
            k[n - 1 - i] = v;
            tails += v;
        }
        k[half] = 256 - 2 * tails;
        return k;
    }

    /** BORDER_REFLECT_101: ...2 1 | 0 1 2 ... n-1 | n-2 n-3... */
    static int reflect101(int p, int len) {
        if (len == 1) return 0;
        while (p < 0 || p >= len) p = p < 0 ? -p : 2 * len - 2 - p;
        return p;
    }
}
