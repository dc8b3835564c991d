package dev.animagine.core.text;

import dev.animagine.core.tensor.DType;
import dev.animagine.core.tensor.FlopCounter;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TextEncoderWarmUpTest {
    @Test
    void theMiniatureTowersRunTheKernelsInEveryWeightDtype() {
        for (DType dt : new DType[] {DType.F16, DType.BF16, DType.F32}) {
            long before = FlopCounter.total();
            TextEncoderWarmUp.run(dt, 1);
            // both towers' GEMMs ran on [2 x 77] rows: CLIP-L up to its penultimate layer (1 of 2), bigG all 2 layers
            long gemm = 2L * 154 * ((4L * 128 * 128 + 2L * 128 * 512) + 2 * (4L * 256 * 256 + 2L * 256 * 1024));
            assertThat(FlopCounter.total() - before).as(dt.toString()).isGreaterThanOrEqualTo(gemm);
        }
    }

    @Test
    void theBackgroundWarmUpStartsOnceAndIsAwaited() {
        TextEncoderWarmUp.startInBackground(DType.F16);
        TextEncoderWarmUp.startInBackground(DType.F16); // a second start is ignored
        TextEncoderWarmUp.awaitBackground();
        long threads = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("animagine-warm-up")).count();
        assertThat(threads).isZero();
        TextEncoderWarmUp.awaitBackground(); // done: returns at once
    }
}
