package dev.animagine.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

class ImageProjectionTest {
    @Test
    void theImageIsTextPlusStepsTimesAStepPlusTheDecode() {
        ImageProjection p = new ImageProjection(1.9, 90.0, 50.0, 28);
        assertThat(p.denoiseSeconds()).isCloseTo(2520.0, offset(1e-9));
        assertThat(p.imageSeconds()).isCloseTo(1.9 + 2520 + 50, offset(1e-9));
        // no saving: the same image
        assertThat(p.imageSeconds(1, 1)).isCloseTo(p.imageSeconds(), offset(1e-9));
        assertThat(p.speedup(1, 1)).isCloseTo(1, offset(1e-12));
    }

    @Test
    void aSavingScalesTheDenoisingAndABatchSharesTheTextEncoding() {
        ImageProjection p = new ImageProjection(2.0, 10.0, 5.0, 28);
        // denoising 2.5x shorter: 280 s -> 112 s
        assertThat(p.imageSeconds(0.4, 1)).isCloseTo(2 + 112 + 5, offset(1e-9));
        assertThat(p.speedup(0.4, 1)).isCloseTo((2 + 280 + 5) / (2 + 112 + 5.0), offset(1e-12));
        // a batch of 4 encodes its prompt once: a quarter of the encoding per image, the decode per image unchanged
        assertThat(p.imageSeconds(0.8, 4)).isCloseTo(0.5 + 224 + 5, offset(1e-9));
    }

    @Test
    void badPiecesAreRejected() {
        assertThatThrownBy(() -> new ImageProjection(1, 1, 1, 0)).hasMessageContaining("steps");
        assertThatThrownBy(() -> new ImageProjection(-1, 1, 1, 28)).hasMessageContaining("non-negative");
        ImageProjection p = new ImageProjection(1, 1, 1, 28);
        assertThatThrownBy(() -> p.imageSeconds(0, 1)).hasMessageContaining("ratio");
        assertThatThrownBy(() -> p.imageSeconds(1, 0)).hasMessageContaining("images per encoding");
    }
}
