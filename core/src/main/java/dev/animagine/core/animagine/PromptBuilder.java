package dev.animagine.core.animagine;

import dev.animagine.core.InvalidArgumentException;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import static dev.animagine.core.animagine.PromptWarning.DEFAULT_NEGATIVE_DROPPED;
import static dev.animagine.core.animagine.PromptWarning.NEGATIVE_CONFLICT;
import static dev.animagine.core.animagine.PromptWarning.VERSION;
import static dev.animagine.core.animagine.PromptWarning.WILDCARD_SEED;

/**
 * Turns a {@link PromptRequest} into the final prompt, negative prompt and size, following the
 * conventions of the Animagine version asked for, and lints what the user wrote. The one call
 * {@code generate}, {@code animagine prompt} and the HTTP API share.
 */
public final class PromptBuilder {
    private static final String PROMPT = "prompt", NEGATIVE = "negative prompt";

    private final TokenCounter tokenCounter;

    /** Without a token counter: the 77-token truncation rule is skipped. */
    public PromptBuilder() {
        this(null);
    }

    /** @param tokenCounter CLIP token counts for the truncation rule; null skips that rule */
    public PromptBuilder(TokenCounter tokenCounter) {
        this.tokenCounter = tokenCounter;
    }

    public PromptResult build(PromptRequest r) {
        List<PromptWarning> warnings = new ArrayList<>();
        AnimagineVersion version = version(r, warnings);
        Conventions c = version.conventions();
        boolean compat = r.diffusersCompat();
        if (r.verbatim()) return verbatim(r, version, c, warnings);

        // The user's tags, wildcards drawn, each normalised.
        List<String> written = TagText.split(r.tags());
        Long seed = null;
        List<Wildcards.Piece> pieces;
        if (Wildcards.hasPlaceholder(r.tags())) {
            seed = r.seed();
            if (seed == null) {
                seed = ThreadLocalRandom.current().nextLong(1L << 32);
                warnings.add(new PromptWarning(WILDCARD_SEED, "wildcards drawn with seed " + seed
                        + "; pass --seed " + seed + " to draw the same again"));
            }
            pieces = r.wildcards().expand(written, seed);
        } else {
            pieces = written.stream().map(t -> new Wildcards.Piece(t, false, false)).toList();
        }
        List<PromptTemplate.Entry> user = new ArrayList<>();
        for (Wildcards.Piece p : pieces) {
            normalize(p.text(), compat || p.drawn() ? null : warnings)
                    .ifPresent(t -> user.add(new PromptTemplate.Entry(t, p.identity())));
        }
        List<Tag> userTags = user.stream().map(PromptTemplate.Entry::tag).toList();
        // Flags and wildcard lists are data, not prompt syntax: their parentheses are escaped silently.
        List<Tag> identity = new ArrayList<>(normalizeAll(r.character(), null));
        identity.addAll(normalizeAll(r.series(), null));
        List<Tag> special = new ArrayList<>();
        if (r.rating() != null) c.ratingTags(r.rating()).forEach(t -> special.add(Tag.of(t)));
        if (r.year() != null) special.add(Tag.of(c.yearTag(r.year())));

        warnings.addAll(PromptLinter.otherVersionTags(version, userTags, PROMPT));
        warnings.addAll(PromptLinter.qualityNotLast(c, userTags));
        warnings.addAll(PromptLinter.naturalLanguage(userTags, PROMPT));
        List<Tag> positive = dedupe(PromptTemplate.arrange(c, r.quality(), user, identity, special));

        List<Tag> userNegative = normalizeAll(r.negative(), compat ? null : warnings);
        warnings.addAll(PromptLinter.otherVersionTags(version, userNegative, NEGATIVE));
        warnings.addAll(PromptLinter.naturalLanguage(userNegative, NEGATIVE));
        List<Tag> negative = negative(c, r, positive, userNegative, warnings);

        if (compat) {
            List<Tag> typed = new ArrayList<>(userTags);
            typed.addAll(identity);
            warnings.addAll(PromptLinter.emphasisIgnored(typed, PROMPT));
            warnings.addAll(PromptLinter.emphasisIgnored(userNegative, NEGATIVE));
        }

        ImageSize size = size(r);
        warnings.addAll(PromptLinter.size(size));

        List<String> positiveText = texts(positive, compat), negativeText = texts(negative, compat);
        if (tokenCounter != null) {
            warnings.addAll(PromptLinter.truncated(tokenCounter, positiveText, PROMPT, compat));
            warnings.addAll(PromptLinter.truncated(tokenCounter, negativeText, NEGATIVE, compat));
        }
        return new PromptResult(String.join(", ", positiveText), String.join(", ", negativeText),
                size.width(), size.height(), warnings, version, c.recommended(), seed);
    }

    /** The prompts as written; only the size is resolved, and size and truncation are linted. */
    private PromptResult verbatim(PromptRequest r, AnimagineVersion version, Conventions c, List<PromptWarning> warnings) {
        String negative = r.negative() == null ? "" : r.negative();
        ImageSize size = size(r);
        warnings.addAll(PromptLinter.size(size));
        if (tokenCounter != null) {
            warnings.addAll(PromptLinter.truncated(tokenCounter, TagText.split(r.tags()), PROMPT, r.diffusersCompat()));
            warnings.addAll(PromptLinter.truncated(tokenCounter, TagText.split(negative), NEGATIVE, r.diffusersCompat()));
        }
        return new PromptResult(r.tags(), negative, size.width(), size.height(), warnings, version, c.recommended(), null);
    }

    /** {@code --animagine} wins; else the version the model's file name states; else 4.0. */
    private static AnimagineVersion version(PromptRequest r, List<PromptWarning> warnings) {
        Optional<ModelFileName> named = r.model() == null ? Optional.empty() : ModelFileName.of(r.model());
        if (r.version() != null) {
            named.filter(n -> n.version().isPresent() && n.version().get() != r.version()).ifPresent(n ->
                    warnings.add(new PromptWarning(VERSION, "--animagine " + r.version().number() + " overrides the model file name '"
                            + n.name() + "', which says " + n.label())));
            return r.version();
        }
        if (named.isPresent()) {
            Optional<AnimagineVersion> v = named.get().version();
            if (v.isPresent()) return v.get();
            warnings.add(new PromptWarning(VERSION, "the model file name '" + named.get().name() + "' says " + named.get().label()
                    + ", whose conventions this tool does not know; using " + AnimagineVersion.DEFAULT.modelName()
                    + " (choose with --animagine)"));
        }
        return AnimagineVersion.DEFAULT;
    }

    /** A normalised tag; what normalising fixed is reported to {@code fixes} unless it is null. */
    private static Optional<Tag> normalize(String written, List<PromptWarning> fixes) {
        TagText.Normalized n = TagText.normalize(written);
        if (n.isEmpty()) return Optional.empty();
        if (fixes != null) fixes.addAll(PromptLinter.bracketFixes(written, n));
        return Optional.of(Tag.of(n.text()));
    }

    private static List<Tag> normalizeAll(String tags, List<PromptWarning> fixes) {
        List<Tag> out = new ArrayList<>();
        for (String t : TagText.split(tags)) normalize(t, fixes).ifPresent(out::add);
        return out;
    }

    /**
     * The version's negative (with the card's advice for general images) before the user's. A
     * default tag the prompt asks for is left out, since it would cancel the prompt's tag.
     */
    private static List<Tag> negative(Conventions c, PromptRequest r, List<Tag> positive, List<Tag> userNegative,
                                      List<PromptWarning> warnings) {
        Set<String> asked = new HashSet<>();
        positive.forEach(t -> asked.add(t.bare()));
        List<Tag> defaults = new ArrayList<>();
        if (r.defaultNegative()) TagText.split(c.defaultNegative()).forEach(t -> defaults.add(Tag.of(TagText.normalize(t).text())));
        if (r.rating() == Rating.GENERAL) c.generalRatingNegative().forEach(t -> defaults.add(Tag.of(t)));
        List<Tag> out = new ArrayList<>();
        for (Tag t : defaults) {
            if (!asked.contains(t.bare())) {
                out.add(t);
            } else {
                warnings.add(new PromptWarning(DEFAULT_NEGATIVE_DROPPED, "'" + t.text()
                        + "' is left out of the default negative prompt because the prompt asks for it"));
            }
        }
        for (Tag t : userNegative) {
            if (asked.contains(t.bare())) {
                warnings.add(new PromptWarning(NEGATIVE_CONFLICT, "'" + t.text() + "' is in both the prompt and the negative prompt"));
            }
            out.add(t);
        }
        return dedupe(out);
    }

    /** Later copies of a tag removed (case-insensitive); BREAK is structure and always kept. */
    private static List<Tag> dedupe(List<Tag> tags) {
        Set<String> seen = new HashSet<>();
        List<Tag> out = new ArrayList<>();
        for (Tag t : tags) {
            if (t.isBreak() || seen.add(t.text().toLowerCase(Locale.ROOT))) out.add(t);
        }
        return out;
    }

    /** The tags as written out; diffusers-compatible encoding reads brackets as text, so no escapes. */
    private static List<String> texts(List<Tag> tags, boolean compat) {
        return tags.stream().map(t -> compat ? TagText.unescape(t.text()) : t.text()).toList();
    }

    private static ImageSize size(PromptRequest r) {
        if (r.aspect() != null && r.size() != null) {
            throw new InvalidArgumentException("--aspect " + r.aspect().text() + " and --size " + r.size() + ": give one of them");
        }
        if (r.size() != null) return r.size();
        if (r.aspect() != null) return ResolutionBuckets.nearest(r.aspect().ratio());
        return ResolutionBuckets.DEFAULT;
    }
}
