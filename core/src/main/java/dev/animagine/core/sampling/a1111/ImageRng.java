package dev.animagine.core.sampling.a1111;

import dev.animagine.core.InvalidArgumentException;

/**
 * A1111's {@code rng.ImageRNG}: the initial latent noise of a batch and every later noise draw of the
 * ancestral samplers, one generator per image seed. The first {@link #next()} applies variation seeds
 * (subseed + strength, A1111's slerp), "resize seed from" and then, with an eta noise seed delta
 * (ENSD), reseeds every generator with seed + ENSD for the sampler's draws.
 */
public final class ImageRng {
    private final RngSource source;
    private final int channels, height, width;
    private final long[] seeds, subseeds;
    private final double subseedStrength;
    private final int resizeFromH, resizeFromW;
    private final long ensd;
    private final NoiseGenerator[] generators;
    private boolean first = true;
    private int draws;

    /**
     * @param channels       latent channels of one image
     * @param height         latent height (pixels / 8)
     * @param width          latent width (pixels / 8)
     * @param seeds          one per image (A1111: seed + i, see {@link #batchSeeds})
     * @param subseeds       variation seeds (may be null or shorter: missing ones are 0), used when strength != 0
     * @param resizeFromH    "resize seed from" height in pixels, 0 = off (both must be > 0)
     * @param resizeFromW    "resize seed from" width in pixels, 0 = off
     * @param ensd           eta noise seed delta, 0 = off
     */
    public ImageRng(RngSource source, int channels, int height, int width, long[] seeds, long[] subseeds,
                    double subseedStrength, int resizeFromH, int resizeFromW, long ensd) {
        if (seeds.length == 0) throw new InvalidArgumentException("no seeds for the image noise");
        if (channels <= 0 || height <= 0 || width <= 0)
            throw new InvalidArgumentException("latent shape " + channels + "x" + height + "x" + width + " is empty");
        this.source = source;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.seeds = seeds.clone();
        this.subseeds = subseeds == null ? null : subseeds.clone();
        this.subseedStrength = subseedStrength;
        this.resizeFromH = resizeFromH;
        this.resizeFromW = resizeFromW;
        this.ensd = ensd;
        this.generators = new NoiseGenerator[seeds.length];
        for (int i = 0; i < seeds.length; i++) generators[i] = source.create(seeds[i]);
    }

    /** A single image with no variation seed, resize or ENSD. */
    public static ImageRng of(RngSource source, int channels, int height, int width, long seed) {
        return new ImageRng(source, channels, height, width, new long[] {seed}, null, 0, 0, 0, 0);
    }

    /**
     * A1111's batch seeds ({@code processing.get_fixed_seed} / {@code all_seeds}): seed + i, or all equal to
     * seed when a variation strength is set (the images then differ by their subseeds, subseed + i).
     */
    public static long[] batchSeeds(long seed, int batch, double subseedStrength) {
        long[] s = new long[batch];
        for (int i = 0; i < batch; i++) s[i] = subseedStrength > 0 ? seed : seed + i;
        return s;
    }

    /** A1111's batch subseeds: subseed + i. */
    public static long[] batchSubseeds(long subseed, int batch) {
        long[] s = new long[batch];
        for (int i = 0; i < batch; i++) s[i] = subseed + i;
        return s;
    }

    public int batch() {
        return seeds.length;
    }

    /** Elements of one {@link #next()}: batch · C · H · W. */
    public int numel() {
        return seeds.length * channels * height * width;
    }

    /** How many times {@link #next()} has been called. */
    public int draws() {
        return draws;
    }

    /** The next noise tensor (batch, C, H, W) flattened: the initial noise first, then the sampler's draws. */
    public float[] next() {
        draws++;
        if (first) {
            first = false;
            return first();
        }
        int per = channels * height * width;
        float[] out = new float[seeds.length * per];
        for (int i = 0; i < seeds.length; i++) System.arraycopy(generators[i].randn(per), 0, out, i * per, per);
        return out;
    }

    private float[] first() {
        boolean resize = resizeFromH > 0 && resizeFromW > 0;
        int nh = resize ? resizeFromH / 8 : height, nw = resize ? resizeFromW / 8 : width;
        boolean resized = nh != height || nw != width;
        int per = channels * height * width, nPer = channels * nh * nw;
        if (nPer == 0) throw new InvalidArgumentException("resize seed from " + resizeFromW + "x" + resizeFromH + " is smaller than one latent pixel");
        float[] out = new float[seeds.length * per];
        for (int i = 0; i < seeds.length; i++) {
            float[] sub = null;
            if (subseeds != null && subseedStrength != 0) {
                long subseed = i < subseeds.length ? subseeds[i] : 0;
                sub = source.create(subseed).randn(nPer);
            }
            // another noise shape comes from a fresh global generator with the same seed: the same numbers
            float[] noise = resized ? source.create(seeds[i]).randn(nPer) : generators[i].randn(per);
            if (sub != null) noise = slerp((float) subseedStrength, noise, sub, channels, nh, nw);
            if (resized) {
                float[] x = generators[i].randn(per);
                paste(noise, nh, nw, x, height, width, channels);
                noise = x;
            }
            System.arraycopy(noise, 0, out, i * per, per);
        }
        if (ensd != 0) for (int i = 0; i < seeds.length; i++) generators[i] = source.create(seeds[i] + ensd);
        return out;
    }

    /** Centres {@code src} (C, sh, sw) on {@code dst} (C, dh, dw), cropping what does not fit. */
    private static void paste(float[] src, int sh, int sw, float[] dst, int dh, int dw, int channels) {
        int dx = Math.floorDiv(dw - sw, 2), dy = Math.floorDiv(dh - sh, 2);
        int w = dx >= 0 ? sw : sw + 2 * dx, h = dy >= 0 ? sh : sh + 2 * dy;
        int tx = Math.max(dx, 0), ty = Math.max(dy, 0), sx = Math.max(-dx, 0), sy = Math.max(-dy, 0);
        for (int c = 0; c < channels; c++)
            for (int y = 0; y < h; y++)
                System.arraycopy(src, (c * sh + sy + y) * sw + sx, dst, (c * dh + ty + y) * dw + tx, w);
    }

    /**
     * A1111's {@code rng.slerp} on a (C, H, W) tensor: norms and dot products run over H (dim 1), one
     * angle per (c, w). Nearly parallel noises (mean cosine > 0.9995) mix linearly as low·val + high·(1 − val)
     * in float32, as A1111 does; otherwise the angle and its sines are computed in double (closer to
     * torch's float32 result than float32 with differently rounded sin/acos would be).
     */
    static float[] slerp(float val, float[] low, float[] high, int channels, int h, int w) {
        double[] cos = new double[channels * w];
        double meanCos = 0;
        for (int c = 0; c < channels; c++)
            for (int x = 0; x < w; x++) {
                double sl = 0, sh = 0, d = 0;
                for (int y = 0; y < h; y++) {
                    int k = (c * h + y) * w + x;
                    sl += (double) low[k] * low[k];
                    sh += (double) high[k] * high[k];
                    d += (double) low[k] * high[k];
                }
                cos[c * w + x] = d / Math.sqrt(sl) / Math.sqrt(sh);
                meanCos += (float) cos[c * w + x];
            }
        float[] out = new float[low.length];
        if ((float) (meanCos / cos.length) > 0.9995f) {
            float oneMinus = 1f - val;
            for (int k = 0; k < out.length; k++) out[k] = low[k] * val + high[k] * oneMinus;
            return out;
        }
        for (int c = 0; c < channels; c++)
            for (int x = 0; x < w; x++) {
                double omega = Math.acos(cos[c * w + x]);
                double so = Math.sin(omega);
                double a = Math.sin((1 - (double) val) * omega) / so;
                double b = Math.sin(val * omega) / so;
                for (int y = 0; y < h; y++) {
                    int k = (c * h + y) * w + x;
                    out[k] = (float) (a * low[k] + b * high[k]);
                }
            }
        return out;
    }
}
