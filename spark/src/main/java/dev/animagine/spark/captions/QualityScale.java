package dev.animagine.spark.captions;

import dev.animagine.core.InvalidArgumentException;
import dev.animagine.core.animagine.AnimagineVersion;
import dev.animagine.core.animagine.Conventions;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The quality tag a post's score earns: its percentile among the posts of the same rating, cut at
 * {@code percentiles} (best tier first). A score strictly above the score at the first percentile gets
 * the first tag, above the second the second, and so on; the last tag takes the rest.
 *
 * <p>3.1 writes its seven quality tags at the card's cut points (> 95%, 85%, 75%, 50%, 25%, 10%). 4.0
 * writes its six score tags; its card names them without cut points, so the defaults here are
 * > 90%, 75%, 50%, 25%, 10% (options: {@code --percentiles}).
 *
 * @param tags        best first, one more than the percentiles
 * @param percentiles strictly decreasing, each in (0, 1)
 */
public record QualityScale(List<String> tags, List<Double> percentiles) implements Serializable {
    public static final List<Double> V3_1_PERCENTILES = List.of(0.95, 0.85, 0.75, 0.50, 0.25, 0.10);
    public static final List<Double> V4_0_PERCENTILES = List.of(0.90, 0.75, 0.50, 0.25, 0.10);

    public QualityScale {
        tags = List.copyOf(tags);
        percentiles = List.copyOf(percentiles);
        if (tags.size() != percentiles.size() + 1)
            throw new InvalidArgumentException("--percentiles " + format(percentiles) + ": expected " + (tags.size() - 1)
                    + " cut points for the tags " + String.join(", ", tags));
        for (int i = 0; i < percentiles.size(); i++) {
            double p = percentiles.get(i);
            if (!(p > 0 && p < 1) || (i > 0 && p >= percentiles.get(i - 1)))
                throw new InvalidArgumentException("--percentiles " + format(percentiles)
                        + ": expected strictly decreasing values between 0 and 1, best tier first");
        }
    }

    /** The version's tags with its default cut points, or with {@code percentiles} when not null. */
    public static QualityScale of(AnimagineVersion version, List<Double> percentiles) {
        Conventions c = version.conventions();
        return switch (version) {
            case V3_1 -> new QualityScale(c.qualityTags(), percentiles != null ? percentiles : V3_1_PERCENTILES);
            case V4_0 -> new QualityScale(c.scoreTags(), percentiles != null ? percentiles : V4_0_PERCENTILES);
            case V3_0 -> throw new InvalidArgumentException("--version 3.0: dataset captions are written for 4 or 3.1");
        };
    }

    /** The tag for a score given the scores at each percentile (same order as {@link #percentiles}). */
    public String tag(double score, double[] cutScores) {
        for (int i = 0; i < cutScores.length; i++) {
            if (score > cutScores[i]) return tags.get(i);
        }
        return tags.getLast();
    }

    public double[] percentileArray() {
        return percentiles.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** The {@code --percentiles} flag: comma-separated fractions or percents, e.g. 0.9,0.75 or 90,75. */
    public static List<Double> parse(String flag) {
        List<Double> values = new ArrayList<>();
        for (String part : flag.split(",")) {
            String s = part.strip();
            boolean percent = s.endsWith("%");
            if (percent) s = s.substring(0, s.length() - 1).strip();
            double v;
            try {
                v = Double.parseDouble(s);
            } catch (NumberFormatException e) {
                throw new InvalidArgumentException("--percentiles " + flag + ": '" + part.strip() + "' is not a number");
            }
            values.add(percent || v > 1 ? v / 100 : v);
        }
        return values;
    }

    private static String format(List<Double> ps) {
        List<String> s = new ArrayList<>();
        for (double p : ps) s.add(String.format(Locale.ROOT, "%.4g", p));
        return String.join(",", s);
    }
}
