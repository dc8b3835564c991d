package dev.animagine.core.vae;

import dev.animagine.core.tensor.Buffers;
import dev.animagine.core.tensor.Tensor;

import java.util.function.UnaryOperator;

/**
 * Tiled VAE decoding, so memory stays bounded at large sizes: the decoder's last stages hold
 * several {@code 128..256 x H x W} fp32 activations, over 1 GB each at 1024x1024.
 * <p>
 * The rule: along each axis a latent of length {@code L <= maxTile} is decoded whole (exactly as
 * diffusers does; every small image, including all test fixtures, takes this path). A longer axis
 * is cut into {@code n = ceil((L - overlap) / (maxTile - overlap))} tiles of equal length
 * {@code T = ceil((L + (n - 1) overlap) / n)}, placed at {@code round(i (L - T) / (n - 1))}, so
 * neighbours overlap by at least {@code overlap} latents. Each tile is decoded on its own; in the
 * image, a tile's weight ramps linearly from 0 to 1 across each overlap it shares with a
 * neighbour ({@code (d + 0.5) / overlapPixels} at distance d from its edge), is 1 elsewhere (and at
 * the image border), and every pixel is the weighted mean of the tiles covering it, which hides
 * the seams. The default, 80-latent tiles (640 px) with 16-latent (128 px) overlap, decodes
 * 1024x1024 as 2 x 2 tiles of 72 latents: 1.27x the work of one pass, at about a third of its
 * peak memory.
 */
public record VaeTiling(int maxTile, int overlap) {
    public static final VaeTiling DEFAULT = new VaeTiling(80, 16);
    /** Never tiles. */
    public static final VaeTiling NONE = new VaeTiling(Integer.MAX_VALUE, 0);

    public VaeTiling {
        if (maxTile < 1 || overlap < 0 || (maxTile != Integer.MAX_VALUE && overlap >= maxTile))
            throw new IllegalArgumentException("tile " + maxTile + " with overlap " + overlap);
    }

    /** Tile starts and the common tile length along an axis of {@code length} latents: {@code [T, s0, s1, ...]}. */
    int[] layout(int length) {
        if (length <= maxTile) return new int[] {length, 0};
        int n = (length - overlap + (maxTile - overlap) - 1) / (maxTile - overlap);
        int t = (length + (n - 1) * overlap + n - 1) / n;
        int[] r = new int[n + 1];
        r[0] = t;
        for (int i = 0; i < n; i++) r[i + 1] = (int) Math.round((double) i * (length - t) / (n - 1));
        return r;
    }

    /**
     * Blend weight of pixel {@code p} (0-based within a tile of {@code size} pixels) given whether
     * the tile has a neighbour before / after it and the overlap in pixels.
     */
    static float weight(int p, int size, boolean before, boolean after, int overlapPixels) {
        float w = 1f;
        if (before && p < overlapPixels) w = Math.min(w, (p + 0.5f) / overlapPixels);
        if (after && size - 1 - p < overlapPixels) w = Math.min(w, (size - 1 - p + 0.5f) / overlapPixels);
        return w;
    }

    Tensor decode(Tensor z, int scale, UnaryOperator<Tensor> decoder) {
        int n = z.dim(0), c = z.dim(1), h = z.dim(2), w = z.dim(3);
        int[] ys = layout(h), xs = layout(w);
        if (ys.length == 2 && xs.length == 2) return decoder.apply(z);
        int th = ys[0], tw = xs[0], oh = h * scale, ow = w * scale, op = overlap * scale;
        float[] sum = null, weights = new float[oh * ow];
        int channels = 0;
        float[] tile = Buffers.take(n * c * th * tw);
        for (int iy = 1; iy < ys.length; iy++)
            for (int ix = 1; ix < xs.length; ix++) {
                int y0 = ys[iy], x0 = xs[ix];
                for (int p = 0; p < n * c; p++)
                    for (int y = 0; y < th; y++)
                        System.arraycopy(z.data(), (p * h + y0 + y) * w + x0, tile, (p * th + y) * tw, tw);
                Tensor out = decoder.apply(new Tensor(tile, n, c, th, tw));
                channels = out.dim(1);
                if (sum == null) sum = new float[n * channels * oh * ow];
                int ph = th * scale, pw = tw * scale, py0 = y0 * scale, px0 = x0 * scale;
                float[] wy = new float[ph], wx = new float[pw];
                for (int y = 0; y < ph; y++) wy[y] = weight(y, ph, iy > 1, iy < ys.length - 1, op);
                for (int x = 0; x < pw; x++) wx[x] = weight(x, pw, ix > 1, ix < xs.length - 1, op);
                float[] d = out.data();
                for (int y = 0; y < ph; y++)
                    for (int x = 0; x < pw; x++) weights[(py0 + y) * ow + px0 + x] += wy[y] * wx[x];
                for (int p = 0; p < n * channels; p++)
                    for (int y = 0; y < ph; y++) {
                        int src = (p * ph + y) * pw, dst = (p * oh + py0 + y) * ow + px0;
                        for (int x = 0; x < pw; x++) sum[dst + x] += wy[y] * wx[x] * d[src + x];
                    }
                Buffers.give(out);
            }
        Buffers.give(tile);
        for (int p = 0; p < n * channels; p++)
            for (int i = 0; i < oh * ow; i++) sum[p * oh * ow + i] /= weights[i];
        return new Tensor(sum, n, channels, oh, ow);
    }
}
