package dev.animagine.core.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A1111's image operations against Pillow 9.4 / OpenCV 4.6 outputs on synthetic inputs
 * ({@code pil_reference.json}, made by {@code make_pil_reference.py} beside it, which holds the
 * Python reference code and the same input formulas). Every byte must match.
 */
class PillowReferenceTest {
    static JsonNode ref;

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = PillowReferenceTest.class.getResourceAsStream("pil_reference.json")) {
            ref = new ObjectMapper().readTree(in);
        }
        assertThat(ref.size()).isGreaterThan(10);
    }

    static PixelImage pattern(int w, int h, int c) {
        PixelImage p = PixelImage.blank(w, h, c);
        for (int ch = 0; ch < c; ch++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) p.set(ch, x, y, ((x * 31 + y * 17 + ch * 7) * (x + 3) + y * y * 5 + (x * y) % 11) % 256);
        return p;
    }

    static PixelImage disc(int w, int h, int cx, int cy, int rIn, int rOut) {
        PixelImage p = PixelImage.blank(w, h, 1);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                int d2 = (x - cx) * (x - cx) + (y - cy) * (y - cy);
                int v = Math.floorDiv((rOut * rOut - d2) * 255, rOut * rOut - rIn * rIn);
                p.set(0, x, y, Math.clamp(v, 0, 255));
            }
        return p;
    }

    static void same(String key, PixelImage ours) {
        JsonNode e = ref.get(key);
        assertThat(e).as(key).isNotNull();
        int[] exp = new int[e.size()];
        for (int i = 0; i < exp.length; i++) exp[i] = e.get(i).asInt();
        assertThat(ours.data().length).as(key + " size").isEqualTo(exp.length);
        int bad = 0, first = -1, maxDiff = 0;
        for (int i = 0; i < exp.length; i++)
            if (ours.data()[i] != exp[i]) {
                bad++;
                if (first < 0) first = i;
                maxDiff = Math.max(maxDiff, Math.abs(ours.data()[i] - exp[i]));
            }
        assertThat(bad).as(key + ": " + bad + " values differ (first at " + first + ", max |diff| " + maxDiff + ")").isZero();
    }

    @Test
    void lanczosAndBicubicResizeLikePillow() {
        PixelImage rgb = pattern(37, 23, 3), grey = pattern(37, 23, 1);
        same("lanczos_up_48x30", PilResample.resize(rgb, 48, 30, PilResample.Filter.LANCZOS));
        same("lanczos_down_16x11", PilResample.resize(rgb, 16, 11, PilResample.Filter.LANCZOS));
        same("lanczos_grey_50x9", PilResample.resize(grey, 50, 9, PilResample.Filter.LANCZOS));
        same("bicubic_grey_8x6", PilResample.resize(grey, 8, 6, PilResample.Filter.BICUBIC));
        same("lanczos_box_zero_height_37x5", PilResample.resize(rgb, 37, 5, PilResample.Filter.LANCZOS, 0, 0, 37, 0));
    }

    @Test
    void a1111ResizeModes() {
        PixelImage rgb = pattern(37, 23, 3);
        int[][] sizes = {{24, 24}, {40, 15}, {18, 30}};
        // mode 3 (latent upscale) leaves the pixels as they are
        assertThat(A1111Resize.LATENT_UPSCALE.apply(rgb, 24, 24).data()).isEqualTo(rgb.data());
        for (A1111Resize mode : A1111Resize.values())
            for (int[] s : sizes) if (mode != A1111Resize.LATENT_UPSCALE) same("resize_" + mode.ordinal() + "_" + s[0] + "x" + s[1], mode.apply(rgb, s[0], s[1]));
    }

    @Test
    void flattenOnWhiteAndGrey() {
        PixelImage rgba = pattern(29, 19, 4);
        for (int y = 0; y < 19; y++)
            for (int x = 0; x < 29; x++) rgba.set(3, x, y, (x * 9 + y * 5) % 256);
        same("flatten_white", ImageFiles.flattenToRgb(rgba, 255, 255, 255));
        same("grey_of_rgb", ImageFiles.toGrey(pattern(37, 23, 3)));
    }

    @Test
    void maskBlurLikeOpenCv() {
        PixelImage d = disc(40, 30, 17, 13, 5, 11);
        same("blur_4_4", A1111Mask.blur(d, 4, 4));
        same("blur_2_7", A1111Mask.blur(d, 2, 7));
        PixelImage tiny = PixelImage.blank(10, 8, 1);
        for (int y = 2; y < 5; y++)
            for (int x = 3; x < 6; x++) tiny.set(0, x, y, 255);
        same("blur_tiny_4_4", A1111Mask.blur(tiny, 4, 4));
    }

    @Test
    void latentMaskIsPillowBicubicRounded() {
        float[] ours = A1111Mask.latentMask(disc(40, 30, 17, 13, 5, 11), 5, 4, true);
        JsonNode e = ref.get("latent_mask_disc_5x4");
        assertThat(ours).hasSize(e.size());
        for (int i = 0; i < ours.length; i++) assertThat(ours[i]).as("latent mask " + i).isEqualTo((float) e.get(i).asDouble());
    }

    @Test
    void fillAndOverlayLikeA1111() {
        PixelImage rgb = pattern(40, 30, 3), d = disc(40, 30, 17, 13, 5, 11);
        same("fill_disc", A1111Mask.fill(rgb, d));
        PixelImage ov = A1111Mask.overlay(rgb, d);
        same("overlay_disc", ov);
        PixelImage gen = flipRows(pattern(24, 16, 3));
        same("apply_overlay_paste", A1111Mask.applyOverlay(gen, new A1111Mask.Region(6, 4, 6 + 21, 4 + 17), ov));
        same("apply_overlay_whole", A1111Mask.applyOverlay(flipColumns(pattern(40, 30, 3)), null, ov));
    }

    /** The composed pixel side of A1111's init (mask processing, resize, crop, overlay, fill) and the final paste. */
    @Test
    void a1111InitPixelSide() {
        PixelImage big = pattern(48, 40, 3), mask = disc(48, 40, 30, 12, 3, 8);
        record Case(String name, A1111Resize mode, int w, int h, A1111InpaintInputs.Options o) {}
        Case[] cases = {
                new Case("whole_crop_resize", A1111Resize.CROP_AND_RESIZE, 32, 24, new A1111InpaintInputs.Options(4, 4, false, false, 0, true, false)),
                new Case("whole_fill_invert", A1111Resize.RESIZE_AND_FILL, 40, 32, new A1111InpaintInputs.Options(2, 2, true, false, 0, true, true)),
                new Case("only_masked", A1111Resize.JUST_RESIZE, 32, 32, new A1111InpaintInputs.Options(4, 4, false, true, 6, true, true))};
        for (Case c : cases) {
            A1111InpaintInputs in = A1111InpaintInputs.inpaint(big, mask, c.mode, c.w, c.h, c.o);
            String k = "init_" + c.name + "_";
            same(k + "image", in.image());
            same(k + "mask", ImageFiles.toGrey(in.latentMask()));
            same(k + "overlay", in.overlay());
            JsonNode p = ref.get(k + "paste_to");
            if (p.isNull()) assertThat(in.pasteTo()).isNull();
            else assertThat(new int[] {in.pasteTo().x1(), in.pasteTo().y1(), in.pasteTo().width(), in.pasteTo().height()})
                    .containsExactly(p.get(0).asInt(), p.get(1).asInt(), p.get(2).asInt(), p.get(3).asInt());
            PixelImage gen = flipColumns(flipRows(pattern(c.w, c.h, 3)));
            same(k + "final", in.finish(gen));
        }
    }

    static PixelImage flipRows(PixelImage p) {
        PixelImage o = PixelImage.blank(p.width(), p.height(), p.channels());
        for (int c = 0; c < p.channels(); c++)
            for (int y = 0; y < p.height(); y++)
                for (int x = 0; x < p.width(); x++) o.set(c, x, p.height() - 1 - y, p.get(c, x, y));
        return o;
    }

    static PixelImage flipColumns(PixelImage p) {
        PixelImage o = PixelImage.blank(p.width(), p.height(), p.channels());
        for (int c = 0; c < p.channels(); c++)
            for (int y = 0; y < p.height(); y++)
                for (int x = 0; x < p.width(); x++) o.set(c, p.width() - 1 - x, y, p.get(c, x, y));
        return o;
    }
}
