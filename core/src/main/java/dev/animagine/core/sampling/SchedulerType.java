package dev.animagine.core.sampling;

import java.util.Arrays;
import java.util.Optional;

/** The diffusers scheduler classes implemented here, by their {@code _class_name}. */
public enum SchedulerType {
    EULER_DISCRETE("EulerDiscreteScheduler"),
    EULER_ANCESTRAL_DISCRETE("EulerAncestralDiscreteScheduler"),
    DPM_SOLVER_MULTISTEP("DPMSolverMultistepScheduler"),
    DDIM("DDIMScheduler"),
    UNIPC_MULTISTEP("UniPCMultistepScheduler");

    private final String className;

    SchedulerType(String className) {
        this.className = className;
    }

    /** diffusers' class name, e.g. {@code EulerDiscreteScheduler}. */
    public String className() {
        return className;
    }

    public static Optional<SchedulerType> fromClassName(String name) {
        return Arrays.stream(values()).filter(t -> t.className.equals(name)).findFirst();
    }

    /** A fresh scheduler of this class (call {@link Scheduler#setTimesteps} next). */
    public Scheduler create(SchedulerConfig config) {
        return switch (this) {
            case EULER_DISCRETE -> new EulerDiscreteScheduler(config);
            case EULER_ANCESTRAL_DISCRETE -> new EulerAncestralDiscreteScheduler(config);
            case DPM_SOLVER_MULTISTEP -> new DPMSolverMultistepScheduler(config);
            case DDIM -> new DDIMScheduler(config);
            case UNIPC_MULTISTEP -> new UniPCMultistepScheduler(config);
        };
    }
}
