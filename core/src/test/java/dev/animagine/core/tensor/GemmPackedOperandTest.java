package dev.animagine.core.tensor;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** A B operand handed to the GEMM already packed gives exactly the product of the same B packed by the GEMM. */
class GemmPackedOperandTest {
    @Test
    void prepackedEqualsPlainBitForBit() {
        // several depth blocks, a partial last panel, and (last case) more columns than one packed column block
        // (4096 deep: 1024 columns per block), which the GEMM packs from the packed operand
        int[][] shapes = {{7, 3 * Gemm.KC + 5, 2 * Gemm.NR + 3}, {37, Gemm.KC, Gemm.NR}, {13, 40, 5}, {6, 4096, 1100}};
        for (int[] shape : shapes) {
            int m = shape[0], k = shape[1], n = shape[2];
            SplittableRandom r = new SplittableRandom(m * 31L + k * 7L + n);
            float[] a = new float[m * k], b = new float[k * n];
            for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian();
            for (int i = 0; i < b.length; i++) b[i] = (float) r.nextGaussian();
            int off = 11;
            float[] packed = new float[off + GemmOperand.packedSize(k, n)];
            java.util.Arrays.fill(packed, Float.NaN);
            for (int kk = 0; kk < k; kk++) for (int j = 0; j < n; j++) packed[off + GemmOperand.packedIndex(k, n, kk, j)] = b[kk * n + j];
            // the padding of the last panel must be zero: a NaN there would reach the partial tile's discarded columns only,
            // but keep the layout clean as the producers do
            for (int kk = 0; kk < k; kk++)
                for (int j = n; j < Gemm.roundUp(n, Gemm.NR); j++) packed[off + GemmOperand.packedIndex(k, n, kk, j)] = 0f;
            float[] expected = new float[m * n], actual = new float[m * n];
            Gemm.multiply(GemmA.rows(a, 0, k, m, k), GemmOperand.plain(b, 0, n, k, n), null, null, expected, 0, n, false);
            Gemm.multiply(GemmA.rows(a, 0, k, m, k), GemmOperand.packed(packed, off, k, n), null, null, actual, 0, n, false);
            assertThat(actual).as("%dx%dx%d", m, k, n).containsExactly(expected);
        }
    }
}
