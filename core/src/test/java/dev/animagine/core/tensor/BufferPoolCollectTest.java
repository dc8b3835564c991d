package dev.animagine.core.tensor;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BufferPoolCollectTest {
    @Test
    void countsOnlyFreshAllocationsAndResetsOnCollect() {
        BufferPool pool = new BufferPool();
        float[] a = pool.take(1000);
        pool.give(a);
        float[] again = pool.take(1000);
        assertThat(again).isSameAs(a);
        assertThat(pool.freshBytes()).isEqualTo(4000);
        pool.take(10);
        assertThat(pool.freshBytes()).isEqualTo(4040);
        pool.give(again);
        pool.clearAndCollect();
        assertThat(pool.freshBytes()).isZero();
        assertThat(pool.idleBytes()).isZero();
        assertThat(pool.take(1000)).isNotSameAs(a);
    }
}
