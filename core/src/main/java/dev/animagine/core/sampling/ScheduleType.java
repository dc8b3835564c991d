package dev.animagine.core.sampling;

import dev.animagine.core.InvalidArgumentException;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The noise schedule a sampler runs on: A1111's "Schedule type". */
public enum ScheduleType {
    /** The scheduler config's own schedule (A1111 "Automatic"); for SDXL, not Karras. */
    DEFAULT("default", "Automatic"),
    /** Karras et al. (2022) sigmas, ρ = 7 ({@code use_karras_sigmas=True}). */
    KARRAS("karras", "Karras");

    private final String id, a1111Name;

    ScheduleType(String id, String a1111Name) {
        this.id = id;
        this.a1111Name = a1111Name;
    }

    /** The command-line id: {@code default} or {@code karras}. */
    public String id() {
        return id;
    }

    /** The name A1111 writes after {@code Schedule type:}. */
    public String a1111Name() {
        return a1111Name;
    }

    /** By id or A1111 name, case-insensitively; unknown names list the valid ids. */
    public static ScheduleType byId(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        for (ScheduleType s : values()) if (s.id.equals(n) || s.a1111Name.toLowerCase(Locale.ROOT).equals(n)) return s;
        throw new InvalidArgumentException("unknown schedule '" + name + "' (valid: "
                + Arrays.stream(values()).map(ScheduleType::id).collect(Collectors.joining(", ")) + ")");
    }
}
