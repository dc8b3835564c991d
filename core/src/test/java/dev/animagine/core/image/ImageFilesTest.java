package dev.animagine.core.image;

import dev.animagine.core.AnimagineException;
import dev.animagine.core.InvalidArgumentException;
import dev.animagine.core.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reading init images and masks: channel layouts as PIL opens them, and one-line errors naming the file. */
class ImageFilesTest {
    @TempDir
    Path dir;

    @Test
    void rgbaPngKeepsAlphaAndFlattensOnWhite() throws IOException {
        BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_INT_ARGB);
        img.setRGB(0, 0, 0x80FF0000); // half-transparent red
        img.setRGB(1, 0, 0x00123456); // fully transparent
        img.setRGB(2, 0, 0xFF0000FF);
        Path f = dir.resolve("a.png");
        ImageIO.write(img, "png", f.toFile());
        PixelImage p = ImageFiles.read(f);
        assertThat(p.channels()).isEqualTo(4);
        assertThat(p.get(3, 0, 0)).isEqualTo(0x80);
        assertThat(p.get(0, 0, 0)).isEqualTo(255);
        PixelImage rgb = ImageFiles.flattenToRgb(p, 255, 255, 255);
        // PIL: (255 * 128 + 255 * 127 + 127) / 255 -> 255 for red; (0 * 128 + 255 * 127) / 255 rounded -> 127 for green
        assertThat(rgb.get(0, 0, 0)).isEqualTo(255);
        assertThat(rgb.get(1, 0, 0)).isEqualTo(127);
        assertThat(rgb.get(0, 1, 0)).isEqualTo(255); // transparent -> white
        assertThat(rgb.get(2, 2, 0)).isEqualTo(255);
        assertThat(rgb.get(0, 2, 0)).isEqualTo(0);
    }

    @Test
    void greyPngIsReadRawWithoutGamma() throws IOException {
        BufferedImage img = new BufferedImage(4, 1, BufferedImage.TYPE_BYTE_GRAY);
        int[] values = {0, 100, 128, 255};
        img.getRaster().setSamples(0, 0, 4, 1, 0, values);
        Path f = dir.resolve("g.png");
        ImageIO.write(img, "png", f.toFile());
        PixelImage p = ImageFiles.read(f);
        assertThat(p.channels()).isEqualTo(1);
        assertThat(p.data()).containsExactly(values);
    }

    @Test
    void fixtureMasksAreGreyAndInitImagesRgb() {
        PixelImage mask = ImageFiles.read(Fixtures.path("inpaint/inputs/mask_soft_circle_64x64.png"));
        assertThat(mask.channels()).isEqualTo(1);
        assertThat(mask.get(0, 8, 0)).isEqualTo(127); // probe (y=0, x=8)
        assertThat(mask.get(0, 0, 0)).isEqualTo(128);
        assertThat(ImageFiles.read(Fixtures.path("img2img/inputs/init_variant0_64x64.png")).channels()).isEqualTo(3);
    }

    @Test
    void jpegIsRead() throws IOException {
        BufferedImage img = new BufferedImage(16, 8, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 8; y++)
            for (int x = 0; x < 16; x++) img.setRGB(x, y, 0x406080);
        Path f = dir.resolve("c.jpg");
        ImageIO.write(img, "jpeg", f.toFile());
        PixelImage p = ImageFiles.read(f);
        assertThat(p.channels()).isEqualTo(3);
        assertThat(p.width()).isEqualTo(16);
        assertThat(Math.abs(p.get(1, 5, 5) - 0x60)).isLessThanOrEqualTo(2);
    }

    @Test
    void truncatedImageIsAnErrorNamingTheFile() throws IOException {
        byte[] png = Files.readAllBytes(Fixtures.path("img2img/inputs/init_variant0_64x64.png"));
        Path f = dir.resolve("cut.png");
        Files.write(f, Arrays.copyOf(png, png.length / 2));
        assertThatThrownBy(() -> ImageFiles.read(f)).isInstanceOf(AnimagineException.class).hasMessageContaining(f.toString())
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        byte[] jpg = jpegBytes();
        Path j = dir.resolve("cut.jpg");
        Files.write(j, Arrays.copyOf(jpg, jpg.length * 2 / 3));
        assertThatThrownBy(() -> ImageFiles.read(j)).isInstanceOf(AnimagineException.class).hasMessageContaining(j.toString());
    }

    @Test
    void notAnImageOrMissingIsAnErrorNamingTheFile() throws IOException {
        Path f = dir.resolve("notes.png");
        Files.writeString(f, "this is not a picture");
        assertThatThrownBy(() -> ImageFiles.read(f)).isInstanceOf(AnimagineException.class).hasMessageContaining(f.toString());
        Path missing = dir.resolve("missing.png");
        assertThatThrownBy(() -> ImageFiles.read(missing)).isInstanceOf(InvalidArgumentException.class).hasMessageContaining(missing.toString());
    }

    /** A 100000 x 100000 PNG header with no pixel data: refused from the header, before any decoding. */
    @Test
    void decompressionBombIsRefusedFromTheHeader() throws IOException {
        Path f = dir.resolve("bomb.png");
        Files.write(f, pngHeader(100_000, 100_000));
        assertThatThrownBy(() -> ImageFiles.read(f)).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("100000x100000");
        Path small = dir.resolve("small.png");
        ImageIO.write(new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB), "png", small.toFile());
        assertThatThrownBy(() -> ImageFiles.read(small, 1000)).isInstanceOf(InvalidArgumentException.class).hasMessageContaining("1200 pixels");
    }

    @Test
    void defaultSizeRoundsDownToMultiplesOf8() {
        assertThat(ImageFiles.defaultSize(64, 64)).containsExactly(64, 64);
        assertThat(ImageFiles.defaultSize(1023, 777)).containsExactly(1016, 776);
        assertThatThrownBy(() -> ImageFiles.defaultSize(7, 100)).isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void diffusersPreprocessStretchesToTheRoundedSize() {
        PixelImage p = PixelImage.blank(70, 45, 3);
        for (int i = 0; i < p.data().length; i++) p.data()[i] = (i * 7) % 256;
        var t = DiffusersImageProcessor.preprocess(p, null, null);
        assertThat(t.shape()).containsExactly(1, 3, 40, 64);
        assertThat(t.data()).containsExactly(PilResample.resize(p, 64, 40, PilResample.Filter.LANCZOS).toTensor().data());
        PixelImage q = PixelImage.blank(64, 40, 3);
        q.data()[0] = 255;
        assertThat(DiffusersImageProcessor.preprocess(q, null, null).data()[0]).isEqualTo(1f);
        assertThat(DiffusersImageProcessor.preprocess(q, null, null).data()[1]).isEqualTo(-1f);
    }

    static byte[] jpegBytes() throws IOException {
        BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 64; y++)
            for (int x = 0; x < 64; x++) img.setRGB(x, y, (x * 4) << 16 | (y * 4) << 8 | ((x ^ y) * 4));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "jpeg", out);
        return out.toByteArray();
    }

    static byte[] pngHeader(int w, int h) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(out);
        d.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteArrayOutputStream chunk = new ByteArrayOutputStream();
        DataOutputStream c = new DataOutputStream(chunk);
        c.writeBytes("IHDR");
        c.writeInt(w);
        c.writeInt(h);
        c.write(new byte[] {8, 2, 0, 0, 0});
        byte[] body = chunk.toByteArray();
        d.writeInt(body.length - 4);
        d.write(body);
        CRC32 crc = new CRC32();
        crc.update(body);
        d.writeInt((int) crc.getValue());
        return out.toByteArray();
    }
}
