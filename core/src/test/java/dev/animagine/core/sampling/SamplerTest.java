package dev.animagine.core.sampling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import dev.animagine.core.InvalidArgumentException;
import dev.animagine.core.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SamplerTest {
    @Test
    void idsAndA1111Names() {
        assertThat(Sampler.ids()).isEqualTo("euler, euler_a, dpmpp_2m, ddim, unipc");
        assertThat(Sampler.byId("euler_a").a1111Name()).isEqualTo("Euler a");
        assertThat(Sampler.byId("dpmpp_2m").a1111Name()).isEqualTo("DPM++ 2M");
        assertThat(Sampler.byId("Euler a")).isEqualTo(Sampler.EULER_A);
        assertThat(Sampler.byId(" UniPC ")).isEqualTo(Sampler.UNIPC);
        assertThat(ScheduleType.byId("karras").a1111Name()).isEqualTo("Karras");
        assertThat(ScheduleType.byId("Automatic")).isEqualTo(ScheduleType.DEFAULT);
    }

    @Test
    void unknownNamesListTheValidOnes() {
        assertThatThrownBy(() -> Sampler.byId("heun")).isInstanceOf(InvalidArgumentException.class)
                .hasMessage("unknown sampler 'heun' (valid: euler, euler_a, dpmpp_2m, ddim, unipc)");
        assertThatThrownBy(() -> ScheduleType.byId("exponential")).isInstanceOf(InvalidArgumentException.class)
                .hasMessage("unknown schedule 'exponential' (valid: default, karras)");
    }

    @Test
    void karrasOnlyWhereDiffusersHasIt() {
        SchedulerJson sdxl = SchedulerConfig.sdxlJson();
        assertThatThrownBy(() -> Sampler.EULER_A.config(sdxl, ScheduleType.KARRAS, "sdxl"))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("sampler euler_a has no karras schedule (with karras: euler, dpmpp_2m, unipc)");
        assertThat(Sampler.EULER.config(sdxl, ScheduleType.KARRAS, "sdxl").useKarrasSigmas()).isTrue();
        assertThat(Sampler.EULER.config(sdxl, ScheduleType.DEFAULT, "sdxl").useKarrasSigmas()).isFalse();
    }

    /**
     * The registry resolves a model config to what the fixture generator built with
     * {@code from_config(base, **overrides)}: for every set_timesteps case, the sampler of that class
     * with that schedule gives the same timesteps and sigmas.
     */
    @Test
    void registryMatchesEveryFixtureScheduler() throws IOException {
        JsonNode index = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build()
                .readTree(Fixtures.path("schedulers/index.json").toFile());
        JsonNode base = index.get("base_scheduler_config");
        int checked = 0;
        for (JsonNode c : index.get("cases")) {
            if (!c.get("kind").asText().equals("set_timesteps")) continue;
            SchedulerType type = SchedulerType.fromClassName(c.get("scheduler").asText()).orElseThrow();
            Sampler sampler = java.util.Arrays.stream(Sampler.values()).filter(s -> s.schedulerType() == type).findFirst().orElseThrow();
            JsonNode o = c.get("from_config_overrides");
            ScheduleType schedule = o.path("use_karras_sigmas").asBoolean(false) ? ScheduleType.KARRAS : ScheduleType.DEFAULT;
            for (Iterator<Map.Entry<String, JsonNode>> it = o.properties().iterator(); it.hasNext(); ) {
                String k = it.next().getKey();
                assertThat(Set.of("use_karras_sigmas", "algorithm_type", "solver_order")).as("override " + k).contains(k);
            }
            int n = c.get("num_inference_steps").asInt();
            Scheduler viaRegistry = sampler.create(new SchedulerJson(base), schedule, "base", n);
            Scheduler direct = SchedulerFixtureTest.create(c);
            direct.setTimesteps(n);
            assertThat(viaRegistry.timesteps()).as(c.get("id").asText()).containsExactly(direct.timesteps());
            assertThat(viaRegistry.sigmas()).as(c.get("id").asText()).containsExactly(direct.sigmas());
            assertThat(viaRegistry.config().algorithmType()).isEqualTo(direct.config().algorithmType());
            checked++;
        }
        assertThat(checked).isPositive();
    }

    /** Each model folder's scheduler_config.json reads, and the SDXL constant is what the fixture models ship. */
    @Test
    void modelSchedulerConfigs() throws IOException {
        Set<String> seen = new HashSet<>();
        for (Path model : Fixtures.models()) {
            Path f = model.resolve("diffusers/scheduler/scheduler_config.json");
            if (!Files.exists(f)) continue;
            SchedulerJson json = SchedulerConfig.readJson(f);
            for (Sampler s : Sampler.values()) {
                Scheduler sch = s.create(json, ScheduleType.DEFAULT, f.toString(), 28);
                assertThat(sch.timesteps()).hasSize(28);
            }
            seen.add(f.toString());
        }
        assertThat(seen).isNotEmpty();
        Path a = Fixtures.path("models/A/diffusers/scheduler/scheduler_config.json");
        if (Files.exists(a)) {
            SchedulerConfig fromFile = SchedulerConfig.fromJson(SchedulerType.EULER_DISCRETE, SchedulerConfig.readJson(a), "A");
            SchedulerConfig fromConstant = SchedulerConfig.fromJson(SchedulerType.EULER_DISCRETE, SchedulerConfig.sdxlJson(), "sdxl");
            assertThat(fromConstant.betaSchedule()).isEqualTo(fromFile.betaSchedule());
            assertThat(fromConstant.timestepSpacing()).isEqualTo(fromFile.timestepSpacing());
            assertThat(fromConstant.stepsOffset()).isEqualTo(fromFile.stepsOffset());
            assertThat(fromConstant.betaStart()).isEqualTo(fromFile.betaStart());
            assertThat(fromConstant.betaEnd()).isEqualTo(fromFile.betaEnd());
        }
    }
}
