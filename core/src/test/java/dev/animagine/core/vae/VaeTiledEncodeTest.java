package dev.animagine.core.vae;

import com.fasterxml.jackson.databind.JsonNode;
import dev.animagine.core.io.Checkpoint;
import dev.animagine.core.tensor.Tensor;
import dev.animagine.core.testing.Fixtures;
import dev.animagine.core.testing.TestModels;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** Tiled VAE encode: the plain encode when nothing is tiled; an assembly of tile encodes otherwise. */
class VaeTiledEncodeTest {
    static AutoencoderKL vae() {
        JsonNode c = Fixtures.cases("vae").getFirst();
        Checkpoint ckpt = TestModels.open(c.get("model").get("path").asText());
        return new AutoencoderKL(ckpt.architecture().vae(), ckpt.vae());
    }

    static Tensor image(int h, int w, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] d = new float[3 * h * w];
        for (int i = 0; i < d.length; i++) d[i] = (float) (r.nextDouble() * 2 - 1);
        return new Tensor(d, 1, 3, h, w);
    }

    @Test
    void untiledSizesEqualThePlainEncode() {
        AutoencoderKL vae = vae();
        Tensor img = image(48, 64, 1);
        AutoencoderKL.LatentDistribution plain = vae.encode(img);
        AutoencoderKL.LatentDistribution tiled = VaeTiledEncode.encode(vae, img, new VaeTiling(8, 2));
        assertThat(tiled.mean().data()).containsExactly(plain.mean().data());
        assertThat(tiled.logvar().data()).containsExactly(plain.logvar().data());
    }

    /** 12 latents with 8-latent tiles, overlap 4: tiles at 0 and 4; latents 0..3 come from the first tile alone. */
    @Test
    void tiledEncodeBlendsTileEncodes() {
        AutoencoderKL vae = vae();
        assertThat(vae.config().downscale()).isEqualTo(8);
        Tensor img = image(64, 96, 2);
        AutoencoderKL.LatentDistribution tiled = VaeTiledEncode.encode(vae, img, new VaeTiling(8, 4));
        assertThat(tiled.mean().shape()).containsExactly(1, vae.config().latentChannels(), 8, 12);
        // the tiles: pixels x in [0, 64) and [32, 96)
        AutoencoderKL.LatentDistribution first = vae.encode(crop(img, 0));
        AutoencoderKL.LatentDistribution second = vae.encode(crop(img, 32));
        int lc = tiled.mean().dim(1);
        for (int c = 0; c < lc; c++)
            for (int y = 0; y < 8; y++) {
                for (int x = 0; x < 4; x++)
                    assertThat(tiled.mean().data()[(c * 8 + y) * 12 + x]).isCloseTo(first.mean().data()[(c * 8 + y) * 8 + x], org.assertj.core.data.Offset.offset(1e-6f));
                for (int x = 8; x < 12; x++)
                    assertThat(tiled.mean().data()[(c * 8 + y) * 12 + x]).isCloseTo(second.mean().data()[(c * 8 + y) * 8 + x - 4], org.assertj.core.data.Offset.offset(1e-6f));
                // in the overlap, a convex combination of the two tiles
                for (int x = 4; x < 8; x++) {
                    float a = first.mean().data()[(c * 8 + y) * 8 + x], b = second.mean().data()[(c * 8 + y) * 8 + x - 4];
                    float v = tiled.mean().data()[(c * 8 + y) * 12 + x];
                    assertThat(v).isBetween(Math.min(a, b) - 1e-5f, Math.max(a, b) + 1e-5f);
                }
            }
    }

    /** Pixel columns [x0, x0 + 64) of a 64-row, 96-column image. */
    static Tensor crop(Tensor img, int x0) {
        float[] tile = new float[3 * 64 * 64];
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 64; y++) System.arraycopy(img.data(), (c * 64 + y) * 96 + x0, tile, (c * 64 + y) * 64, 64);
        return new Tensor(tile, 1, 3, 64, 64);
    }
}
