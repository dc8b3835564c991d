package dev.animagine.core.vae;

import dev.animagine.core.tensor.Tensor;

/**
 * Tiled VAE encoding with bounded memory, the encoder's counterpart of {@link VaeTiling}'s decode:
 * the encoder's first stages hold several {@code 128 x H x W} fp32 activations (0.5 GB each at
 * 1024x1024). The tiles are laid out on the LATENT grid with the same rule as the decode (an axis of
 * at most {@code maxTile} latents is encoded whole, so small images get exactly diffusers'
 * untiled encode); each tile is the matching {@code 8x} pixel region, encoded on its own, and the
 * posterior's mean and log-variance are blended with the decode's linear ramps over the overlaps.
 */
public final class VaeTiledEncode {
    private VaeTiledEncode() {}

    /** {@code image} [n, 3, H, W] in [-1, 1] (H, W multiples of the VAE's downscale when tiled). */
    public static AutoencoderKL.LatentDistribution encode(AutoencoderKL vae, Tensor image, VaeTiling tiling) {
        int f = vae.config().downscale();
        int n = image.dim(0), c = image.dim(1), ph = image.dim(2), pw = image.dim(3);
        if (ph % f != 0 || pw % f != 0) return vae.encode(image);
        int h = ph / f, w = pw / f;
        int[] ys = tiling.layout(h), xs = tiling.layout(w);
        if (ys.length == 2 && xs.length == 2) return vae.encode(image);
        int th = ys[0], tw = xs[0], tph = th * f, tpw = tw * f;
        float[] tile = new float[n * c * tph * tpw];
        float[] mean = null, logvar = null, weights = new float[h * w];
        int lc = 0;
        for (int iy = 1; iy < ys.length; iy++)
            for (int ix = 1; ix < xs.length; ix++) {
                int y0 = ys[iy], x0 = xs[ix];
                for (int p = 0; p < n * c; p++)
                    for (int y = 0; y < tph; y++)
                        System.arraycopy(image.data(), (p * ph + y0 * f + y) * pw + x0 * f, tile, (p * tph + y) * tpw, tpw);
                AutoencoderKL.LatentDistribution d = vae.encode(new Tensor(tile, n, c, tph, tpw));
                lc = d.mean().dim(1);
                if (mean == null) {
                    mean = new float[n * lc * h * w];
                    logvar = new float[n * lc * h * w];
                }
                float[] wy = new float[th], wx = new float[tw];
                for (int y = 0; y < th; y++) wy[y] = VaeTiling.weight(y, th, iy > 1, iy < ys.length - 1, tiling.overlap());
                for (int x = 0; x < tw; x++) wx[x] = VaeTiling.weight(x, tw, ix > 1, ix < xs.length - 1, tiling.overlap());
                for (int y = 0; y < th; y++)
                    for (int x = 0; x < tw; x++) weights[(y0 + y) * w + x0 + x] += wy[y] * wx[x];
                float[] dm = d.mean().data(), dl = d.logvar().data();
                for (int p = 0; p < n * lc; p++)
                    for (int y = 0; y < th; y++)
                        for (int x = 0; x < tw; x++) {
                            float wt = wy[y] * wx[x];
                            int src = (p * th + y) * tw + x, dst = (p * h + y0 + y) * w + x0 + x;
                            mean[dst] += wt * dm[src];
                            logvar[dst] += wt * dl[src];
                        }
            }
        for (int p = 0; p < n * lc; p++)
            for (int i = 0; i < h * w; i++) {
                mean[p * h * w + i] /= weights[i];
                logvar[p * h * w + i] /= weights[i];
            }
        return new AutoencoderKL.LatentDistribution(new Tensor(mean, n, lc, h, w), new Tensor(logvar, n, lc, h, w));
    }
}
