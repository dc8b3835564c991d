package dev.animagine.cli;

import dev.animagine.core.pipeline.PngFiles;
import dev.animagine.core.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * img2img, inpainting and hires in the default A1111 mode (A1111's samplers): the infotext names the
 * sampler and schedule as txt2img does, plus Denoising strength and the Hires entries, and each image
 * survives a round trip through its own PNG (--from-png, with the same init image and mask: the same bytes).
 */
class A1111Img2ImgCommandTest {
    @TempDir
    Path tmp;

    static final Path INPUTS = Fixtures.path("inpaint").resolve("inputs");

    private static Path model() {
        return Fixtures.path("models").resolve(Fixtures.models().getFirst().getFileName()).resolve("diffusers");
    }

    private void roundTrip(String name, List<String> flags, List<String> inputs, String... written) throws Exception {
        Path first = tmp.resolve(name + ".png");
        List<String> args = new ArrayList<>(List.of("generate", "--model", model().toString(), "--quiet", "--size", "64x64", "--seed", "31",
                "--cfg", "4.5", "--negative", "lowres", "--output", first.toString()));
        args.addAll(flags);
        args.addAll(inputs);
        args.add("1girl, solo");
        CliRun a = CliRun.of(args.toArray(String[]::new));
        assertThat(a.exit()).as(name + ": " + a.err()).isZero();
        assertThat(PngFiles.readText(first).get("parameters")).as(name).contains(written);
        Path second = tmp.resolve(name + "-again.png");
        List<String> again = new ArrayList<>(List.of("generate", "--model", model().toString(), "--quiet", "--from-png", first.toString(),
                "--output", second.toString()));
        again.addAll(inputs);
        CliRun b = CliRun.of(again.toArray(String[]::new));
        assertThat(b.exit()).as(b.err()).isZero();
        assertThat(b.err().lines().filter(l -> l.contains("warning") && !l.contains("trained sizes"))).as(name).isEmpty();
        assertThat(Files.readAllBytes(second)).as(name + " round trip").isEqualTo(Files.readAllBytes(first));
    }

    @Test
    void img2imgInpaintingAndHiresWithA1111Samplers() throws Exception {
        String init = INPUTS.resolve("init_variant0_64x64.png").toString();
        String mask = INPUTS.resolve("mask_rect_offgrid_64x64.png").toString();
        roundTrip("img2img", List.of("--sampler", "DPM++ 2M", "--schedule", "Karras", "--steps", "5", "--strength", "0.6"),
                List.of("--init-image", init), "Sampler: DPM++ 2M, Schedule type: Karras,", "Denoising strength: 0.6");
        roundTrip("img2img-ddim", List.of("--sampler", "DDIM", "--steps", "6", "--strength", "0.7"),
                List.of("--init-image", init), "Sampler: DDIM,", "Denoising strength: 0.7");
        roundTrip("inpaint", List.of("--sampler", "Euler a", "--steps", "4", "--strength", "0.75", "--inpaint-fill", "latent-noise",
                "--subseed", "5", "--subseed-strength", "0.3"), List.of("--init-image", init, "--mask", mask),
                "Sampler: Euler a,", "Denoising strength: 0.75", "Mask blur: 4", "Masked content: latent noise", "Variation seed: 5");
        roundTrip("hires", List.of("--sampler", "Euler a", "--steps", "3", "--hires-scale", "1.5", "--hires-steps", "3", "--hires-denoise", "0.6",
                "--hires-sampler", "DPM++ 2M SDE Karras"), List.of(),
                "Sampler: Euler a,", "Denoising strength: 0.6", "Hires upscale: 1.5", "Hires steps: 3", "Hires upscaler: Latent",
                "Hires sampler: DPM++ 2M SDE Karras");
    }
}
