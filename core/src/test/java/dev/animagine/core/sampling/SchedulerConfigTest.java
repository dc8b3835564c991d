package dev.animagine.core.sampling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.animagine.core.AnimagineException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SchedulerConfigTest {
    private static JsonNode json(String s) throws IOException {
        return new ObjectMapper().readTree(s);
    }

    @Test
    void missingKeysTakeEachClassDefaults() throws IOException {
        JsonNode empty = json("{}");
        SchedulerConfig ddim = SchedulerConfig.fromJson(SchedulerType.DDIM, empty, "x");
        assertThat(ddim.timestepSpacing()).isEqualTo("leading");
        assertThat(ddim.clipSample()).isTrue();
        assertThat(ddim.setAlphaToOne()).isTrue();
        SchedulerConfig euler = SchedulerConfig.fromJson(SchedulerType.EULER_DISCRETE, empty, "x");
        assertThat(euler.timestepSpacing()).isEqualTo("linspace");
        assertThat(euler.betaSchedule()).isEqualTo("linear");
        assertThat(euler.betaStart()).isEqualTo(0.0001);
        assertThat(euler.betaEnd()).isEqualTo(0.02);
        assertThat(euler.stepsOffset()).isZero();
        SchedulerConfig unipc = SchedulerConfig.fromJson(SchedulerType.UNIPC_MULTISTEP, empty, "x");
        assertThat(unipc.solverType()).isEqualTo("bh2");
        assertThat(unipc.solverOrder()).isEqualTo(2);
        assertThat(unipc.predictX0()).isTrue();
        SchedulerConfig dpm = SchedulerConfig.fromJson(SchedulerType.DPM_SOLVER_MULTISTEP, empty, "x");
        assertThat(dpm.algorithmType()).isEqualTo("dpmsolver++");
        assertThat(dpm.finalSigmasType()).isEqualTo("zero");
        assertThat(dpm.lambdaMinClipped()).isEqualTo(Double.NEGATIVE_INFINITY);
    }

    @Test
    void keysOfOtherClassesAreIgnoredAsInDiffusers() throws IOException {
        // an SDXL Euler config carries DDIM's keys; DDIM must honour clip_sample false, Euler ignores it
        SchedulerConfig ddim = SchedulerConfig.fromJson(SchedulerType.DDIM, SchedulerConfig.sdxlJson(), "x");
        assertThat(ddim.clipSample()).isFalse();
        JsonNode withThresholding = json("{\"thresholding\": true}");
        SchedulerConfig euler = SchedulerConfig.fromJson(SchedulerType.EULER_DISCRETE, withThresholding, "x");
        assertThat(euler.betaSchedule()).isEqualTo("linear");
        assertThatThrownBy(() -> SchedulerConfig.fromJson(SchedulerType.DPM_SOLVER_MULTISTEP, withThresholding, "cfg.json"))
                .isInstanceOf(AnimagineException.class)
                .hasMessage("cfg.json: thresholding is true: dynamic thresholding is not supported");
    }

    @Test
    void badValuesNameTheFileAndKey() {
        assertThatThrownBy(() -> SchedulerConfig.fromJson(SchedulerType.EULER_DISCRETE, json("{\"timestep_spacing\": \"middle\"}"), "s.json"))
                .isInstanceOf(AnimagineException.class)
                .hasMessage("s.json: timestep_spacing 'middle' is not one of linspace, leading, trailing");
        assertThatThrownBy(() -> SchedulerConfig.fromJson(SchedulerType.EULER_DISCRETE, json("{\"beta_start\": \"a\"}"), "s.json"))
                .isInstanceOf(AnimagineException.class)
                .hasMessage("s.json: beta_start must be a number, not \"a\"");
        assertThatThrownBy(() -> SchedulerConfig.fromJson(SchedulerType.EULER_DISCRETE,
                json("{\"trained_betas\": [0.1, 0.2], \"num_train_timesteps\": 3}"), "s.json"))
                .isInstanceOf(AnimagineException.class)
                .hasMessage("s.json: trained_betas has 2 values but num_train_timesteps is 3");
    }

    @Test
    void readsDiffusersJsonWithInfinity(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("scheduler_config.json");
        Files.writeString(f, "{\"_class_name\": \"DPMSolverMultistepScheduler\", \"lambda_min_clipped\": -Infinity, \"steps_offset\": 1}");
        SchedulerConfig c = SchedulerConfig.fromJson(SchedulerType.DPM_SOLVER_MULTISTEP, SchedulerConfig.readJson(f), f.toString());
        assertThat(c.lambdaMinClipped()).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(c.stepsOffset()).isEqualTo(1);
        assertThatThrownBy(() -> SchedulerConfig.readJson(dir.resolve("missing.json")))
                .isInstanceOf(AnimagineException.class).hasMessageEndingWith("missing.json: scheduler config not found");
        Files.writeString(f, "[1, 2]");
        assertThatThrownBy(() -> SchedulerConfig.readJson(f)).isInstanceOf(AnimagineException.class)
                .hasMessageEndingWith("scheduler_config.json: not a JSON object");
    }
}
