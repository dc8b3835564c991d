package dev.animagine.core.image;

import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * WebP init images through the TwelveMonkeys ImageIO plugin. The files were written by Pillow 9.4
 * from the pixels below (7 x 5: r = 40x, g = 50y, b = 13xy, a = 255 for x < 4 else 30x); lossless
 * files must decode exactly. The lossy one (a 16 x 12 gradient: r = 12x + 20, g = 15y + 30,
 * b = 128 + 3x - 4y, quality 95) must come close to libwebp's decode: the plugin's chroma upsampling
 * is not libwebp's "fancy" one.
 */
class WebpTest {
    static Path resource(String name) throws URISyntaxException {
        return Path.of(WebpTest.class.getResource(name).toURI());
    }

    @Test
    void losslessRgbAndRgba() throws URISyntaxException {
        PixelImage rgb = ImageFiles.read(resource("rgb_lossless.webp"));
        PixelImage rgba = ImageFiles.read(resource("rgba_lossless.webp"));
        assertThat(rgb.channels()).isEqualTo(3);
        assertThat(rgba.channels()).isEqualTo(4);
        for (int y = 0; y < 5; y++)
            for (int x = 0; x < 7; x++) {
                int[] e = {(x * 40) % 256, (y * 50) % 256, (x * y * 13) % 256, x < 4 ? 255 : x * 30};
                for (int c = 0; c < 3; c++) assertThat(rgb.get(c, x, y)).isEqualTo(e[c]);
                for (int c = 0; c < 4; c++) assertThat(rgba.get(c, x, y)).isEqualTo(e[c]);
            }
    }

    @Test
    void lossyIsCloseToLibwebp() throws URISyntaxException {
        PixelImage p = ImageFiles.read(resource("rgb_lossy.webp"));
        // libwebp's decode (Pillow 9.4), planar R, G, B
        int[] libwebp = LIBWEBP;
        assertThat(p.data()).hasSize(libwebp.length);
        int worst = 0;
        for (int i = 0; i < libwebp.length; i++) worst = Math.max(worst, Math.abs(p.data()[i] - libwebp[i]));
        // measured: 11 levels at worst on this tiny gradient (libwebp's own error vs the source is also 11)
        assertThat(worst).isLessThanOrEqualTo(12);
    }

    static final int[] LIBWEBP = {
            24, 31, 43, 54, 65, 76, 88, 100, 115, 126, 137, 149, 160, 171, 183, 189, 26, 33, 45, 57, 69, 81, 93, 104,
            119, 132, 143, 153, 166, 178, 189, 195, 26, 32, 44, 56, 67, 78, 90, 103, 118, 131, 142, 152, 165, 177, 188, 194,
            25, 31, 43, 55, 68, 79, 92, 103, 118, 131, 142, 153, 166, 178, 189, 196, 28, 35, 45, 57, 69, 81, 92, 102,
            116, 128, 139, 150, 163, 175, 186, 193, 28, 34, 44, 57, 70, 81, 92, 102, 117, 128, 139, 151, 162, 174, 185, 191,
            25, 31, 42, 55, 69, 81, 92, 102, 118, 129, 140, 152, 165, 175, 186, 193, 22, 30, 41, 51, 67, 79, 90, 100,
            116, 127, 138, 150, 163, 173, 184, 190, 23, 31, 42, 54, 67, 79, 91, 102, 117, 129, 140, 151, 163, 174, 185, 192,
            23, 30, 41, 53, 70, 83, 95, 106, 117, 129, 140, 151, 163, 174, 185, 192, 23, 32, 41, 56, 70, 83, 94, 105,
            120, 130, 141, 153, 166, 176, 187, 193, 27, 34, 46, 58, 76, 88, 101, 111, 124, 135, 146, 158, 169, 180, 192, 198,
            29, 31, 34, 33, 32, 32, 35, 34, 32, 32, 33, 33, 33, 32, 34, 36, 39, 42, 44, 44, 45, 45, 48, 47,
            45, 44, 45, 46, 45, 45, 46, 48, 58, 61, 63, 63, 60, 60, 62, 61, 58, 57, 59, 59, 58, 58, 59, 61,
            72, 74, 77, 76, 75, 75, 78, 77, 75, 74, 75, 75, 74, 74, 75, 77, 86, 90, 90, 90, 91, 91, 92, 91,
            90, 90, 92, 92, 91, 90, 92, 94, 101, 103, 104, 105, 106, 105, 107, 105, 105, 105, 107, 106, 106, 106, 108, 110,
            117, 120, 122, 123, 122, 122, 124, 122, 121, 121, 122, 122, 121, 121, 123, 125, 132, 135, 137, 136, 135, 134, 136, 134,
            133, 133, 135, 134, 133, 134, 135, 137, 150, 153, 153, 152, 150, 149, 150, 148, 150, 149, 150, 150, 150, 149, 151, 153,
            164, 166, 166, 166, 166, 165, 166, 164, 164, 164, 165, 165, 165, 164, 166, 168, 179, 180, 181, 181, 179, 178, 179, 178,
            179, 179, 181, 180, 179, 180, 182, 184, 189, 191, 192, 189, 191, 191, 192, 190, 191, 190, 192, 191, 191, 191, 193, 195,
            125, 129, 132, 136, 136, 138, 142, 143, 147, 150, 153, 156, 158, 159, 162, 165, 126, 128, 133, 135, 138, 139, 143, 146,
            150, 153, 158, 159, 161, 162, 167, 168, 122, 124, 130, 131, 130, 132, 138, 141, 147, 150, 153, 154, 156, 159, 162, 165,
            117, 119, 125, 126, 128, 129, 135, 138, 142, 145, 150, 152, 153, 154, 159, 161, 117, 119, 121, 122, 125, 128, 131, 133,
            138, 139, 142, 144, 145, 148, 151, 155, 113, 114, 116, 118, 121, 124, 127, 129, 132, 135, 138, 140, 141, 143, 147, 149,
            107, 108, 111, 113, 118, 120, 124, 125, 129, 133, 135, 137, 140, 142, 144, 148, 100, 104, 107, 107, 110, 113, 116, 118,
            123, 126, 129, 133, 134, 135, 138, 142, 98, 103, 104, 105, 106, 109, 112, 114, 118, 122, 126, 130, 131, 133, 135, 139,
            94, 97, 99, 100, 104, 108, 110, 113, 114, 118, 122, 124, 125, 129, 131, 135, 88, 91, 95, 98, 99, 101, 105, 106,
            111, 115, 117, 121, 122, 124, 129, 130, 89, 92, 95, 97, 102, 104, 106, 109, 113, 117, 120, 123, 125, 126, 129, 132};
}
