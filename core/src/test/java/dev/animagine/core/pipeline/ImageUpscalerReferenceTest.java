package dev.animagine.core.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.animagine.core.image.PilResample;
import dev.animagine.core.image.PixelImage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pillow's NEAREST resize and A1111's model-free hires upscalers (None, Lanczos, Nearest through
 * {@code resize_image} / {@code Upscaler.upscale}) against Pillow 9.4 outputs
 * ({@code upscaler_reference.json}, made by {@code make_upscaler_reference.py} beside it). Every byte must match.
 */
class ImageUpscalerReferenceTest {
    static JsonNode ref;

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = ImageUpscalerReferenceTest.class.getResourceAsStream("upscaler_reference.json")) {
            ref = new ObjectMapper().readTree(in);
        }
    }

    /** The integer pattern of make_upscaler_reference.py (the same as PillowReferenceTest's). */
    static PixelImage pattern(int w, int h, int c) {
        PixelImage p = PixelImage.blank(w, h, c);
        for (int ch = 0; ch < c; ch++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) p.set(ch, x, y, ((x * 31 + y * 17 + ch * 7) * (x + 3) + y * y * 5 + (x * y) % 11) % 256);
        return p;
    }

    @Test
    void nearestResizeLikePillow() {
        PixelImage rgb = pattern(19, 13, 3);
        int cases = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = ref.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getKey().startsWith("nearest_")) continue;
            int[] size = size(e.getKey());
            same(e.getKey(), e.getValue(), PilResample.nearest(rgb, size[0], size[1]));
            cases++;
        }
        assertThat(cases).isEqualTo(5);
    }

    @Test
    void a1111UpscalersLikeResizeImage() {
        PixelImage src = pattern(20, 12, 3);
        int cases = 0;
        for (ImageUpscaler u : ImageUpscaler.values())
            for (Iterator<Map.Entry<String, JsonNode>> it = ref.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getKey().startsWith(u.a1111Name() + "_")) continue;
                int[] size = size(e.getKey());
                PixelImage out = u.resize(src, size[0], size[1]);
                assertThat(out.width()).isEqualTo(size[0]);
                assertThat(out.height()).isEqualTo(size[1]);
                same(e.getKey(), e.getValue(), out);
                cases++;
            }
        assertThat(cases).isEqualTo(18);
    }

    @Test
    void theUpscalersDifferWhereA1111sDo() {
        PixelImage src = pattern(20, 12, 3);
        // an enlargement: Nearest repeats pixels, Lanczos filters; Lanczos goes through int(side * scale) // 8 * 8
        // (24x16 here) before the target, None resizes once
        assertThat(ImageUpscaler.NEAREST.resize(src, 30, 18).data()).isNotEqualTo(ImageUpscaler.LANCZOS.resize(src, 30, 18).data());
        assertThat(ImageUpscaler.NONE.resize(src, 30, 18).data()).isNotEqualTo(ImageUpscaler.LANCZOS.resize(src, 30, 18).data());
        // no enlargement: all three are the one Lanczos resize
        assertThat(ImageUpscaler.NEAREST.resize(src, 15, 9).data()).isEqualTo(ImageUpscaler.NONE.resize(src, 15, 9).data());
    }

    private static int[] size(String key) {
        String[] wh = key.substring(key.indexOf('_') + 1).split("x");
        return new int[] {Integer.parseInt(wh[0]), Integer.parseInt(wh[1])};
    }

    private static void same(String key, JsonNode e, PixelImage ours) {
        int[] exp = new int[e.size()];
        for (int i = 0; i < exp.length; i++) exp[i] = e.get(i).asInt();
        assertThat(ours.data().length).as(key + " size").isEqualTo(exp.length);
        int bad = 0, first = -1;
        for (int i = 0; i < exp.length; i++)
            if (ours.data()[i] != exp[i]) {
                bad++;
                if (first < 0) first = i;
            }
        assertThat(bad).as(key + ": " + bad + " values differ (first at " + first + ")").isZero();
    }
}
