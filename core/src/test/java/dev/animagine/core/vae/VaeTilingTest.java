package dev.animagine.core.vae;

import dev.animagine.core.io.Checkpoint;
import dev.animagine.core.tensor.Tensor;
import dev.animagine.core.testing.Fixtures;
import dev.animagine.core.testing.TestModels;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** The tiling rule: layout, blend weights, exact stitching of a local decoder, and the untiled path for small latents. */
class VaeTilingTest {
    @Test
    void layoutCoversTheAxisWithTheRequiredOverlap() {
        VaeTiling t = new VaeTiling(80, 16);
        assertThat(t.layout(80)).containsExactly(80, 0);
        assertThat(t.layout(128)).containsExactly(72, 0, 56); // 1024 px: 2 tiles of 72
        for (VaeTiling tiling : new VaeTiling[] {t, new VaeTiling(12, 4), new VaeTiling(9, 0)})
            for (int len = 1; len < 400; len++) {
                int[] l = tiling.layout(len);
                int size = l[0], n = l.length - 1;
                assertThat(size).isLessThanOrEqualTo(Math.max(len <= tiling.maxTile() ? len : 0, tiling.maxTile()));
                assertThat(l[1]).isZero();
                assertThat(l[n] + size).isEqualTo(len);
                for (int i = 2; i <= n; i++) assertThat(l[i - 1] + size - l[i]).as("overlap at %d", len).isGreaterThanOrEqualTo(tiling.overlap());
            }
    }

    @Test
    void rampsOfNeighboursSumToOne() {
        int size = 50, overlap = 12, start = size - overlap; // right neighbour starts where the overlap begins
        for (int x = start; x < size; x++) {
            float left = VaeTiling.weight(x, size, false, true, overlap), right = VaeTiling.weight(x - start, size, true, false, overlap);
            assertThat((double) left + right).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
        }
        assertThat(VaeTiling.weight(0, size, false, true, overlap)).isEqualTo(1f); // image border
    }

    @Test
    void aLocalDecoderIsStitchedExactly() {
        // a decoder whose pixels depend only on their own latent: tiles must reassemble it exactly
        SplittableRandom r = new SplittableRandom(5);
        int n = 2, c = 3, h = 23, w = 31, s = 4;
        float[] z = new float[n * c * h * w];
        for (int i = 0; i < z.length; i++) z[i] = (float) r.nextDouble();
        Tensor whole = upsample(new Tensor(z, n, c, h, w), s);
        Tensor tiled = new VaeTiling(10, 3).decode(new Tensor(z, n, c, h, w), s, t -> upsample(t, s));
        assertThat(tiled.shape()).containsExactly(whole.shape());
        for (int i = 0; i < whole.numel(); i++)
            assertThat((double) tiled.data()[i]).isCloseTo(whole.data()[i], org.assertj.core.data.Offset.offset(1e-6));
    }

    private static Tensor upsample(Tensor t, int s) {
        int n = t.dim(0), c = t.dim(1), h = t.dim(2), w = t.dim(3);
        float[] o = new float[n * c * h * s * w * s];
        for (int p = 0; p < n * c; p++)
            for (int y = 0; y < h * s; y++)
                for (int x = 0; x < w * s; x++) o[(p * h * s + y) * w * s + x] = t.data()[(p * h + y / s) * w + x / s] * 2 - 1;
        return new Tensor(o, n, c, h * s, w * s);
    }

    @Test
    void smallLatentsAreDecodedWholeAndTilesStayClose() {
        Checkpoint ckpt = TestModels.open(Fixtures.cases("vae").getFirst().get("model").get("path").asText());
        AutoencoderKL vae = new AutoencoderKL(ckpt.architecture().vae(), ckpt.vae());
        SplittableRandom r = new SplittableRandom(9);
        float[] z = new float[4 * 12 * 14];
        for (int i = 0; i < z.length; i++) z[i] = (float) r.nextGaussian();
        float[] whole = vae.decode(new Tensor(z.clone(), 1, 4, 12, 14), VaeTiling.NONE).data();
        assertThat(vae.decode(new Tensor(z.clone(), 1, 4, 12, 14)).data()).containsExactly(whole); // default: no tiling at this size
        float[] tiled = vae.decode(new Tensor(z.clone(), 1, 4, 12, 14), new VaeTiling(8, 4)).data();
        // tiles see other group-norm statistics and less attention context: close, not equal
        double num = 0, den = 0;
        for (int i = 0; i < whole.length; i++) {
            num += (tiled[i] - whole[i]) * (double) (tiled[i] - whole[i]);
            den += whole[i] * (double) whole[i];
        }
        assertThat(Math.sqrt(num / den)).isLessThan(0.5);
    }
}
