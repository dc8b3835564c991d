package dev.animagine.core.tensor;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The activation pool's contract and the FLOPs each kernel reports. */
class BuffersAndFlopsTest {
    @Test
    void buffersAreReusedByLengthAndNeverHandedOutTwice() {
        BufferPool pool = new BufferPool();
        float[] a = pool.take(1234);
        assertThat(a).hasSize(1234);
        pool.give(a);
        assertThat(pool.idleBytes()).isEqualTo(4 * 1234);
        assertThatThrownBy(() -> pool.give(a)).isInstanceOf(IllegalStateException.class);
        assertThat(pool.take(1234)).isSameAs(a);
        assertThat(pool.take(1234)).isNotSameAs(a);
        pool.clear();
        assertThat(pool.idleBytes()).isZero();
    }

    @Test
    void layersUseThePoolOfTheRunThatCallsThem() {
        BufferPool pool = new BufferPool();
        float[] kept = Buffers.withPool(pool, () -> {
            float[] a = Buffers.take(99);
            Buffers.give(a);
            assertThat(Buffers.takeZeroed(99)).isSameAs(a).containsOnly(0f);
            Buffers.give(a);
            return a;
        });
        assertThat(pool.idleBytes()).isEqualTo(4 * 99);
        // outside a run nothing is pooled: no state is shared between runs
        assertThat(Buffers.current()).isNull();
        Buffers.give(new float[99]);
        assertThat(Buffers.take(99)).isNotSameAs(kept);
        assertThat(pool.idleBytes()).isEqualTo(4 * 99);
    }

    @Test
    void kernelsCountTwoFlopsPerMultiplyAdd() {
        SplittableRandom r = new SplittableRandom(1);
        float[] x = KernelsTest.random(r, 9 * 20 * 30);
        // GEMM: 2 m n k, both the row-major and the transposed (few rows) paths
        float[] w = new float[40 * 30];
        StoredTensor wt = KernelsTest.weight(DType.F16, KernelsTest.random(r, 40 * 30), w, 40, 30);
        long f0 = FlopCounter.total();
        Gemm.multiply(x, 0, 30, 9, GemmOperand.weights(wt), null, new float[9 * 40], 0, 40, false);
        assertThat(FlopCounter.total() - f0).isEqualTo(2L * 9 * 40 * 30);
        float[] big = KernelsTest.random(r, 300 * 30);
        f0 = FlopCounter.total();
        Gemm.multiply(big, 0, 30, 300, GemmOperand.weights(wt), null, new float[300 * 40], 0, 40, false);
        assertThat(FlopCounter.total() - f0).isEqualTo(2L * 300 * 40 * 30);
        // conv: 2 out in kh kw oh ow per image
        StoredTensor cw = KernelsTest.weight(DType.F16, KernelsTest.random(r, 6 * 9 * 9), new float[6 * 9 * 9], 6, 9, 3, 3);
        f0 = FlopCounter.total();
        new Conv2d(cw, null, 2, 1).forward(new Tensor(KernelsTest.random(r, 2 * 9 * 11 * 12), 2, 9, 11, 12));
        assertThat(FlopCounter.total() - f0).isEqualTo(2L * 2 * 6 * 9 * 9 * 6 * 6);
        // attention: 4 tq tk d per head
        int b = 2, h = 3, tq = 10, tk = 7, d = 8, c = h * d;
        f0 = FlopCounter.total();
        Attention.forward(KernelsTest.random(r, b * tq * c), 0, c, KernelsTest.random(r, b * tk * c), 0, c,
                KernelsTest.random(r, b * tk * c), 0, c, new float[b * tq * c], 0, c, b, h, tq, tk, d, false);
        assertThat(FlopCounter.total() - f0).isEqualTo(4L * b * h * tq * tk * d);
    }

    @Test
    void profileTimesOnlyTheOutermostKernel() {
        SplittableRandom r = new SplittableRandom(2);
        StoredTensor cw = KernelsTest.weight(DType.F16, KernelsTest.random(r, 8 * 8 * 9), new float[8 * 8 * 9], 8, 8, 3, 3);
        Conv2d conv = new Conv2d(cw, null, 1, 1);
        Tensor x = new Tensor(KernelsTest.random(r, 8 * 20 * 20), 1, 8, 20, 20);
        long[] calls0 = KernelProfile.calls();
        conv.forward(x); // off: nothing recorded
        assertThat(KernelProfile.calls()).containsExactly(calls0);
        KernelProfile.setEnabled(true);
        try {
            conv.forward(x);
            Ops.siluInPlace(x.data());
        } finally {
            KernelProfile.setEnabled(false);
        }
        long[] calls = KernelProfile.calls();
        assertThat(calls[KernelProfile.Family.CONVOLUTION.ordinal()] - calls0[KernelProfile.Family.CONVOLUTION.ordinal()]).isEqualTo(1);
        assertThat(calls[KernelProfile.Family.ELEMENTWISE.ordinal()] - calls0[KernelProfile.Family.ELEMENTWISE.ordinal()]).isEqualTo(1);
        // the convolution's GEMM is convolution time, not GEMM time
        assertThat(calls[KernelProfile.Family.GEMM.ordinal()]).isEqualTo(calls0[KernelProfile.Family.GEMM.ordinal()]);
    }
}
