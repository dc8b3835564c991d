package dev.animagine.core.pipeline;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The latent preview reads [channels, height, width] latents and maps each pixel through the SDXL
 * latent-to-RGB fit (ComfyUI's published factors, written out here as the expected values).
 */
class LatentPreviewTest {
    @Test
    void zeroLatentsGiveTheFitsBiasColour() {
        BufferedImage image = LatentPreview.toImage(new float[4 * 2 * 3], 4, 2, 3);
        assertThat(image.getWidth()).isEqualTo(3);
        assertThat(image.getHeight()).isEqualTo(2);
        // bias (0.1084, -0.0175, -0.0011) mapped from [-1, 1] to [0, 255]
        assertThat(image.getRGB(2, 1) & 0xffffff).isEqualTo((141 << 16) | (125 << 8) | 127);
    }

    @Test
    void eachPixelUsesItsOwnFourChannels() {
        int h = 2, w = 3, plane = h * w;
        float[] latents = new float[4 * plane];
        // pixel (x=1, y=1) has channel 0 = 1: adds the first row of factors (0.3651, 0.4232, 0.4341)
        latents[1 * w + 1] = 1f;
        // pixel (x=2, y=0) has channel 3 = -2: subtracts twice the last row (-0.3165, -0.2492, -0.2188)
        latents[3 * plane + 2] = -2f;
        BufferedImage image = LatentPreview.toImage(latents, 4, h, w);
        assertThat(image.getRGB(1, 1) & 0xffffff).isEqualTo((rgb(0.3651 + 0.1084) << 16) | (rgb(0.4232 - 0.0175) << 8) | rgb(0.4341 - 0.0011));
        assertThat(image.getRGB(2, 0) & 0xffffff).isEqualTo((rgb(0.633 + 0.1084) << 16) | (rgb(0.4984 - 0.0175) << 8) | rgb(0.4376 - 0.0011));
        assertThat(image.getRGB(0, 0) & 0xffffff).isEqualTo((141 << 16) | (125 << 8) | 127);
    }

    @Test
    void valuesOutsideTheRangeAreClamped() {
        float[] latents = new float[4];
        latents[0] = 100f;
        latents[3] = 100f;
        int rgb = LatentPreview.toImage(latents, 4, 1, 1).getRGB(0, 0) & 0xffffff;
        assertThat(rgb >> 16).isEqualTo(rgb(0.3651 * 100 - 0.3165 * 100 + 0.1084));
        assertThat(LatentPreview.toImage(new float[] {-50, 0, 0, 50}, 4, 1, 1).getRGB(0, 0) & 0xffffff).isZero();
    }

    @Test
    void refusesOtherChannelCountsAndShortArrays() {
        assertThatThrownBy(() -> LatentPreview.toImage(new float[16], 16, 1, 1)).hasMessageContaining("4 channels");
        assertThatThrownBy(() -> LatentPreview.toImage(new float[7], 4, 1, 2)).hasMessageContaining("fewer");
    }

    private static int rgb(double v) {
        return (int) Math.round(Math.clamp((v + 1) / 2, 0, 1) * 255);
    }
}
