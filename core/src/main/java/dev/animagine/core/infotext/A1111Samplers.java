package dev.animagine.core.infotext;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A1111's sampler and schedule names as infotexts carry them (modules/sd_samplers.py
 * {@code get_sampler_and_scheduler}, modules/sd_schedulers.py): old combined names such as
 * "DPM++ 2M Karras" end with a schedule's label, name or alias, and "Automatic" means the
 * sampler's own default schedule.
 */
public final class A1111Samplers {
    /** A1111 schedule: label, the ids A1111 also accepts (name, aliases). Order as A1111 lists them. */
    private record Schedule(String label, List<String> names) {}

    private static final List<Schedule> SCHEDULES = List.of(
            new Schedule("Automatic", List.of("automatic")),
            new Schedule("Uniform", List.of("uniform")),
            new Schedule("Karras", List.of("karras")),
            new Schedule("Exponential", List.of("exponential")),
            new Schedule("Polyexponential", List.of("polyexponential")),
            new Schedule("SGM Uniform", List.of("sgm_uniform", "SGMUniform")),
            new Schedule("KL Optimal", List.of("kl_optimal")),
            new Schedule("Align Your Steps", List.of("align_your_steps")),
            new Schedule("Simple", List.of("simple")),
            new Schedule("Normal", List.of("normal")),
            new Schedule("DDIM", List.of("ddim")),
            new Schedule("Beta", List.of("beta")),
            new Schedule("Turbo", List.of("turbo")));

    /** The schedule "Automatic" stands for, per sampler (sd_samplers_kdiffusion.py options['scheduler'], A1111 1.9+). */
    private static final Map<String, String> DEFAULT_SCHEDULE = Map.of(
            "DPM++ 2M", "Karras",
            "DPM++ SDE", "Karras",
            "DPM++ 2M SDE", "Exponential",
            "DPM++ 2M SDE Heun", "Exponential",
            "DPM++ 2S a", "Karras",
            "DPM++ 3M SDE", "Exponential",
            "DPM2", "Karras",
            "DPM2 a", "Karras",
            "Restart", "Karras");

    private A1111Samplers() {}

    /** A sampler label and the schedule its name carried (null when none). */
    public record Split(String sampler, String schedule) {}

    /**
     * Splits an old combined name: "DPM++ 2M Karras" -> ("DPM++ 2M", "Karras"), "DPM2 a Karras" ->
     * ("DPM2 a", "Karras"); a plain name comes back unchanged with a null schedule. Case-insensitive,
     * as Forge compares (A1111 compares case-sensitively; its own names always match).
     */
    public static Split split(String name) {
        String rest = name.strip();
        String found = null;
        for (Schedule s : SCHEDULES) {
            for (String option : options(s)) {
                String suffix = " " + option.toLowerCase(Locale.ROOT);
                if (rest.toLowerCase(Locale.ROOT).endsWith(suffix) && rest.length() > suffix.length()) {
                    found = s.label;
                    rest = rest.substring(0, rest.length() - suffix.length());
                    break;
                }
            }
        }
        return new Split(rest, found);
    }

    private static List<String> options(Schedule s) {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(s.label), s.names.stream()).toList();
    }

    /** The A1111 label for a schedule label, name or alias (case-insensitive); null when A1111 has none. */
    public static String scheduleLabel(String name) {
        String n = name.strip();
        for (Schedule s : SCHEDULES)
            for (String option : options(s))
                if (option.equalsIgnoreCase(n)) return s.label;
        return null;
    }

    /** The schedule A1111 runs for "Automatic" with this sampler: its default, else "Uniform" (the model's own sigmas). */
    public static String automaticSchedule(String sampler) {
        return DEFAULT_SCHEDULE.getOrDefault(sampler, "Uniform");
    }
}
