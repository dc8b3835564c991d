package dev.animagine.core.service;

import dev.animagine.core.InvalidRequestException;

/**
 * A1111's seed and sampler settings beyond sampler, schedule, steps and CFG (A1111 mode only; the
 * diffusers mode refuses anything but the defaults). Errors name the request field.
 *
 * @param subseed         variation seed ("Variation seed"); -1 picks one at random
 * @param subseedStrength variation strength in [0, 1] (A1111's slerp of the two noises); 0 = off
 * @param seedResizeFromW "Seed resize from" width in pixels; 0 = off (with the height)
 * @param seedResizeFromH "Seed resize from" height in pixels
 * @param ensd            eta noise seed delta (A1111's "ENSD"); 0 = off
 * @param sMinUncond      "Negative Guidance minimum sigma" (NGMS); 0 = off
 * @param eta             ancestral/SDE eta (A1111's default 1), or DDIM's (default 0) for DDIM; null = default
 * @param sNoise          noise multiplier (default 1)
 * @param sChurn          Euler/Heun/DPM2 churn (default 0)
 * @param sTmin           churn range minimum σ (default 0)
 * @param sTmax           churn range maximum σ (default 0 = infinity)
 * @param sMinUncondAll   NGMS on every step, not every other ("NGMS all steps")
 * @param sigmaMin        schedule's minimum σ ("Schedule min sigma"); 0 = the model's
 * @param sigmaMax        schedule's maximum σ ("Schedule max sigma"); 0 = the model's
 * @param rho             Karras/Polyexponential ρ ("Schedule rho"); 0 = the schedule's own
 * @param betaAlpha       Beta schedule α (A1111's default 0.6)
 * @param betaBeta        Beta schedule β (A1111's default 0.6)
 * @param discardPenultimateSigma always drop the next-to-last σ ("Discard penultimate sigma")
 */
public record SamplingOptions(long subseed, double subseedStrength, int seedResizeFromW, int seedResizeFromH, long ensd,
                              double sMinUncond, Double eta, double sNoise, double sChurn, double sTmin, double sTmax,
                              boolean sMinUncondAll, double sigmaMin, double sigmaMax, double rho, double betaAlpha, double betaBeta,
                              boolean discardPenultimateSigma) {
    public static final SamplingOptions DEFAULTS = new SamplingOptions(-1, 0, 0, 0, 0, 0, null, 1, 0, 0, 0);

    /** With A1111's default schedule settings. */
    public SamplingOptions(long subseed, double subseedStrength, int seedResizeFromW, int seedResizeFromH, long ensd,
                           double sMinUncond, Double eta, double sNoise, double sChurn, double sTmin, double sTmax) {
        this(subseed, subseedStrength, seedResizeFromW, seedResizeFromH, ensd, sMinUncond, eta, sNoise, sChurn, sTmin, sTmax,
                false, 0, 0, 0, 0.6, 0.6, false);
    }

    /** Whether anything differs from A1111's defaults. */
    public boolean anySet() {
        return subseedStrength != 0 || seedResizeFromW != 0 || seedResizeFromH != 0 || ensd != 0 || sMinUncond != 0 || eta != null
                || sNoise != 1 || sChurn != 0 || sTmin != 0 || sTmax != 0 || sMinUncondAll || sigmaMin != 0 || sigmaMax != 0 || rho != 0
                || betaAlpha != 0.6 || betaBeta != 0.6 || discardPenultimateSigma;
    }

    void validate() {
        if (!(subseedStrength >= 0 && subseedStrength <= 1))
            throw new InvalidRequestException("subseedStrength", "must be between 0 and 1 (got " + subseedStrength + ")");
        boolean resize = seedResizeFromW != 0 || seedResizeFromH != 0;
        if (resize && (seedResizeFromW <= 0 || seedResizeFromH <= 0))
            throw new InvalidRequestException("seedResizeFrom", "must be positive (got " + seedResizeFromW + "x" + seedResizeFromH + ")");
        if (subseed < -1) throw new InvalidRequestException("subseed", "must be -1 (random) or non-negative (got " + subseed + ")");
        nonNegative("sMinUncond", sMinUncond);
        if (eta != null) nonNegative("eta", eta);
        nonNegative("sNoise", sNoise);
        nonNegative("sChurn", sChurn);
        nonNegative("sTmin", sTmin);
        nonNegative("sTmax", sTmax);
        nonNegative("sigmaMin", sigmaMin);
        nonNegative("sigmaMax", sigmaMax);
        nonNegative("rho", rho);
        if (!(betaAlpha > 0) || !Double.isFinite(betaAlpha)) throw new InvalidRequestException("betaAlpha", "must be positive (got " + betaAlpha + ")");
        if (!(betaBeta > 0) || !Double.isFinite(betaBeta)) throw new InvalidRequestException("betaBeta", "must be positive (got " + betaBeta + ")");
    }

    /** These options with the schedule settings pasted parameters name. */
    public SamplingOptions withSchedule(boolean sMinUncondAll, double sigmaMin, double sigmaMax, double rho, double betaAlpha, double betaBeta,
                                        boolean discardPenultimateSigma) {
        return new SamplingOptions(subseed, subseedStrength, seedResizeFromW, seedResizeFromH, ensd, sMinUncond, eta, sNoise, sChurn, sTmin,
                sTmax, sMinUncondAll, sigmaMin, sigmaMax, rho, betaAlpha, betaBeta, discardPenultimateSigma);
    }

    private static void nonNegative(String field, double v) {
        if (!Double.isFinite(v) || v < 0) throw new InvalidRequestException(field, "must be a non-negative number (got " + v + ")");
    }

    public SamplingOptions withSubseed(long v) {
        return new SamplingOptions(v, subseedStrength, seedResizeFromW, seedResizeFromH, ensd, sMinUncond, eta, sNoise, sChurn, sTmin, sTmax,
                sMinUncondAll, sigmaMin, sigmaMax, rho, betaAlpha, betaBeta, discardPenultimateSigma);
    }
}
