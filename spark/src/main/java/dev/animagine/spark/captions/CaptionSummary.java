package dev.animagine.spark.captions;

import java.io.Serializable;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Counts over the captioned posts: per rating, year tag, quality tag and bucket. Partitions merge theirs. */
public final class CaptionSummary implements Serializable {
    private long posts;
    private long bucketsOutOfRange;
    private final Map<String, Long> ratings = new TreeMap<>();
    private final Map<String, Long> years = new TreeMap<>();
    private final Map<String, Long> qualities = new TreeMap<>();
    private final Map<String, Long> buckets = new TreeMap<>();

    void add(Caption caption, KohyaBuckets.Bucket bucket, boolean outOfRange) {
        posts++;
        if (outOfRange) bucketsOutOfRange++;
        ratings.merge(caption.ratingTag(), 1L, Long::sum);
        years.merge(caption.yearTag() == null ? "(none)" : caption.yearTag(), 1L, Long::sum);
        qualities.merge(caption.qualityTag(), 1L, Long::sum);
        buckets.merge(bucket.toString(), 1L, Long::sum);
    }

    CaptionSummary merge(CaptionSummary o) {
        posts += o.posts;
        bucketsOutOfRange += o.bucketsOutOfRange;
        o.ratings.forEach((k, v) -> ratings.merge(k, v, Long::sum));
        o.years.forEach((k, v) -> years.merge(k, v, Long::sum));
        o.qualities.forEach((k, v) -> qualities.merge(k, v, Long::sum));
        o.buckets.forEach((k, v) -> buckets.merge(k, v, Long::sum));
        return this;
    }

    public long posts() {
        return posts;
    }

    public long bucketsOutOfRange() {
        return bucketsOutOfRange;
    }

    public Map<String, Long> ratings() {
        return ratings;
    }

    public Map<String, Long> years() {
        return years;
    }

    public Map<String, Long> qualities() {
        return qualities;
    }

    public Map<String, Long> buckets() {
        return buckets;
    }

    /** The summary as printed at the end of the job. */
    public String render() {
        StringBuilder s = new StringBuilder();
        s.append("captioned ").append(posts).append(" posts\n");
        section(s, "rating", ratings);
        section(s, "year", years);
        section(s, "quality", qualities);
        section(s, "bucket", buckets);
        if (bucketsOutOfRange > 0)
            s.append(bucketsOutOfRange).append(" posts have a bucket side outside the minimum..maximum side\n");
        return s.toString();
    }

    private void section(StringBuilder s, String title, Map<String, Long> counts) {
        s.append(title).append(":\n");
        counts.forEach((k, v) -> s.append(String.format(Locale.ROOT, "  %-18s %9d  %5.1f%%%n", k, v, 100.0 * v / Math.max(1, posts))));
    }

    /** The summary as JSON (summary.json in the output). */
    public String toJson() {
        return "{\"posts\": " + posts + ", \"buckets_out_of_range\": " + bucketsOutOfRange
                + ", \"rating\": " + Json.object(ratings) + ", \"year\": " + Json.object(years)
                + ", \"quality\": " + Json.object(qualities) + ", \"bucket\": " + Json.object(buckets) + "}\n";
    }
}
