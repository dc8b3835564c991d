package dev.animagine.core.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.animagine.core.sampling.Sampler;
import dev.animagine.core.sampling.ScheduleType;
import dev.animagine.core.sampling.SchedulerType;

import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What a case of pipeline/index.json asked diffusers for, in the engine's terms. */
public final class PipelineCases {
    private static final Pattern SEED = Pattern.compile("manual_seed\\((\\d+)\\)");

    private PipelineCases() {}

    /** The sampler whose diffusers scheduler the case ran ({@code "scheduler": "EulerAncestralDiscreteScheduler"}). */
    public static Sampler sampler(JsonNode c) {
        SchedulerType type = SchedulerType.fromClassName(c.get("scheduler").asText()).orElseThrow();
        return Arrays.stream(Sampler.values()).filter(s -> s.schedulerType() == type).findFirst().orElseThrow();
    }

    /** Karras when the case's scheduler config says {@code use_karras_sigmas}. */
    public static ScheduleType schedule(JsonNode c) {
        return c.get("scheduler_config").path("use_karras_sigmas").asBoolean(false) ? ScheduleType.KARRAS : ScheduleType.DEFAULT;
    }

    /** The seed of {@code "generator": "torch.Generator('cpu').manual_seed(42)"}. */
    public static long seed(JsonNode c) {
        Matcher m = SEED.matcher(c.get("pipeline_args").get("generator").asText());
        if (!m.find()) throw new IllegalArgumentException(c.get("pipeline_args").get("generator").asText());
        return Long.parseLong(m.group(1));
    }
}
