package dev.animagine.core.testing;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CloseTest {
    @Test
    void nanAndInfinityAreNeverClose() {
        Close.assertClose("ok", new float[] {1f, 2f}, new float[] {1f, 2.00001f}, 1e-4, 0);
        assertThatThrownBy(() -> Close.assertClose("nan", new float[] {Float.NaN}, new float[] {Float.NaN}, 1, 1)).isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> Close.assertClose("nan", new float[] {Float.NaN}, new float[] {0f}, 1, 1)).isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> Close.assertClose("inf", new float[] {Float.POSITIVE_INFINITY}, new float[] {Float.POSITIVE_INFINITY}, 1, 1))
                .isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> Close.assertClose("far", new float[] {1f}, new float[] {2f}, 0.5, 0)).isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> Close.assertClose("length", new float[] {1f}, new float[] {1f, 2f}, 1, 1)).isInstanceOf(AssertionError.class);
    }
}
