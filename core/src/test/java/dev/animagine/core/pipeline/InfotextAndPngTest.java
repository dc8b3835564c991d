package dev.animagine.core.pipeline;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class InfotextAndPngTest {
    @Test
    void formatsLikeA1111() {
        Infotext t = new Infotext("1girl, solo", "lowres, bad anatomy")
                .put("Steps", 28).put("Sampler", "Euler a").put("Schedule type", "Automatic")
                .put("CFG scale", 5.0).put("Seed", 42L).put("Size", "832x1216")
                .put("Model hash", "0123456789").put("Model", "animagine-xl-4.0").put("Note", "a, b: \"c\"");
        assertThat(t.format()).isEqualTo("""
                1girl, solo
                Negative prompt: lowres, bad anatomy
                Steps: 28, Sampler: Euler a, Schedule type: Automatic, CFG scale: 5, Seed: 42, Size: 832x1216, \
                Model hash: 0123456789, Model: animagine-xl-4.0, Note: "a, b: \\"c\\"\"""");
        assertThat(new Infotext("x", "").put("CFG scale", 4.5).format()).isEqualTo("x\nCFG scale: 4.5");
    }

    @Test
    void pngRoundTripsTextAndPixels(@TempDir Path dir) throws Exception {
        int w = 3, h = 2;
        float[] chw = new float[3 * w * h];
        for (int i = 0; i < chw.length; i++) chw[i] = i / (float) (chw.length - 1);
        chw[0] = -0.2f; // clamped
        chw[1] = 0.5f / 255f + 0.5f / 255f * 0; // 0.5 -> rounds half to even = 0
        var img = PngFiles.toImage(chw, w, h);
        Map<String, String> text = new LinkedHashMap<>();
        text.put("parameters", "1girl\nNegative prompt: x\nSteps: 1");
        text.put("unicode", "日本語 ☆");
        Path p = dir.resolve("a.png");
        try (OutputStream out = Files.newOutputStream(p)) {
            PngFiles.write(img, text, out);
        }
        assertThat(PngFiles.readText(p)).containsExactlyInAnyOrderEntriesOf(text);
        var back = javax.imageio.ImageIO.read(p.toFile());
        assertThat(back.getRGB(0, 0) & 0xffffff).isEqualTo((0 << 16) | (PngFiles.to8bit(chw[6]) << 8) | PngFiles.to8bit(chw[12]));
        assertThat(PngFiles.to8bit(0.5f / 255f)).isEqualTo(0);
        assertThat(PngFiles.to8bit(1.5f / 255f)).isEqualTo(2);
        assertThat(PngFiles.to8bit(2f)).isEqualTo(255);
    }

    @Test
    void modelNamesAsA1111ShowsThem() {
        assertThat(ImageOutput.modelName(Path.of("/m/animagine-xl-4.0.safetensors"))).isEqualTo("animagine-xl-4.0");
        assertThat(ImageOutput.modelName(Path.of("/m/animagine-xl-3.1"))).isEqualTo("animagine-xl-3.1");
        assertThat(ImageOutput.modelName(Path.of("/hub/models--cagliostrolab--animagine-xl-4.0/snapshots/abc123")))
                .isEqualTo("animagine-xl-4.0");
    }
}
