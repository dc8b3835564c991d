package dev.animagine.core.sampling;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.animagine.core.InvalidArgumentException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The spacings the fixtures do not cover (they use SDXL's {@code leading}), against values derived
 * by hand from diffusers' formulas with T = 1000 (cf. Lin et al. 2023, table 2).
 */
class TimestepSpacingTest {
    private static Scheduler create(SchedulerType type, String spacing, int offset) {
        ObjectNode c = (ObjectNode) SchedulerConfig.sdxlTree();
        c.put("timestep_spacing", spacing).put("steps_offset", offset);
        return type.create(SchedulerConfig.fromJson(type, c, "test"));
    }

    private static float[] timesteps(SchedulerType type, String spacing, int offset, int n) {
        Scheduler s = create(type, spacing, offset);
        s.setTimesteps(n);
        return s.timesteps();
    }

    @Test
    void singleGrids() {
        // linspace(0, 999, 10) = 0, 111, ..., 999
        float[] lin = {999, 888, 777, 666, 555, 444, 333, 222, 111, 0};
        assertThat(timesteps(SchedulerType.EULER_DISCRETE, "linspace", 0, 10)).containsExactly(lin);
        assertThat(timesteps(SchedulerType.DDIM, "linspace", 0, 10)).containsExactly(lin);
        // leading: 1000 // 10 * i + offset
        assertThat(timesteps(SchedulerType.DDIM, "leading", 1, 10)).containsExactly(901, 801, 701, 601, 501, 401, 301, 201, 101, 1);
        // trailing: arange(1000, 0, -100) - 1
        assertThat(timesteps(SchedulerType.EULER_ANCESTRAL_DISCRETE, "trailing", 1, 10))
                .containsExactly(999, 899, 799, 699, 599, 499, 399, 299, 199, 99);
        // Euler keeps linspace's fractions: 999 * 2/3 = 666.0, 999/3 = 333.0; 4 steps: 999, 666, 333, 0
        assertThat(timesteps(SchedulerType.EULER_DISCRETE, "linspace", 0, 4)).containsExactly(999, 666, 333, 0);
        // 3 steps: 999, 499.5, 0 (Euler keeps 499.5; DDIM rounds it half to even: 500)
        assertThat(timesteps(SchedulerType.EULER_DISCRETE, "linspace", 0, 3)).containsExactly(999, 499.5f, 0);
        assertThat(timesteps(SchedulerType.DDIM, "linspace", 0, 3)).containsExactly(999, 500, 0);
    }

    @Test
    void multistepGrids() {
        // linspace(0, 999, 5) = 0, 249.75, 499.5, 749.25, 999 -> rounded half to even, highest four
        assertThat(timesteps(SchedulerType.DPM_SOLVER_MULTISTEP, "linspace", 0, 4)).containsExactly(999, 749, 500, 250);
        assertThat(timesteps(SchedulerType.UNIPC_MULTISTEP, "trailing", 0, 4)).containsExactly(999, 749, 499, 249);
        // leading: 1000 // 5 = 200 -> 800, 600, 400, 200 (+ offset)
        assertThat(timesteps(SchedulerType.UNIPC_MULTISTEP, "leading", 1, 4)).containsExactly(801, 601, 401, 201);
    }

    @Test
    void eulerInitialSigmaDependsOnSpacing() {
        Scheduler lin = create(SchedulerType.EULER_DISCRETE, "linspace", 0);
        lin.setTimesteps(10);
        float max = lin.sigmas()[0];
        assertThat(lin.initNoiseSigma()).isEqualTo(max);
        Scheduler lead = create(SchedulerType.EULER_DISCRETE, "leading", 1);
        lead.setTimesteps(10);
        float m = lead.sigmas()[0];
        assertThat(lead.initNoiseSigma()).isEqualTo((float) Math.sqrt(m * m + 1f));
    }

    @Test
    void stepCountsAreChecked() {
        Scheduler s = create(SchedulerType.EULER_DISCRETE, "leading", 1);
        assertThatThrownBy(() -> s.setTimesteps(0)).isInstanceOf(InvalidArgumentException.class)
                .hasMessage("number of steps must be at least 1, not 0");
        assertThatThrownBy(() -> s.setTimesteps(1001)).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(s::timesteps).isInstanceOf(IllegalStateException.class);
    }
}
