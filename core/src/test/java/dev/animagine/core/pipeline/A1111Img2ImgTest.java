package dev.animagine.core.pipeline;

import dev.animagine.core.sampling.Img2ImgTimesteps;
import dev.animagine.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A1111's img2img / inpainting / hires semantics on the latent side. */
class A1111Img2ImgTest {
    @Test
    void img2imgRunsTheTailOfTheScheduleFromNoisedLatents() {
        Img2ImgTimesteps.A1111Steps plan = Img2ImgTimesteps.a1111(4, 0.5, false, null); // t_enc 2 -> 3 steps
        float[] sigmas = {14f, 7f, 3f, 1f, 0f};
        float[] tail = A1111Img2Img.sigmaTail(sigmas, plan);
        assertThat(tail).containsExactly(7f, 3f, 1f, 0f);
        float[] x = A1111Img2Img.startLatents(new float[] {1f, -2f}, new float[] {0.5f, 1f}, tail[0]);
        assertThat(x).containsExactly(1f + 0.5f * 7f, -2f + 7f);
    }

    @Test
    void maskedContentAndBlend() {
        float[] init = {1, 2, 3, 4, 5, 6, 7, 8}; // 2 channels of 2x2
        float[] nmask = {0, 1, 1, 0};
        float[] noise = {10, 20, 30, 40, 50, 60, 70, 80};
        assertThat(A1111Img2Img.MaskedContent.LATENT_NOISE.applyToLatents(init, nmask, noise)).containsExactly(1, 20, 30, 4, 5, 60, 70, 8);
        assertThat(A1111Img2Img.MaskedContent.LATENT_NOTHING.applyToLatents(init, nmask, noise)).containsExactly(1, 0, 0, 4, 5, 0, 0, 8);
        assertThat(A1111Img2Img.MaskedContent.ORIGINAL.applyToLatents(init, nmask, noise)).containsExactly(init);
        assertThat(A1111Img2Img.MaskedContent.byId("latent noise")).isEqualTo(A1111Img2Img.MaskedContent.LATENT_NOISE);
        float[] denoised = {-1, -2, -3, -4, -5, -6, -7, -8};
        assertThat(A1111Img2Img.blend(denoised, init, nmask)).containsExactly(1, -2, -3, 4, 5, -6, -7, 8);
        // a soft (unrounded) mask mixes
        assertThat(A1111Img2Img.blend(new float[] {0f}, new float[] {1f}, new float[] {0.25f})).containsExactly(0.75f);
    }

    @Test
    void hiresPlanFollowsSampleHrPass() {
        A1111HiresFix h = A1111HiresFix.plan(832, 1216, 1.5, 28, 0, 0.55, LatentUpscaler.LATENT_NEAREST_EXACT);
        assertThat(h.targetWidth()).isEqualTo(1248);
        assertThat(h.targetHeight()).isEqualTo(1824);
        assertThat(h.latentWidth()).isEqualTo(156);
        assertThat(h.latentHeight()).isEqualTo(228);
        assertThat(h.steps().runSteps()).isEqualTo(28); // explicit: exactly the requested steps
        assertThat(h.steps().scheduleSteps()).isEqualTo(50); // int(28 / 0.55)
        assertThat(h.timeIds()).containsExactly(1824, 1248, 0, 0, 1824, 1248);
        A1111HiresFix h2 = A1111HiresFix.plan(100, 60, 1.25, 20, 12, 0.7, LatentUpscaler.LATENT);
        assertThat(h2.targetWidth()).isEqualTo(125); // int(125.0)
        assertThat(h2.latentWidth()).isEqualTo(15);
        assertThat(h2.steps().runSteps()).isEqualTo(12);
        assertThat(h2.steps().scheduleSteps()).isEqualTo(17); // int(17.14)
        Tensor up = h2.upscale(new Tensor(new float[4 * 7 * 12], 1, 4, 7, 12));
        assertThat(up.shape()).containsExactly(1, 4, h2.latentHeight(), h2.latentWidth());
        float[] sigmas = new float[h2.steps().scheduleSteps() + 1];
        for (int i = 0; i < sigmas.length - 1; i++) sigmas[i] = sigmas.length - 1 - i;
        float[] start = h2.startLatents(new float[] {1f}, new float[] {1f}, sigmas);
        assertThat(start).containsExactly(1f + sigmas[h2.steps().firstStep()]);
        assertThat(sigmas.length - h2.steps().firstStep() - 1).isEqualTo(12);
    }
}
