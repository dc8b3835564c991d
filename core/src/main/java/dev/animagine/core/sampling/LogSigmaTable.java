package dev.animagine.core.sampling;

/**
 * The training noise levels σ_t = sqrt((1 − ᾱ_t) / ᾱ_t) and their logs, in float32, with the
 * lookup both diffusers ({@code _sigma_to_t}) and k-diffusion ({@code sigma_to_t}) do: the
 * neighbouring training timesteps of a log σ and the linear weight between them.
 */
final class LogSigmaTable {
    final float[] sigmas, logSigmas;

    /** Where a log σ falls: between timesteps {@code low} and {@code low + 1}, weight {@code w} on the upper one. */
    record Position(int low, float w) {}

    LogSigmaTable(float[] alphasCumprod) {
        sigmas = new float[alphasCumprod.length];
        logSigmas = new float[alphasCumprod.length];
        for (int i = 0; i < sigmas.length; i++) {
            float a = alphasCumprod[i];
            sigmas[i] = (float) Math.sqrt((1f - a) / a);
            logSigmas[i] = (float) Math.log(sigmas[i]);
        }
    }

    /**
     * low = the last index with log σ_i <= logSigma (argmax of the cumulative count, as the
     * references compute it), at most n − 2; w clamped to [0, 1].
     */
    Position interpolate(float logSigma) {
        int n = logSigmas.length, count = 0, low = 0, best = 0;
        for (int i = 0; i < n; i++) {
            if (logSigma - logSigmas[i] >= 0) count++;
            if (count > best) {
                best = count;
                low = i;
            }
        }
        low = Math.min(low, n - 2);
        float lo = logSigmas[low], hi = logSigmas[low + 1];
        float w = (lo - logSigma) / (lo - hi);
        return new Position(low, Math.max(0f, Math.min(1f, w)));
    }

    /** The training timestep whose log σ is nearest (the first on ties). */
    int nearest(float logSigma) {
        int best = 0;
        float bestDist = Float.POSITIVE_INFINITY;
        for (int i = 0; i < logSigmas.length; i++) {
            float d = Math.abs(logSigma - logSigmas[i]);
            if (d < bestDist) {
                bestDist = d;
                best = i;
            }
        }
        return best;
    }
}
