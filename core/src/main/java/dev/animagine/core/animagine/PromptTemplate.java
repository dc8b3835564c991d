package dev.animagine.core.animagine;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Animagine's tag order: count tags ({@code 1girl}), then character and series, then rating and
 * year, then everything else in the user's order, with the quality tags first (3.x) or last (4.0).
 *
 * <p>Only what is known is moved: count and quality tags by what they are, character and series
 * tags when given by flag or drawn from a character wildcard line. A rating or year tag the user
 * wrote stays where it was written (the tool cannot tell where an unflagged series ends); one
 * added by {@code --rating}/{@code --year} goes right after the character and series.
 */
final class PromptTemplate {
    /** A user tag; {@code identity} when it is a character or series tag from a wildcard line. */
    record Entry(Tag tag, boolean identity) {}

    private PromptTemplate() {}

    /**
     * @param user      the user's tags in their order
     * @param identity  the {@code --character} and {@code --series} tags
     * @param special   the tags {@code --rating} and {@code --year} add
     */
    static List<Tag> arrange(Conventions c, boolean addQuality, List<Entry> user, List<Tag> identity, List<Tag> special) {
        List<Entry> pool = new ArrayList<>(user);
        List<Tag> count = take(pool, e -> CountTags.is(e.tag().bare()));

        List<Tag> who = new ArrayList<>();
        for (Tag t : identity) who.add(takeSame(pool, t));
        who.addAll(take(pool, Entry::identity));

        List<Tag> quality = new ArrayList<>();
        if (addQuality) {
            for (String q : c.qualityEnhancement()) quality.add(takeSame(pool, Tag.of(q)));
        }
        Set<String> family = c.qualityFamily();
        quality.addAll(take(pool, e -> family.contains(e.tag().bare())));

        List<Tag> added = new ArrayList<>();
        for (Tag t : special) {
            if (pool.stream().noneMatch(e -> e.tag().bare().equals(t.bare()))) added.add(t);
        }

        List<Tag> out = new ArrayList<>();
        if (c.qualityPlacement() == QualityPlacement.FIRST) out.addAll(quality);
        out.addAll(count);
        out.addAll(who);
        out.addAll(added);
        pool.forEach(e -> out.add(e.tag()));
        if (c.qualityPlacement() == QualityPlacement.LAST) out.addAll(quality);
        return out;
    }

    private static List<Tag> take(List<Entry> pool, Predicate<Entry> which) {
        List<Tag> taken = new ArrayList<>();
        for (Iterator<Entry> it = pool.iterator(); it.hasNext(); ) {
            Entry e = it.next();
            if (which.test(e)) {
                taken.add(e.tag());
                it.remove();
            }
        }
        return taken;
    }

    /** The user's own writing of a tag (it may carry a weight), taken from the pool; else the tag. */
    private static Tag takeSame(List<Entry> pool, Tag tag) {
        List<Tag> same = take(pool, e -> e.tag().bare().equals(tag.bare()));
        return same.isEmpty() ? tag : same.getFirst();
    }
}
