package dev.animagine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.animagine.core.io.SafetensorsFile;
import dev.animagine.core.pipeline.PngFiles;
import dev.animagine.core.testing.Close;
import dev.animagine.core.testing.Fixtures;
import dev.animagine.core.testing.PngCompare;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code animagine generate --compat diffusers} with the img2img, inpainting and hires flags on every
 * case of img2img/, inpaint/ and hires/ (the flags each case's {@code cli} block names): PNG within
 * 1/255, final latents from --dump within 1e-3 relative to max(1, max|ref|); the infotext carries
 * the A1111 keys. Bad image input gives one line naming the file or flag.
 */
class GenerateImg2ImgCommandTest {
    @TempDir
    Path tmp;

    @TestFactory
    List<DynamicTest> img2imgFixturesThroughTheCommandLine() {
        return cases("img2img");
    }

    @TestFactory
    List<DynamicTest> inpaintFixturesThroughTheCommandLine() {
        return cases("inpaint");
    }

    @TestFactory
    List<DynamicTest> hiresFixturesThroughTheCommandLine() {
        return cases("hires");
    }

    private List<DynamicTest> cases(String category) {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : Fixtures.cases(category)) tests.add(DynamicTest.dynamicTest(c.get("id").asText(), () -> run(category, c)));
        assertThat(tests).as(category + " cases").isNotEmpty();
        return tests;
    }

    private void run(String category, JsonNode c) throws Exception {
        String id = c.get("id").asText();
        Path out = tmp.resolve(id + ".png"), dump = tmp.resolve(id);
        boolean hires = category.equals("hires");
        JsonNode a = hires ? c.get("pass1").get("args") : c.get("pipeline_args");
        List<String> args = new ArrayList<>(List.of("generate", "--model", Fixtures.resolveIndexPath(c.get("model").get("path").asText()).toString(),
                "--quiet", "--output", out.toString(), "--dump", dump.toString(), "--prompt", a.get("prompt").asText()));
        if (!a.get("negative_prompt").isNull()) args.addAll(List.of("--negative", a.get("negative_prompt").asText()));
        for (Map.Entry<String, JsonNode> f : c.get("cli").properties()) {
            String flag = f.getKey();
            JsonNode v = f.getValue();
            if (v.isBoolean()) {
                if (v.asBoolean()) args.add(flag);
            } else if (flag.equals("--init-image")) {
                args.addAll(List.of(flag, Fixtures.resolveIndexPath(c.get("inputs").get("init_image").asText()).toString()));
            } else if (flag.equals("--mask")) {
                args.addAll(List.of(flag, Fixtures.resolveIndexPath(c.get("inputs").get("mask").asText()).toString()));
            } else {
                args.addAll(List.of(flag, v.asText()));
            }
        }
        CliRun r = CliRun.of(args.toArray(String[]::new));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out().strip()).isEqualTo(out.toString());

        PngCompare.assertWithinOneLevel(out, Fixtures.resolveIndexPath(c.get("expected").get("png").asText()));

        float[] expected = Fixtures.tensor(category + "/" + category + ".safetensors", id + "/final_latents").toFloats();
        double scale = 1;
        for (float v : expected) scale = Math.max(scale, Math.abs(v));
        try (SafetensorsFile latents = SafetensorsFile.open(dump.resolve("latents.safetensors"))) {
            Close.assertClose("final latents", latents.tensor("latents").toFloats(), expected, 1e-3 * scale, 0);
            String noiseKey = hires ? id + "/pass1_initial_noise" : id + "/initial_noise";
            assertThat(latents.tensor("initial_noise").toFloats())
                    .containsExactly(Fixtures.tensor(category + "/" + category + ".safetensors", noiseKey).toFloats());
        }
        String params = PngFiles.readText(out).get("parameters");
        assertThat(params).contains("Denoising strength: ");
        if (hires) assertThat(params).contains("Hires upscale: ", "Hires upscaler: Latent");
        if (category.equals("inpaint")) assertThat(params).doesNotContain("Mask blur"); // diffusers has none
    }

    @Test
    void badImageInputIsAOneLineError() throws Exception {
        Path model = Fixtures.path("models").resolve(Fixtures.models().getFirst().getFileName()).resolve("diffusers");
        Path init = Fixtures.path("img2img").resolve("inputs").resolve("init_variant0_64x64.png");
        Path otherSize = Fixtures.path("img2img").resolve("inputs").resolve("init_variant0_96x64.png");
        Path garbage = tmp.resolve("garbage.png");
        Files.writeString(garbage, "not an image");
        byte[] png = Files.readAllBytes(init);
        Path truncated = tmp.resolve("truncated.png");
        Files.write(truncated, java.util.Arrays.copyOf(png, png.length / 2));
        Path bomb = tmp.resolve("bomb.png");
        writeBomb(bomb);
        String[][] cases = {
                {"--init-image", garbage.toString()}, {"--init-image", truncated.toString()}, {"--init-image", bomb.toString()},
                {"--init-image", init.toString(), "--mask", otherSize.toString()}, {"--init-image", init.toString(), "--strength", "0"},
                {"--init-image", init.toString(), "--strength", "1.5"}, {"--hires-size", "100x100"}, {"--hires-scale", "1.5", "--hires-denoise", "2"},
                {"--init-image", tmp.resolve("missing.png").toString()}, {"--mask", init.toString()},
                {"--init-image", init.toString(), "--inpaint-fill", "blur"}, {"--hires-scale", "1.5", "--hires-upscaler", "esrgan"},
                {"--init-image", init.toString(), "--hires-scale", "1.5"},
                {"--init-image", init.toString(), "--compat", "diffusers", "--resize-mode", "crop-and-resize", "--size", "64x96"},
                {"--compat", "diffusers", "--hires-scale", "1.5", "--hires-upscaler", "lanczos"},
                {"--init-image", init.toString(), "--mask", init.toString(), "--resize-mode", "latent-upscale"},
        };
        String[] expected = {"garbage.png", "truncated.png", "a decompression bomb", "--mask", "--strength must be in (0, 1] (got 0.0)",
                "--strength must be in (0, 1] (got 1.5)", "--hires-size must be positive multiples of 8 up to 8192 (got 100x100)", "--hires-denoise",
                "missing.png", "--mask needs --init-image", "--inpaint-fill", "--hires-upscaler", "txt2img only", "--resize-mode is an A1111 option",
                "--hires-upscaler Lanczos is an A1111 image upscaler", "--resize-mode latent-upscale is for img2img without a mask"};
        for (int i = 0; i < cases.length; i++) {
            List<String> args = new ArrayList<>(List.of("generate", "--model", model.toString(), "--quiet", "--steps", "2",
                    "--output", tmp.resolve("never.png").toString(), "x"));
            args.addAll(List.of(cases[i]));
            CliRun r = CliRun.of(args.toArray(String[]::new));
            assertThat(r.exit()).as(String.join(" ", cases[i]) + ": " + r.err()).isIn(1, 2);
            assertThat(r.err().strip().lines().filter(l -> l.startsWith("animagine:")).toList()).as(r.err()).hasSize(1);
            assertThat(r.err()).as(String.join(" ", cases[i])).contains(expected[i]).doesNotContain("Exception").doesNotContain("\tat ");
        }
        assertThat(Files.exists(tmp.resolve("never.png"))).isFalse();
    }

    @Test
    void imageHiresUpscalerAndLatentUpscaleResizeMode() throws Exception {
        Path model = Fixtures.path("models").resolve(Fixtures.models().getFirst().getFileName()).resolve("diffusers");
        Path init = Fixtures.path("img2img").resolve("inputs").resolve("init_variant0_96x64.png");
        Path hires = tmp.resolve("hires-lanczos.png"), latent = tmp.resolve("resize-3.png");
        CliRun r = CliRun.of("generate", "--model", model.toString(), "--quiet", "--steps", "2", "--hires-scale", "1.5", "--hires-steps", "1",
                "--hires-upscaler", "lanczos", "--size", "64x64", "--output", hires.toString(), "1girl");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(ImageIO.read(hires.toFile()).getWidth()).isEqualTo(96);
        assertThat(PngFiles.readText(hires).get("parameters")).contains("Hires upscaler: Lanczos");
        r = CliRun.of("generate", "--model", model.toString(), "--quiet", "--steps", "2", "--init-image", init.toString(),
                "--resize-mode", "latent-upscale", "--size", "64x64", "--output", latent.toString(), "1girl");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(ImageIO.read(latent.toFile()).getWidth()).isEqualTo(64);
        assertThat(PngFiles.readText(latent).get("parameters")).contains("Resize mode: latent-upscale");
    }

    /** A valid PNG header claiming 100000 x 100000 pixels (and no real image data). */
    static void writeBomb(Path file) throws Exception {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        b.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        java.nio.ByteBuffer ihdr = java.nio.ByteBuffer.allocate(17);
        ihdr.put("IHDR".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(100_000).putInt(100_000)
                .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(ihdr.array());
        java.io.DataOutputStream d = new java.io.DataOutputStream(b);
        d.writeInt(13);
        d.write(ihdr.array());
        d.writeInt((int) crc.getValue());
        Files.write(file, b.toByteArray());
    }
}
