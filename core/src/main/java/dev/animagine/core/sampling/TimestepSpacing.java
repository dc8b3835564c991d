package dev.animagine.core.sampling;

import dev.animagine.core.InvalidArgumentException;

/**
 * How diffusers picks the inference timesteps out of the training ones ({@code timestep_spacing},
 * Lin et al. 2023, table 2), descending, with numpy's float64 arithmetic and half-to-even rounding.
 */
final class TimestepSpacing {
    private TimestepSpacing() {}

    /**
     * Euler's and DDIM's n timesteps. {@code linspace} values are fractional unless {@code roundLinspace}
     * (DDIM rounds them; Euler keeps them and casts to float32).
     */
    static double[] single(SchedulerConfig c, int n, boolean roundLinspace) {
        int T = c.numTrainTimesteps();
        double[] t;
        switch (c.timestepSpacing()) {
            case "linspace" -> {
                t = reversed(NumpyFloat64.linspace(0, T - 1, n));
                if (roundLinspace) for (int i = 0; i < t.length; i++) t[i] = NumpyFloat64.round(t[i]);
                else for (int i = 0; i < t.length; i++) t[i] = (float) t[i];
            }
            case "leading" -> {
                int ratio = T / n;
                t = new double[n];
                for (int i = 0; i < n; i++) t[i] = (double) (n - 1 - i) * ratio + c.stepsOffset();
            }
            case "trailing" -> t = trailing(T, T, n);
            default -> throw new IllegalStateException(c.timestepSpacing());
        }
        return t;
    }

    /**
     * DPM-Solver's and UniPC's: n + 1 points over [0, lastTimestep), the lowest dropped
     * ({@code leading} and {@code linspace}), or the trailing grid of n.
     */
    static double[] multistep(SchedulerConfig c, int lastTimestep, int n) {
        int T = c.numTrainTimesteps();
        return switch (c.timestepSpacing()) {
            case "linspace" -> {
                double[] g = NumpyFloat64.linspace(0, lastTimestep - 1, n + 1);
                double[] t = new double[n];
                for (int i = 0; i < n; i++) t[i] = NumpyFloat64.round(g[n - i]);
                yield t;
            }
            case "leading" -> {
                int ratio = lastTimestep / (n + 1);
                double[] t = new double[n];
                for (int i = 0; i < n; i++) t[i] = (double) (n - i) * ratio + c.stepsOffset();
                yield t;
            }
            case "trailing" -> trailing(T, lastTimestep, n);
            default -> throw new IllegalStateException(c.timestepSpacing());
        };
    }

    /** {@code round(arange(from, 0, -T / n)) - 1}. */
    private static double[] trailing(int T, int from, int n) {
        double[] t = NumpyFloat64.arange(from, 0, -((double) T / n));
        for (int i = 0; i < t.length; i++) t[i] = NumpyFloat64.round(t[i]) - 1;
        return t;
    }

    static void checkSteps(int n, SchedulerConfig c) {
        if (n < 1) throw new InvalidArgumentException("number of steps must be at least 1, not " + n);
        if (n > c.numTrainTimesteps())
            throw new InvalidArgumentException("number of steps " + n + " exceeds the " + c.numTrainTimesteps() + " training timesteps");
    }

    private static double[] reversed(double[] a) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) r[i] = a[a.length - 1 - i];
        return r;
    }
}
