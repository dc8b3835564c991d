package dev.animagine.core.sampling.a1111;

import dev.animagine.core.InvalidArgumentException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A1111's samplers (v1.10.1 {@code sd_samplers_kdiffusion}, {@code sd_samplers_lcm},
 * {@code sd_samplers_timesteps}) with the options A1111 attaches to each: the default schedule
 * ("Automatic"), whether the next-to-last sigma is discarded, ENSD use, second order (two model
 * evaluations per step), Brownian-tree noise.
 */
public enum A1111Sampler {
    EULER_A("euler_a", "Euler a", "sample_euler_ancestral", null, false, true, false, false, "k_euler_a", "k_euler_ancestral"),
    EULER("euler", "Euler", "sample_euler", null, false, false, false, false, "k_euler"),
    LMS("lms", "LMS", "sample_lms", null, false, false, false, false, "k_lms"),
    HEUN("heun", "Heun", "sample_heun", null, false, false, true, false, "k_heun"),
    DPM2("dpm2", "DPM2", "sample_dpm_2", SigmaSchedule.KARRAS, true, false, true, false, "k_dpm_2"),
    DPM2_A("dpm2_a", "DPM2 a", "sample_dpm_2_ancestral", SigmaSchedule.KARRAS, true, true, true, false, "k_dpm_2_a"),
    DPMPP_2S_A("dpmpp_2s_a", "DPM++ 2S a", "sample_dpmpp_2s_ancestral", SigmaSchedule.KARRAS, false, true, true, false, "k_dpmpp_2s_a"),
    DPMPP_2M("dpmpp_2m", "DPM++ 2M", "sample_dpmpp_2m", SigmaSchedule.KARRAS, false, false, false, false, "k_dpmpp_2m"),
    DPMPP_SDE("dpmpp_sde", "DPM++ SDE", "sample_dpmpp_sde", SigmaSchedule.KARRAS, false, false, true, true, "k_dpmpp_sde"),
    DPMPP_2M_SDE("dpmpp_2m_sde", "DPM++ 2M SDE", "sample_dpmpp_2m_sde", SigmaSchedule.EXPONENTIAL, false, false, false, true, "k_dpmpp_2m_sde"),
    DPMPP_2M_SDE_HEUN("dpmpp_2m_sde_heun", "DPM++ 2M SDE Heun", null, SigmaSchedule.EXPONENTIAL, false, false, false, true, "k_dpmpp_2m_sde_heun"),
    DPMPP_3M_SDE("dpmpp_3m_sde", "DPM++ 3M SDE", "sample_dpmpp_3m_sde", SigmaSchedule.EXPONENTIAL, true, false, false, true, "k_dpmpp_3m_sde"),
    RESTART("restart", "Restart", "restart_sampler", SigmaSchedule.KARRAS, false, false, true, false, "restart"),
    LCM("lcm", "LCM", "sample_lcm", null, false, false, false, false, "k_lcm"),
    /** A1111's timestep DDIM (eta = {@code opts.eta_ddim}, 0): CFG on ε, no sigmas. */
    DDIM("ddim", "DDIM", null, null, false, false, false, false, "ddim"),
    /** A1111's timestep UniPC (bh1, order 3): CFG on ε, no sigmas. */
    UNIPC("unipc", "UniPC", null, null, false, false, false, false, "unipc");

    private final String id, label, function;
    private final SigmaSchedule defaultSchedule;
    private final boolean discardNextToLastSigma, usesEnsd, secondOrder, brownianNoise;
    private final List<String> aliases;

    A1111Sampler(String id, String label, String function, SigmaSchedule defaultSchedule, boolean discardNextToLastSigma,
                 boolean usesEnsd, boolean secondOrder, boolean brownianNoise, String... aliases) {
        this.id = id;
        this.label = label;
        this.function = function;
        this.defaultSchedule = defaultSchedule;
        this.discardNextToLastSigma = discardNextToLastSigma;
        this.usesEnsd = usesEnsd;
        this.secondOrder = secondOrder;
        this.brownianNoise = brownianNoise;
        this.aliases = List.of(aliases);
    }

    /** The command-line id, e.g. {@code dpmpp_2m}. */
    public String id() {
        return id;
    }

    /** A1111's display name (written as {@code Sampler:} in the infotext), e.g. {@code DPM++ 2M}. */
    public String label() {
        return label;
    }

    /** A1111's aliases of this sampler (its {@code SamplerData.aliases}), e.g. {@code k_dpmpp_2m}. */
    public List<String> aliases() {
        return aliases;
    }

    /** The schedule "Automatic" means for this sampler; null = the model's own ({@link SigmaModel#getSigmas}). */
    public SigmaSchedule defaultSchedule() {
        return defaultSchedule;
    }

    public boolean discardNextToLastSigma() {
        return discardNextToLastSigma;
    }

    /** Whether the sampler draws ancestral noise from the image RNG after the first draw (so ENSD matters). */
    public boolean usesEnsd() {
        return usesEnsd;
    }

    /** Two model evaluations per step: A1111 doubles the step count of prompt-editing schedules. */
    public boolean secondOrder() {
        return secondOrder;
    }

    /** Noise from a Brownian tree seeded by the image seed instead of the image RNG. */
    public boolean brownianNoise() {
        return brownianNoise;
    }

    /** Samplers on timesteps (DDIM, UniPC) rather than sigmas. */
    public boolean timestepBased() {
        return this == DDIM || this == UNIPC;
    }

    /** A sampler with the schedule a name asked for ("DPM++ 2M Karras" → DPM++ 2M + Karras). */
    public record Choice(A1111Sampler sampler, SigmaSchedule schedule) {}

    /**
     * By A1111 display name ("DPM++ 2M"), A1111 alias ("k_dpmpp_2m"), k-diffusion function
     * ("sample_dpmpp_2m" or "dpmpp_2m"), or id, case-insensitively, optionally followed by a schedule
     * label as in A1111's old combined names ("DPM++ 2M Karras", "Euler a SGM Uniform"), which then
     * overrides {@code schedule}.
     *
     * @param schedule the schedule asked for separately (null = Automatic)
     */
    public static Choice parse(String name, String schedule) {
        SigmaSchedule s = schedule == null || schedule.isBlank() ? SigmaSchedule.AUTOMATIC : SigmaSchedule.byName(schedule);
        String n = name == null ? "" : name.trim();
        A1111Sampler direct = find(n);
        if (direct != null) return new Choice(direct, s);
        for (SigmaSchedule sc : SigmaSchedule.values()) {
            List<String> suffixes = new ArrayList<>(sc.aliases());
            suffixes.add(sc.label());
            for (String suffix : suffixes) {
                String tail = " " + suffix.toLowerCase(java.util.Locale.ROOT);
                if (n.toLowerCase(java.util.Locale.ROOT).endsWith(tail)) {
                    A1111Sampler base = find(n.substring(0, n.length() - tail.length()));
                    if (base != null) return new Choice(base, sc);
                }
            }
        }
        throw new InvalidArgumentException("unknown sampler '" + name + "' (valid: "
                + Arrays.stream(values()).map(A1111Sampler::label).collect(Collectors.joining(", ")) + ")");
    }

    /** By name alone (see {@link #parse}); an unknown name is a one-line usage error. */
    public static A1111Sampler byName(String name) {
        return parse(name, null).sampler();
    }

    private static A1111Sampler find(String name) {
        String n = SigmaSchedule.normalize(name);
        for (A1111Sampler s : values()) {
            if (SigmaSchedule.normalize(s.id).equals(n) || SigmaSchedule.normalize(s.label).equals(n)) return s;
            for (String a : s.aliases) if (SigmaSchedule.normalize(a).equals(n)) return s;
            if (s.function != null && (SigmaSchedule.normalize(s.function).equals(n)
                    || (s.function.startsWith("sample_") && SigmaSchedule.normalize(s.function.substring(7)).equals(n)))) return s;
        }
        return null;
    }
}
