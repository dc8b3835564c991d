package dev.animagine.core.tensor;

import dev.animagine.core.testing.Close;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Winograd F(2x2,3x3) and F(4x4,3x3) against a double-precision direct convolution and against the direct kernel. */
class WinogradTest {
    @AfterEach
    void restore() {
        Winograd.setTile(Winograd.parse(System.getProperty("animagine.winograd", "4")));
        WinogradConv.blockFloats = WinogradConv.DEFAULT_BLOCK_FLOATS;
        Winograd.minTiles = Integer.getInteger("animagine.winograd.minTiles", Winograd.MIN_TILES);
    }

    @ParameterizedTest
    @CsvSource({
            // tile, n, in, out, h, w, pad, block floats (0: default; small values force several blocks of tile rows and output channels)
            "2,1,32,40,8,11,1,0", "4,1,32,40,8,11,1,0", "2,2,33,35,13,9,1,0", "4,2,33,35,13,9,1,0",
            "4,1,64,64,17,30,1,0", "2,2,40,48,9,9,0,0", "4,2,40,48,9,9,0,0", "4,1,128,96,35,40,1,0",
            "4,2,37,50,14,19,1,20000", "2,3,37,50,14,19,1,9000", "4,1,300,64,6,7,1,0", "4,1,64,32,1,1,1,0", "4,2,48,33,3,70,1,0"})
    void matchesDirectConvolution(int tile, int n, int in, int out, int h, int w, int pad, int block) {
        SplittableRandom r = new SplittableRandom(tile * 1000 + n * 100 + in + out * 7 + h * 3 + w + pad);
        float[] x = KernelsTest.random(r, n * in * h * w), wv = KernelsTest.random(r, out * in * 9), exact = new float[wv.length];
        float[] bias = KernelsTest.random(r, out);
        StoredTensor wt = KernelsTest.weight(DType.F16, wv, exact, out, in, 3, 3);
        int oh = h + 2 * pad - 2, ow = w + 2 * pad - 2;
        double[] ref = new double[n * out * oh * ow];
        double scale = 0;
        for (int b = 0; b < n; b++)
            for (int co = 0; co < out; co++)
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < ow; ox++) {
                        double s = bias[co];
                        for (int ci = 0; ci < in; ci++)
                            for (int ky = 0; ky < 3; ky++)
                                for (int kx = 0; kx < 3; kx++) {
                                    int iy = oy - pad + ky, ix = ox - pad + kx;
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                                    s += (double) x[((b * in + ci) * h + iy) * w + ix] * exact[((co * in + ci) * 3 + ky) * 3 + kx];
                                }
                        ref[((b * out + co) * oh + oy) * ow + ox] = s;
                        scale = Math.max(scale, Math.abs(s));
                    }
        float[] expected = new float[ref.length];
        for (int i = 0; i < ref.length; i++) expected[i] = (float) ref[i];

        Winograd.setTile(0);
        Conv2d conv = new Conv2d(wt, bias, 1, pad);
        float[] direct = conv.forward(new Tensor(x, n, in, h, w)).data();
        Winograd.setTile(tile);
        if (block > 0) WinogradConv.blockFloats = block;
        Winograd.minTiles = 1;
        assertThat(Winograd.tileFor(3, 3, 1, in, out, n, oh, ow)).isEqualTo(tile);
        long f0 = FlopCounter.total(), e0 = FlopCounter.executed();
        Tensor y = conv.forward(new Tensor(x, n, in, h, w));
        long direct2 = FlopCounter.total() - f0, executed = FlopCounter.executed() - e0;
        assertThat(y.shape()).containsExactly(n, out, oh, ow);
        // direct-equivalent FLOPs for the reported figure, fewer executed (transforms included)
        assertThat(direct2).isEqualTo(2L * n * out * in * 9 * oh * ow);
        if (oh >= tile && ow >= tile && tile == 4 && oh % 4 == 0 && ow % 4 == 0) assertThat(executed).isLessThan(direct2 / 2);
        // error relative to the output's largest magnitude (measured here: the direct kernel 3e-7, F(2x2) 3e-7,
        // F(4x4) 2e-6 to 7e-6 at 32 to 300 input channels; F(4x4)'s transforms carry entries up to 8, so it
        // loses about 3 more bits)
        double tol = (tile == 4 ? 1.2e-5 : 1e-6) * scale * Math.sqrt(in / 32.0);
        Close.assertClose("winograd F(" + tile + ") vs exact", y.data(), expected, tol, 0);
        Close.assertClose("winograd F(" + tile + ") vs direct kernel", y.data(), direct, tol, 0);
    }

    @Test
    void switchAndApplicability() {
        Winograd.minTiles = Winograd.MIN_TILES;
        Winograd.setTile(4);
        assertThat(Winograd.tileFor(3, 3, 1, 64, 64, 1, 32, 32)).isEqualTo(4);
        assertThat(Winograd.tileFor(3, 3, 1, 64, 64, 1, 16, 16)).isEqualTo(2); // 16 tiles of 4x4, 64 of 2x2
        assertThat(Winograd.tileFor(3, 3, 1, 64, 64, 2, 16, 16)).isEqualTo(2);
        // a batch of images (4 rows: two CFG pairs) runs the kernel one image's pair runs, so batched images equal lone ones
        assertThat(Winograd.tileFor(3, 3, 1, 64, 64, 4, 16, 16)).isEqualTo(2);
        assertThat(Winograd.tileFor(3, 3, 1, 64, 64, 8, 8, 8)).isEqualTo(Winograd.tileFor(3, 3, 1, 64, 64, 2, 8, 8)).isZero();
        assertThat(Winograd.tileFor(3, 3, 1, 64, 64, 1, 8, 8)).isZero();
        assertThat(Winograd.tileFor(3, 3, 2, 64, 64, 1, 32, 32)).isZero();
        assertThat(Winograd.tileFor(1, 1, 1, 64, 64, 1, 32, 32)).isZero();
        assertThat(Winograd.tileFor(3, 3, 1, 4, 64, 1, 32, 32)).isZero();
        Winograd.setTile(2);
        assertThat(Winograd.tileFor(3, 3, 1, 64, 64, 1, 32, 32)).isEqualTo(2);
        Winograd.setTile(0);
        assertThat(Winograd.tileFor(3, 3, 1, 64, 64, 1, 32, 32)).isZero();
        assertThat(Winograd.parse("off")).isZero();
        assertThat(Winograd.parse("2")).isEqualTo(2);
        assertThatThrownBy(() -> Winograd.parse("3")).hasMessageContaining("animagine.winograd");
        assertThatThrownBy(() -> Winograd.setTile(6)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void transformMatricesReproduceTheCorrelation() {
        // 1D: A^T [(G g) ⊙ (B^T d)] equals y_i = Σ_k g_k d_{i+k} exactly up to rounding
        for (int m : new int[]{2, 4}) {
            Winograd.Matrices t = Winograd.Matrices.forTile(m);
            double[] g = {0.3, -1.7, 2.2}, d = new double[m + 2];
            for (int i = 0; i < d.length; i++) d[i] = Math.sin(i + 1.0);
            for (int i = 0; i < m; i++) {
                double s = 0;
                for (int j = 0; j < t.alpha(); j++) {
                    double gg = 0, dd = 0;
                    for (int k = 0; k < 3; k++) gg += t.g()[j][k] * g[k];
                    for (int q = 0; q < t.alpha(); q++) dd += t.bt()[j][q] * d[q];
                    s += t.at()[i][j] * gg * dd;
                }
                double direct = g[0] * d[i] + g[1] * d[i + 1] + g[2] * d[i + 2];
                assertThat(s).as("F(%d) output %d", m, i).isCloseTo(direct, org.assertj.core.data.Offset.offset(1e-6));
            }
        }
    }
}
