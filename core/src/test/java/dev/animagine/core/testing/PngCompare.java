package dev.animagine.core.testing;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The fixtures' PNG criterion: same size, every RGB channel of every pixel within 1/255 of the reference. */
public final class PngCompare {
    private PngCompare() {}

    public static void assertWithinOneLevel(Path ours, Path reference) throws IOException {
        assertWithinOneLevel(ImageIO.read(ours.toFile()), ImageIO.read(reference.toFile()));
    }

    public static void assertWithinOneLevel(BufferedImage ours, BufferedImage ref) {
        assertThat(ours.getWidth()).isEqualTo(ref.getWidth());
        assertThat(ours.getHeight()).isEqualTo(ref.getHeight());
        int worst = 0;
        for (int y = 0; y < ref.getHeight(); y++)
            for (int x = 0; x < ref.getWidth(); x++) {
                int p = ours.getRGB(x, y), q = ref.getRGB(x, y);
                for (int s = 0; s < 24; s += 8) worst = Math.max(worst, Math.abs(((p >> s) & 255) - ((q >> s) & 255)));
            }
        assertThat(worst).as("max PNG channel difference").isLessThanOrEqualTo(1);
    }
}
