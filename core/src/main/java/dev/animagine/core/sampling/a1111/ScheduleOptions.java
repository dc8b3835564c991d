package dev.animagine.core.sampling.a1111;

/**
 * The A1111 settings that shape the sigmas (Settings → Sampler parameters), with A1111's defaults in
 * {@link #DEFAULTS}. A zero sigma or rho means "the model's / the schedule's own".
 *
 * @param sigmaMin                       {@code opts.sigma_min}
 * @param sigmaMax                       {@code opts.sigma_max}
 * @param rho                            {@code opts.rho}
 * @param alwaysDiscardNextToLastSigma   {@code opts.always_discard_next_to_last_sigma}
 * @param useOldKarrasSchedulerSigmas    {@code opts.use_old_karras_scheduler_sigmas} (σ range 0.1 to 10)
 * @param betaDistAlpha                  {@code opts.beta_dist_alpha}
 * @param betaDistBeta                   {@code opts.beta_dist_beta}
 */
public record ScheduleOptions(double sigmaMin, double sigmaMax, double rho, boolean alwaysDiscardNextToLastSigma,
                              boolean useOldKarrasSchedulerSigmas, double betaDistAlpha, double betaDistBeta) {
    public static final ScheduleOptions DEFAULTS = new ScheduleOptions(0, 0, 0, false, false, 0.6, 0.6);
}
