package dev.animagine.core.animagine;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import static dev.animagine.core.animagine.PromptWarning.EMPHASIS_IGNORED;
import static dev.animagine.core.animagine.PromptWarning.NATURAL_LANGUAGE;
import static dev.animagine.core.animagine.PromptWarning.OTHER_VERSION_TAG;
import static dev.animagine.core.animagine.PromptWarning.QUALITY_NOT_LAST;
import static dev.animagine.core.animagine.PromptWarning.SIZE_NOT_TRAINED;
import static dev.animagine.core.animagine.PromptWarning.SIZE_TOO_LARGE;
import static dev.animagine.core.animagine.PromptWarning.TRUNCATED;
import static dev.animagine.core.animagine.PromptWarning.UNCLOSED_BRACKET;
import static dev.animagine.core.animagine.PromptWarning.UNESCAPED_PARENTHESES;

/** The lint rules, each one method returning its findings (empty when the rule is satisfied). */
final class PromptLinter {
    private static final Pattern YEAR_N = Pattern.compile("year (\\d{4})");
    private static final int LISTED = 5;

    private PromptLinter() {}

    /** Parentheses that belong to a tag but were unescaped, and brackets never closed (both fixed by normalising). */
    static List<PromptWarning> bracketFixes(String original, TagText.Normalized fixed) {
        List<PromptWarning> w = new ArrayList<>();
        if (fixed.escapedQualifier()) {
            w.add(new PromptWarning(UNESCAPED_PARENTHESES, "'" + original + "': A1111 would read the parentheses as "
                    + "emphasis, not as part of the tag; written as '" + fixed.text() + "'"));
        }
        if (fixed.escapedUnclosed()) {
            w.add(new PromptWarning(UNCLOSED_BRACKET, "'" + original + "' opens a bracket it never closes, which A1111 "
                    + "would apply to the rest of the prompt; written as '" + fixed.text() + "'"));
        }
        return w;
    }

    /** Special tags of another Animagine version, which this version was not trained with. */
    static List<PromptWarning> otherVersionTags(AnimagineVersion version, List<Tag> tags, String where) {
        Conventions c = version.conventions();
        Set<String> own = c.specialTags();
        List<PromptWarning> w = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (Tag t : tags) {
            String bare = t.bare();
            if (own.contains(bare) || !seen.add(bare)) continue;
            List<AnimagineVersion> owners = new ArrayList<>();
            for (AnimagineVersion v : AnimagineVersion.values()) {
                if (v != version && v.conventions().specialTags().contains(bare)) owners.add(v);
            }
            var year = YEAR_N.matcher(bare);
            if (owners.isEmpty() && year.matches() && !c.isYearTag(bare)) owners.add(AnimagineVersion.V4_0);
            if (owners.isEmpty()) continue;
            String hint = hint(c, owners.getFirst().conventions(), bare).map(h -> " (use " + h + ")").orElse("");
            w.add(new PromptWarning(OTHER_VERSION_TAG, where + ": '" + bare + "' is an " + names(owners)
                    + " tag; " + c.modelName() + " was not trained with it" + hint));
        }
        return w;
    }

    private static String names(List<AnimagineVersion> owners) {
        List<String> numbers = owners.stream().map(AnimagineVersion::number).toList();
        return "Animagine XL " + String.join(" and ", numbers);
    }

    /** This version's tag for what another version's rating or year tag means. */
    private static Optional<String> hint(Conventions to, Conventions from, String bare) {
        Optional<Rating> rating = from.ratingOf(bare);
        if (rating.isPresent()) return Optional.of("'" + String.join(", ", to.ratingTags(rating.get())) + "'");
        var year = YEAR_N.matcher(bare);
        Optional<YearRange> range = year.matches()
                ? Optional.of(new YearRange(bare, Integer.parseInt(year.group(1)), Integer.parseInt(year.group(1))))
                : from.yearRange(bare);
        if (range.isEmpty()) return Optional.empty();
        List<String> tags = to.yearTags().stream()
                .filter(r -> r.from() <= range.get().to() && r.to() >= range.get().from())
                .map(YearRange::tag).distinct().toList();
        if (tags.isEmpty()) return Optional.empty();
        return Optional.of(tags.size() == 1 ? "'" + tags.getFirst() + "'"
                : "'" + tags.getFirst() + "' to '" + tags.getLast() + "'");
    }

    /** 4.0 wants quality tags last: the quality tags the user wrote before other tags. */
    static List<PromptWarning> qualityNotLast(Conventions c, List<Tag> userTags) {
        if (c.qualityPlacement() != QualityPlacement.LAST) return List.of();
        Set<String> family = c.qualityFamily();
        int lastOther = -1;
        for (int i = 0; i < userTags.size(); i++) {
            if (!family.contains(userTags.get(i).bare())) lastOther = i;
        }
        List<String> early = new ArrayList<>();
        for (int i = 0; i < lastOther; i++) {
            if (family.contains(userTags.get(i).bare())) early.add(userTags.get(i).text());
        }
        if (early.isEmpty()) return List.of();
        return List.of(new PromptWarning(QUALITY_NOT_LAST, "quality tags '" + String.join(", ", early)
                + "' come before other tags; " + c.modelName() + " wants quality tags at the end (moved there)"));
    }

    /** Sentences where tags are expected: the cards say the models were trained on Danbooru tags. */
    static List<PromptWarning> naturalLanguage(List<Tag> tags, String where) {
        List<String> prose = tags.stream().filter(t -> NaturalLanguage.isSentence(t.bare())).map(Tag::text).toList();
        if (prose.isEmpty()) return List.of();
        return List.of(new PromptWarning(NATURAL_LANGUAGE, where + ": " + quoted(prose)
                + " reads like natural language; Animagine XL was trained on Danbooru tags and the model cards "
                + "say tags work better"));
    }

    /** Emphasis the user wrote, which diffusers-compatible encoding passes to CLIP as plain text. */
    static List<PromptWarning> emphasisIgnored(List<Tag> tags, String where) {
        List<String> weighted = tags.stream().filter(t -> BracketScan.of(t.text()).emphasis()).map(Tag::text).toList();
        if (weighted.isEmpty()) return List.of();
        return List.of(new PromptWarning(EMPHASIS_IGNORED, where + ": " + quoted(weighted)
                + " is plain text in diffusers-compatible mode, which has no emphasis syntax"));
    }

    /**
     * Tags past CLIP's 75-token window. Diffusers-compatible encoding truncates there, which for 4.0
     * drops the quality tags at the end; A1111-style encoding chunks instead and keeps everything.
     */
    static List<PromptWarning> truncated(TokenCounter counter, List<String> tags, String where, boolean diffusersCompat) {
        int total = counter.count(String.join(", ", tags));
        if (total <= TokenCounter.WINDOW) return List.of();
        int lo = 0, hi = tags.size() - 1; // find the first tag whose prefix passes the window
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (counter.count(String.join(", ", tags.subList(0, mid + 1))) > TokenCounter.WINDOW) hi = mid;
            else lo = mid + 1;
        }
        String cut = listed(tags.subList(lo, tags.size()));
        String head = where + " is " + total + " CLIP tokens; ";
        return List.of(new PromptWarning(TRUNCATED, diffusersCompat
                ? head + "diffusers-compatible encoding keeps " + TokenCounter.WINDOW + ", so these tags are cut: " + cut
                : head + "with --compat diffusers only " + TokenCounter.WINDOW + " are kept and these tags would be cut: " + cut));
    }

    /** Sizes the cards did not train at, or above the trained area. */
    static List<PromptWarning> size(ImageSize size) {
        List<PromptWarning> w = new ArrayList<>();
        if (!ResolutionBuckets.isTrained(size)) {
            w.add(new PromptWarning(SIZE_NOT_TRAINED, "size " + size + " is not one of the nine trained sizes; the nearest in "
                    + "shape is " + ResolutionBuckets.nearest(size.aspect())));
        }
        if (size.area() > ResolutionBuckets.MAX_AREA) {
            w.add(new PromptWarning(SIZE_TOO_LARGE, "size " + size + " is larger than 1024x1024 in area; the model cards "
                    + "warn that quality degrades above the trained resolution"));
        }
        return w;
    }

    private static String quoted(List<String> items) {
        return listed(items.stream().map(i -> "'" + i + "'").toList());
    }

    private static String listed(List<String> items) {
        if (items.size() <= LISTED) return String.join(", ", items);
        return String.join(", ", items.subList(0, LISTED)) + " (and " + (items.size() - LISTED) + " more)";
    }
}
