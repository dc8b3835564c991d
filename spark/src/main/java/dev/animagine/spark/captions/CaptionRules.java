package dev.animagine.spark.captions;

import dev.animagine.core.InvalidArgumentException;
import dev.animagine.core.animagine.AnimagineVersion;
import dev.animagine.core.animagine.Conventions;
import dev.animagine.core.animagine.CountTags;
import dev.animagine.core.animagine.Rating;
import dev.animagine.core.animagine.YearRange;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Animagine's training caption for a Danbooru post (cagliostrolab's dataset builder; the 3.1 and 4.0
 * model cards): count tags, characters, copyrights, artists, {@code |||}, then rating, general tags,
 * year, the meta tags that describe the image, and the quality tag. The rating and year tags are the
 * version's ({@link Conventions}): 3.1 writes explicit as {@code explicit, nsfw} and years as
 * {@code oldest}..{@code newest}; 4.0 writes {@code explicit} and {@code year 2019}. A year outside the
 * version's table gets no year tag.
 */
public final class CaptionRules implements Serializable {
    private final AnimagineVersion version;

    public CaptionRules(AnimagineVersion version) {
        if (version == AnimagineVersion.V3_0)
            throw new InvalidArgumentException("--version 3.0: dataset captions are written for 4 or 3.1");
        this.version = version;
    }

    public AnimagineVersion version() {
        return version;
    }

    /** The caption of {@code post} whose quality (or score) tag is {@code qualityTag}. */
    public Caption caption(DanbooruPost post, String qualityTag) {
        Set<String> kept = new LinkedHashSet<>();
        Set<String> general = new LinkedHashSet<>();
        for (String tag : DanbooruTags.split(post.general())) {
            if (CountTags.is(tag)) kept.add(tag);
            else general.add(tag);
        }
        kept.addAll(DanbooruTags.split(post.character()));
        kept.addAll(DanbooruTags.split(post.copyright()));
        kept.addAll(DanbooruTags.split(post.artist()));

        String ratingTag = ratingTag(post.rating());
        String yearTag = yearTag(post.year());
        List<String> rest = new ArrayList<>();
        rest.add(ratingTag);
        general.removeAll(kept);
        rest.addAll(general);
        if (yearTag != null) rest.add(yearTag);
        for (String tag : DanbooruTags.split(post.meta())) {
            if (!DanbooruTags.isDroppedMeta(tag) && !rest.contains(tag)) rest.add(tag);
        }
        rest.add(qualityTag);

        String keptText = kept.isEmpty() ? Caption.KEEP_SEPARATOR : String.join(", ", kept) + " " + Caption.KEEP_SEPARATOR;
        return new Caption(keptText, String.join(", ", rest), ratingTag, yearTag, qualityTag);
    }

    /** g, s, q, e as the version's rating tags ("explicit, nsfw" for 3.1's explicit). */
    public String ratingTag(char rating) {
        return String.join(", ", version.conventions().ratingTags(rating(rating)));
    }

    /** The version's year tag, or null when its table does not cover the year. */
    public String yearTag(int year) {
        for (YearRange r : version.conventions().yearTags()) {
            if (r.contains(year)) return r.tag();
        }
        return null;
    }

    /** Danbooru's one-letter rating. */
    public static Rating rating(char letter) {
        return switch (letter) {
            case 'g' -> Rating.GENERAL;
            case 's' -> Rating.SENSITIVE;
            case 'q' -> Rating.QUESTIONABLE;
            case 'e' -> Rating.EXPLICIT;
            default -> throw new InvalidArgumentException("rating '" + letter + "': expected g, s, q or e");
        };
    }
}
