package dev.animagine.core.sampling;

import dev.animagine.core.InvalidArgumentException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** diffusers' get_timesteps and A1111's setup_img2img_steps, on the worked examples of the img2img/hires READMEs. */
class Img2ImgTimestepsTest {
    @Test
    void diffusersInitTimestepTruncatesTheDoubleProduct() {
        assertThat(Img2ImgTimesteps.initTimestep(10, 0.3)).isEqualTo(3); // 3.0000000000000004
        assertThat(Img2ImgTimesteps.initTimestep(7, 0.55)).isEqualTo(3); // 3.85
        assertThat(Img2ImgTimesteps.initTimestep(8, 0.9999)).isEqualTo(7); // inpainting's default strength
        assertThat(Img2ImgTimesteps.initTimestep(6, 1.0)).isEqualTo(6);
        assertThat(Img2ImgTimesteps.tStart(8, 0.55)).isEqualTo(4);
    }

    @Test
    void indexForTimestepTakesTheSecondOfTwoMatches() {
        float[] ts = {999, 500, 10, 0, 0};
        assertThat(Img2ImgTimesteps.indexForTimestep(ts, 500)).isEqualTo(1);
        assertThat(Img2ImgTimesteps.indexForTimestep(ts, 0)).isEqualTo(4);
        assertThatThrownBy(() -> Img2ImgTimesteps.indexForTimestep(ts, 7)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void diffusersStepsAreTheTailAndMultistepSolversStartThere() {
        Scheduler s = SchedulerType.DPM_SOLVER_MULTISTEP.create(SchedulerConfig.fromJson(SchedulerType.DPM_SOLVER_MULTISTEP,
                SchedulerConfig.sdxlJson(), java.util.Map.of("algorithm_type", "dpmsolver++", "solver_order", 2), "test"));
        s.setTimesteps(10);
        int[] steps = Img2ImgTimesteps.diffusersSteps(s, 0.55);
        assertThat(steps).containsExactly(5, 6, 7, 8, 9);
        float[] x = new float[4];
        s.step(new float[4], 5, x, null); // would throw "out of order" without the begin index
        assertThatThrownBy(() -> Img2ImgTimesteps.diffusersSteps(s, 0.05)).isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void a1111RunsOneStepMoreThanDiffusers() {
        // default (img2img_fix_steps off): t_enc = int(min(d, 0.999) * steps), t_enc + 1 steps of a steps-long schedule
        Img2ImgTimesteps.A1111Steps p = Img2ImgTimesteps.a1111(20, 0.75, false, null);
        assertThat(p.scheduleSteps()).isEqualTo(20);
        assertThat(p.runSteps()).isEqualTo(16);
        assertThat(p.firstStep()).isEqualTo(4);
        // strength 1 is clamped to 0.999: int(19.98) = 19 -> all 20 steps
        assertThat(Img2ImgTimesteps.a1111(20, 1.0, false, null).runSteps()).isEqualTo(20);
        assertThat(Img2ImgTimesteps.a1111(8, 0.55, false, null).runSteps()).isEqualTo(5); // diffusers: 4
        // explicit steps (hires, or img2img_fix_steps): exactly S steps of an int(S / d)-long schedule
        Img2ImgTimesteps.A1111Steps h = Img2ImgTimesteps.a1111(28, 0.55, false, 10);
        assertThat(h.scheduleSteps()).isEqualTo(18);
        assertThat(h.runSteps()).isEqualTo(10);
        assertThat(Img2ImgTimesteps.a1111(28, 0.55, true, null).runSteps()).isEqualTo(28);
        assertThat(Img2ImgTimesteps.a1111(28, 0.55, true, null).scheduleSteps()).isEqualTo(50); // int(50.909)
        assertThat(Img2ImgTimesteps.a1111(15, 1.0, true, null).scheduleSteps()).isEqualTo(15); // int(15.015)
        assertThatThrownBy(() -> Img2ImgTimesteps.a1111(20, 1.5, false, null)).isInstanceOf(InvalidArgumentException.class);
    }
}
