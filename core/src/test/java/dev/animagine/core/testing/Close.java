package dev.animagine.core.testing;

import org.assertj.core.api.Assertions;

/** Element-wise comparison with an absolute + relative tolerance, reporting the worst element. */
public final class Close {
    private Close() {}

    /** Max |a - e| over all elements. */
    public static double maxAbsDiff(float[] actual, float[] expected) {
        double m = 0;
        for (int i = 0; i < actual.length; i++) m = Math.max(m, Math.abs((double) actual[i] - expected[i]));
        return m;
    }

    /**
     * Asserts |a - e| <= atol + rtol * |e| for every element (and equal lengths, and no NaN). With
     * {@code ANIMAGINE_REPORT_DIFFS=1} in the environment each comparison prints its max |diff| (figures for notes).
     */
    public static void assertClose(String what, float[] actual, float[] expected, double atol, double rtol) {
        Assertions.assertThat(actual.length).as(what + ": element count").isEqualTo(expected.length);
        int worst = -1;
        double worstExcess = 0, maxDiff = 0;
        for (int i = 0; i < actual.length; i++) {
            double d = Math.abs((double) actual[i] - expected[i]);
            // NaN or infinity on either side is never close (NaN would compare false and pass)
            if (!Float.isFinite(actual[i]) || !Float.isFinite(expected[i])) d = Double.POSITIVE_INFINITY;
            maxDiff = Math.max(maxDiff, d);
            double excess = d == Double.POSITIVE_INFINITY ? d : d - (atol + rtol * Math.abs(expected[i]));
            if (excess > worstExcess) {
                worstExcess = excess;
                worst = i;
            }
        }
        if (Boolean.getBoolean("animagine.reportDiffs") || System.getenv("ANIMAGINE_REPORT_DIFFS") != null)
            System.out.printf("max |diff| %-28s %.3g (n=%d)%n", what, maxDiff, actual.length);
        if (worst >= 0)
            Assertions.fail("%s: element %d is %s, expected %s (|diff| %.3g > atol %.1g + rtol %.1g; max |diff| %.3g)",
                    what, worst, actual[worst], expected[worst], Math.abs(actual[worst] - expected[worst]), atol, rtol, maxDiff);
    }
}
