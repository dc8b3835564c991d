package dev.animagine.core.animagine;

import dev.animagine.core.InvalidArgumentException;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One Animagine version's tag conventions, as its model card states them (see {@link ModelCards}).
 *
 * @param modelName            "Animagine XL 4.0"
 * @param qualityTags          the quality modifiers, best first
 * @param scoreTags            4.0's score tags, best first (empty before 4.0)
 * @param aestheticTags        3.1's aesthetic tags, best first (empty elsewhere)
 * @param ratingTags           the tags that write each Danbooru rating
 * @param yearTags             the temporal tags and the years each covers
 * @param qualityEnhancement   what {@code --quality on} adds
 * @param qualityPlacement     where quality tags go
 * @param defaultNegative      the card's negative prompt
 * @param generalRatingNegative what the card says to add to the negative when a general image is
 *                             wanted (3.0: {@code nsfw, rating: sensitive})
 * @param recommended          the card's sampler, steps and CFG
 */
public record Conventions(
        String modelName,
        List<String> qualityTags,
        List<String> scoreTags,
        List<String> aestheticTags,
        Map<Rating, List<String>> ratingTags,
        List<YearRange> yearTags,
        List<String> qualityEnhancement,
        QualityPlacement qualityPlacement,
        String defaultNegative,
        List<String> generalRatingNegative,
        Recommended recommended) {

    public List<String> ratingTags(Rating rating) {
        return ratingTags.get(rating);
    }

    /** The temporal tag for a posting year, or an error naming the years this version knows. */
    public String yearTag(int year) {
        for (YearRange r : yearTags) {
            if (r.contains(year)) return r.tag();
        }
        throw new InvalidArgumentException("--year " + year + ": " + modelName + " has year tags for " + yearSpan() + " only");
    }

    /** The year range a temporal tag of this version stands for. */
    public Optional<YearRange> yearRange(String tag) {
        return yearTags.stream().filter(r -> r.tag().equals(tag)).findFirst();
    }

    /** The rating a tag of this version writes ({@code nsfw} is questionable's first tag where it is shared). */
    public Optional<Rating> ratingOf(String tag) {
        for (Rating r : Rating.values()) {
            if (ratingTags(r).contains(tag)) return Optional.of(r);
        }
        return Optional.empty();
    }

    /**
     * Every special tag this version was trained with: quality, score, aesthetic, rating and year
     * tags. A tag here but not in another version's set is one the other version does not know.
     */
    public Set<String> specialTags() {
        Set<String> s = new LinkedHashSet<>(qualityTags);
        s.addAll(scoreTags);
        s.addAll(aestheticTags);
        ratingTags.values().forEach(s::addAll);
        yearTags.forEach(y -> s.add(y.tag()));
        return s;
    }

    /**
     * The tags that belong with the quality tags at their place in the template: the quality,
     * score and aesthetic tags and whatever {@code --quality} adds ({@code absurdres}).
     */
    public Set<String> qualityFamily() {
        Set<String> s = new LinkedHashSet<>(qualityEnhancement);
        s.addAll(qualityTags);
        s.addAll(scoreTags);
        s.addAll(aestheticTags);
        return s;
    }

    /** True when the bare tag is one of this version's temporal tags. */
    public boolean isYearTag(String bare) {
        return yearTags.stream().anyMatch(y -> y.tag().equals(bare));
    }

    /** True when the bare tag writes a rating in this version. */
    public boolean isRatingTag(String bare) {
        return ratingOf(bare).isPresent();
    }

    /** The years covered, as "2005 to 2025", for messages. */
    String yearSpan() {
        int first = yearTags.stream().mapToInt(YearRange::from).min().orElseThrow();
        int last = yearTags.stream().mapToInt(YearRange::to).max().orElseThrow();
        return first + " to " + last;
    }

    /** 4.0's temporal tags: one {@code year N} tag per posting year. */
    static List<YearRange> everyYear(int from, int to) {
        List<YearRange> years = new ArrayList<>();
        for (int y = from; y <= to; y++) years.add(new YearRange("year " + y, y, y));
        return List.copyOf(years);
    }
}
