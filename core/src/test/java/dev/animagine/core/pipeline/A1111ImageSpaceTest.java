package dev.animagine.core.pipeline;

import dev.animagine.core.image.A1111InpaintInputs;
import dev.animagine.core.image.A1111Resize;
import dev.animagine.core.image.ImageFiles;
import dev.animagine.core.image.PilResample;
import dev.animagine.core.image.PixelImage;
import dev.animagine.core.sampling.DenoisingSampler;
import dev.animagine.core.sampling.EpsModel;
import dev.animagine.core.sampling.Sampler;
import dev.animagine.core.sampling.ScheduleType;
import dev.animagine.core.sampling.StepCallback;
import dev.animagine.core.tensor.Interpolate;
import dev.animagine.core.tensor.Tensor;
import dev.animagine.core.testing.Fixtures;
import dev.animagine.core.text.PromptMode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A1111's image-space hires pass and img2img resize mode 3 on the miniature model, against references
 * composed by hand from the public steps A1111 runs ({@code sample_hr_pass}: decode, {@code astype(uint8)},
 * {@code resize_image} with the upscaler, encode; {@code StableDiffusionProcessingImg2Img.init} mode 3:
 * encode at the picture's size, {@code interpolate(mode="bilinear")} to the run's latent size).
 */
class A1111ImageSpaceTest {
    static StableDiffusionXLPipeline p;
    static final Path INPUTS = Fixtures.path("inpaint").resolve("inputs");
    static final long SEED = 42;

    @BeforeAll
    static void open() {
        p = PipelineTest.pipeline(Fixtures.cases("img2img").getFirst().get("model").get("path").asText());
    }

    static GenerationRequest request(int w, int h, int steps) {
        return GenerationRequest.of("1girl, solo", "lowres", w, h, steps, 5, Sampler.EULER_A, ScheduleType.DEFAULT, SEED, PromptMode.A1111);
    }

    static ImageToImageRequest hires(HiresUpscaler upscaler, double scale, int steps, double denoise) {
        return new ImageToImageRequest(false, null, null, 0.75, A1111Resize.JUST_RESIZE, A1111InpaintInputs.Options.DEFAULTS,
                A1111Img2Img.MaskedContent.ORIGINAL, new ImageToImageRequest.Hires(scale, 0, 0, denoise, steps, upscaler, null, null, null, false));
    }

    static ImageToImageRequest img2img(PixelImage init, A1111Resize resize, double strength) {
        return new ImageToImageRequest(false, init, null, strength, resize, A1111InpaintInputs.Options.DEFAULTS,
                A1111Img2Img.MaskedContent.ORIGINAL, null);
    }

    static final RunHooks QUIET = new RunHooks() {};

    /** The hand-composed upscale: decode, A1111's uint8 truncation, Pillow LANCZOS / NEAREST via resize_image, encode. */
    static float[] referenceUpscale(float[] pass1, int[] shape, ImageUpscaler u, int tw, int th) {
        Tensor decoded = p.decode(new Tensor(pass1, shape));
        float[] d = decoded.data();
        int h = decoded.dim(2), w = decoded.dim(3);
        int[] px = new int[d.length];
        for (int i = 0; i < d.length; i++) px[i] = (int) (255f * d[i]);
        PixelImage image = new PixelImage(w, h, 3, px);
        PixelImage resized = u == ImageUpscaler.NEAREST ? PilResample.nearest(image, tw, th) : PilResample.resize(image, tw, th, PilResample.Filter.LANCZOS);
        return ImageToImage.a1111Encode(p.vae(), resized.toTensor());
    }

    @Test
    void imageSpaceHiresEqualsDecodeResizeEncodeThenTheSecondPass() {
        // 64 -> 96 (x1.5, a multiple of 8, so Upscaler.upscale makes one resize); 4 hires steps at 0.7 run
        // sigmas[1:] of int(4 / 0.7) = 5: the same steps an img2img of 5 steps at strength 0.7 runs
        GenerationRequest req = request(64, 64, 3);
        for (ImageUpscaler u : new ImageUpscaler[] {ImageUpscaler.LANCZOS, ImageUpscaler.NEAREST}) {
            Captured cap = new Captured(96);
            new ImageToImage(p).generate(req, hires(u, 1.5, 4, 0.7), cap, QUIET);
            ImageResult hires = new ImageToImage(p).generate(req, hires(u, 1.5, 4, 0.7), p::diffusersSampler, QUIET);
            ImageResult pass1 = p.generate(req, p::diffusersSampler, QUIET);
            float[] upscaled = referenceUpscale(pass1.latents().data(), pass1.latents().shape(), u, 96, 96);
            // the second pass starts from exactly those latents
            assertThat(cap.original).as(u + " start latents").containsExactly(upscaled);
            // ... and the whole run equals an img2img of the upscaled picture at its own size (no further resize)
            ImageResult reference = new ImageToImage(p).generate(request(96, 96, 5),
                    img2img(upscaledPicture(pass1, u), A1111Resize.JUST_RESIZE, 0.7), p::diffusersSampler, QUIET);
            assertThat(hires.latents().shape()).containsExactly(1, 4, 12, 12);
            assertThat(hires.latents().data()).as(u + " final latents").containsExactly(reference.latents().data());
        }
        // and the image upscalers differ from the latent one
        ImageResult latent = new ImageToImage(p).generate(req, hires(LatentUpscaler.LATENT, 1.5, 4, 0.7), p::diffusersSampler, QUIET);
        ImageResult lanczos = new ImageToImage(p).generate(req, hires(ImageUpscaler.LANCZOS, 1.5, 4, 0.7), p::diffusersSampler, QUIET);
        assertThat(latent.latents().data()).isNotEqualTo(lanczos.latents().data());
    }

    /** The pixel picture the hand-composed upscale encodes. */
    static PixelImage upscaledPicture(ImageResult pass1, ImageUpscaler u) {
        Tensor decoded = p.decode(pass1.latents());
        float[] d = decoded.data();
        int[] px = new int[d.length];
        for (int i = 0; i < d.length; i++) px[i] = (int) (255f * d[i]);
        PixelImage image = new PixelImage(decoded.dim(3), decoded.dim(2), 3, px);
        return u == ImageUpscaler.NEAREST ? PilResample.nearest(image, 96, 96) : PilResample.resize(image, 96, 96, PilResample.Filter.LANCZOS);
    }

    @Test
    void resizeMode3EncodesAtTheOwnSizeAndInterpolatesTheLatentsBilinearly() {
        PixelImage init = ImageFiles.read(INPUTS.resolve("init_variant2_96x64.png"));
        // an odd size too: the encoder's padded stride-2 convolutions give side // 8 latents
        PixelImage odd = init.crop(3, 1, 92, 62);
        for (PixelImage picture : new PixelImage[] {init, odd}) {
            PixelImage rgb = ImageFiles.flattenToRgb(picture, 255, 255, 255);
            float[] own = ImageToImage.a1111Encode(p.vae(), rgb.toTensor());
            Tensor ownLatents = new Tensor(own, 1, 4, picture.height() / 8, picture.width() / 8);
            float[] expected = Interpolate.resize(ownLatents, 8, 8, Interpolate.Mode.BILINEAR, false).data();
            Captured cap = new Captured(64);
            new ImageToImage(p).generate(request(64, 64, 4), img2img(picture, A1111Resize.LATENT_UPSCALE, 0.6), cap, QUIET);
            assertThat(cap.original).as(picture.width() + "x" + picture.height()).containsExactly(expected);
        }
        // at the picture's own size mode 3 is plain img2img (no pixel resize, an identity interpolation)
        PixelImage square = init.crop(0, 0, 64, 64);
        ImageResult three = new ImageToImage(p).generate(request(64, 64, 4), img2img(square, A1111Resize.LATENT_UPSCALE, 0.6), p::diffusersSampler, QUIET);
        ImageResult zero = new ImageToImage(p).generate(request(64, 64, 4), img2img(square, A1111Resize.JUST_RESIZE, 0.6), p::diffusersSampler, QUIET);
        assertThat(three.latents().data()).containsExactly(zero.latents().data());
        // and another size gives another picture than the pixel-space resize
        ImageResult latent = new ImageToImage(p).generate(request(64, 64, 4), img2img(init, A1111Resize.LATENT_UPSCALE, 0.6), p::diffusersSampler, QUIET);
        ImageResult pixels = new ImageToImage(p).generate(request(64, 64, 4), img2img(init, A1111Resize.JUST_RESIZE, 0.6), p::diffusersSampler, QUIET);
        assertThat(latent.latents().data()).isNotEqualTo(pixels.latents().data());
    }

    @Test
    void latentOnlyHelpersRefuseImageUpscalers() {
        A1111HiresFix fix = A1111HiresFix.plan(64, 64, 1.5, 4, 0, 0.7, ImageUpscaler.LANCZOS);
        assertThatThrownBy(() -> fix.upscale(new Tensor(new float[4 * 64], 1, 4, 8, 8))).hasMessageContaining("Lanczos");
        assertThat(HiresUpscaler.byId("Lanczos")).isEqualTo(ImageUpscaler.LANCZOS);
        assertThat(HiresUpscaler.byId("latent (nearest-exact)")).isEqualTo(LatentUpscaler.LATENT_NEAREST_EXACT);
        assertThatThrownBy(() -> HiresUpscaler.byId("R-ESRGAN 4x+")).hasMessageContaining("R-ESRGAN 4x+").hasMessageContaining("lanczos");
    }

    /**
     * A sampler factory that records the latents {@code addNoise} receives on the run of the given
     * width (the img2img / second pass start) and stops that run; other runs use the diffusers sampler.
     */
    static final class Captured implements StableDiffusionXLPipeline.SamplerFactory {
        final int width;
        float[] original;

        Captured(int width) {
            this.width = width;
        }

        @Override
        public DenoisingSampler create(GenerationRequest request, dev.animagine.core.sampling.NormalNoise generator) {
            DenoisingSampler s = p.diffusersSampler(request, generator);
            if (request.width() != width) return s;
            return new DenoisingSampler() {
                public float[] timesteps() { return s.timesteps(); }
                public float[] sigmas() { return s.sigmas(); }
                public float[] startFromNoise(float[] noise) { return s.startFromNoise(noise); }
                public float[] addNoise(float[] o, float[] noise, int step) {
                    original = o.clone();
                    return s.addNoise(o, noise, step);
                }
                public float[] sample(EpsModel model, float[] x, int fromStep, StepCallback callback) {
                    return x; // the start latents are what this factory is for
                }
            };
        }
    }
}
