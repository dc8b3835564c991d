package dev.animagine.core.sampling;

import dev.animagine.core.InvalidArgumentException;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The samplers a user can pick, with their command-line ids and the names A1111 shows (and writes
 * into PNG infotext), each backed by the diffusers scheduler it means in diffusers-compatible mode.
 */
public enum Sampler {
    EULER("euler", "Euler", SchedulerType.EULER_DISCRETE, true),
    EULER_A("euler_a", "Euler a", SchedulerType.EULER_ANCESTRAL_DISCRETE, false),
    DPMPP_2M("dpmpp_2m", "DPM++ 2M", SchedulerType.DPM_SOLVER_MULTISTEP, true),
    DDIM("ddim", "DDIM", SchedulerType.DDIM, false),
    UNIPC("unipc", "UniPC", SchedulerType.UNIPC_MULTISTEP, true);

    private final String id, a1111Name;
    private final SchedulerType schedulerType;
    private final boolean karras;

    Sampler(String id, String a1111Name, SchedulerType schedulerType, boolean karras) {
        this.id = id;
        this.a1111Name = a1111Name;
        this.schedulerType = schedulerType;
        this.karras = karras;
    }

    /** The command-line id, e.g. {@code euler_a}. */
    public String id() {
        return id;
    }

    /** The name A1111 shows, e.g. {@code Euler a}. */
    public String a1111Name() {
        return a1111Name;
    }

    public SchedulerType schedulerType() {
        return schedulerType;
    }

    /** Whether diffusers v0.27.2 offers this sampler with the given schedule (Euler a and DDIM have no Karras). */
    public boolean supports(ScheduleType schedule) {
        return schedule == ScheduleType.DEFAULT || karras;
    }

    /** By id or A1111 name, case-insensitively; an unknown name is a usage error listing the valid ids. */
    public static Sampler byId(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        for (Sampler s : values()) if (s.id.equals(n) || s.a1111Name.toLowerCase(Locale.ROOT).equals(n)) return s;
        throw new InvalidArgumentException("unknown sampler '" + name + "' (valid: " + ids() + ")");
    }

    /** The valid ids, comma separated. */
    public static String ids() {
        return Arrays.stream(values()).map(Sampler::id).collect(Collectors.joining(", "));
    }

    /**
     * The config this sampler runs with: the model's {@code scheduler_config.json} as diffusers'
     * {@code from_config} carries it over to this sampler's class (DPM++ 2M forces
     * {@code algorithm_type="dpmsolver++"}, {@code solver_order=2}; Karras sets
     * {@code use_karras_sigmas=True}).
     *
     * @param modelConfig the model's scheduler config, or {@link SchedulerConfig#sdxlJson()}
     * @param origin      where it comes from, for error messages
     */
    public SchedulerConfig config(SchedulerJson modelConfig, ScheduleType schedule, String origin) {
        if (!supports(schedule))
            throw new InvalidArgumentException("sampler " + id + " has no " + schedule.id() + " schedule (with "
                    + schedule.id() + ": " + Arrays.stream(values()).filter(s -> s.supports(schedule)).map(Sampler::id)
                    .collect(Collectors.joining(", ")) + ")");
        Map<String, Object> overrides = new LinkedHashMap<>();
        if (this == DPMPP_2M) {
            overrides.put("algorithm_type", "dpmsolver++");
            overrides.put("solver_order", 2);
        }
        if (schedule == ScheduleType.KARRAS) overrides.put("use_karras_sigmas", true);
        return SchedulerConfig.fromJson(schedulerType, modelConfig, overrides, origin);
    }

    /** A fresh scheduler for one image: {@code config(...)} then {@code setTimesteps(steps)}. */
    public Scheduler create(SchedulerJson modelConfig, ScheduleType schedule, String origin, int steps) {
        Scheduler s = schedulerType.create(config(modelConfig, schedule, origin));
        s.setTimesteps(steps);
        return s;
    }
}
