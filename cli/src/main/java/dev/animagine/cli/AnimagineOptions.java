package dev.animagine.cli;

import dev.animagine.core.animagine.AnimagineVersion;
import dev.animagine.core.animagine.AspectRatio;
import dev.animagine.core.animagine.ImageSize;
import dev.animagine.core.animagine.PromptRequest;
import dev.animagine.core.animagine.Rating;
import dev.animagine.core.animagine.Wildcards;
import dev.animagine.core.sampling.Seeds;
import dev.animagine.core.service.AnimagineSettings;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The Animagine prompt options, one set for every command that builds a prompt: add it with
 * {@code @Mixin AnimagineOptions animagine;} and call {@link #toRequest}. {@code --model} and
 * {@code --seed} are the checkpoint and seed {@code generate} uses too.
 */
public final class AnimagineOptions {
    @Option(names = "--animagine", paramLabel = "VERSION",
            description = "Animagine XL version whose tag conventions apply: 4, 3.1 or 3.0 "
                    + "(default: the version the --model file name states, else 4).")
    String animagine;

    @Option(names = "--model", paramLabel = "FILE",
            description = "The checkpoint (file or diffusers folder). Building a prompt reads only its name, "
                    + "e.g. animagine-xl-4.0-opt.safetensors, animagineXLV31_v31.safetensors.")
    Path model;

    @Option(names = "--quality", paramLabel = "on|off", arity = "1", converter = OnOff.class,
            description = "Add the version's quality tags: 4.0 'masterpiece, high score, great score, absurdres' "
                    + "at the end, 3.x theirs at the start (default: on; off with --compat diffusers).")
    Boolean quality;

    @Option(names = "--default-negative", paramLabel = "on|off", arity = "1", converter = OnOff.class,
            description = "Put the version's negative prompt from its model card before --negative "
                    + "(default: on; off with --compat diffusers).")
    Boolean defaultNegative;

    @Option(names = "--negative", paramLabel = "TAGS", description = "Negative prompt tags (after the default negative).")
    String negative;

    @Option(names = "--rating", paramLabel = "RATING",
            description = "general, sensitive, questionable or explicit (Danbooru's ratings): adds the version's "
                    + "rating tag after --character/--series, e.g. general: 'safe' (3.1, 4.0), "
                    + "'rating: general' (3.0) (default: none).")
    Rating rating;

    @Option(names = "--year", paramLabel = "YEAR",
            description = "Year whose style to follow: 'year 2019' (4.0), 'recent' (3.1), 'late' (3.0).")
    Integer year;

    @Option(names = "--character", paramLabel = "TAGS", description = "Character tag(s), placed right after 1girl/1boy/1other.")
    String character;

    @Option(names = "--series", paramLabel = "TAGS", description = "Series tag(s), placed after the character.")
    String series;

    @Option(names = "--wildcards", paramLabel = "FILE",
            description = "Wildcard list NAME.txt (one choice per line, e.g. '1girl, character, series'), used in the "
                    + "tags as __NAME__, or a folder of such files. Repeatable.")
    List<Path> wildcards = new ArrayList<>();

    @Option(names = "--seed", paramLabel = "N",
            description = "Seed, 0 to 2^64-1 (torch uses the low 32 bits); -1 picks one at random and reports it. "
                    + "Also draws the wildcards (default: random).")
    String seed;

    @Option(names = "--aspect", paramLabel = "W:H",
            description = "Use the trained size nearest this shape: W:H, portrait (2:3), landscape (3:2) or square.")
    String aspect;

    @Option(names = "--size", paramLabel = "WxH",
            description = "Image size, any multiples of 8; warns outside the nine trained sizes (default: 832x1216).")
    String size;

    /**
     * Whether the Animagine conventions apply: always in A1111 mode; with {@code --compat diffusers}
     * (which reproduces diffusers, prompts as given) only when an Animagine option is given explicitly.
     */
    public boolean conventionsApply(boolean diffusersCompat, String tags) {
        return !diffusersCompat || quality != null || defaultNegative != null || rating != null || year != null
                || character != null || series != null || animagine != null || !wildcards.isEmpty()
                || Wildcards.hasPlaceholder(tags == null ? "" : tags);
    }

    /** The request these options describe, for the given tags. Reads the wildcard files. */
    public PromptRequest toRequest(String tags, boolean diffusersCompat) {
        return toRequest(tags, diffusersCompat, seed(), size == null ? null : ImageSize.parse(size));
    }

    /** As {@link #toRequest(String, boolean)} with the seed and size {@code generate} settled on. */
    public PromptRequest toRequest(String tags, boolean diffusersCompat, Long seed, ImageSize size) {
        boolean byDefault = !diffusersCompat;
        return PromptRequest.builder()
                .tags(tags)
                .version(animagine == null ? null : AnimagineVersion.parse(animagine))
                .model(model == null ? null : model.toString())
                .quality(quality == null ? byDefault : quality)
                .defaultNegative(defaultNegative == null ? byDefault : defaultNegative)
                .negative(negative)
                .rating(rating)
                .year(year)
                .character(character)
                .series(series)
                .wildcards(wildcards.isEmpty() ? Wildcards.none() : Wildcards.load(wildcards))
                .seed(seed)
                .aspect(aspect == null ? null : AspectRatio.parse(aspect))
                .size(size)
                .diffusersCompat(diffusersCompat)
                .verbatim(!conventionsApply(diffusersCompat, tags))
                .build();
    }

    /** These options for a generation request (null where not given). Reads the wildcard files. */
    public AnimagineSettings toSettings() {
        return new AnimagineSettings(
                animagine == null ? null : AnimagineVersion.parse(animagine),
                quality,
                defaultNegative,
                rating,
                year,
                character,
                series,
                wildcards.isEmpty() ? null : Wildcards.load(wildcards),
                aspect == null ? null : AspectRatio.parse(aspect));
    }

    /** The checkpoint path given with {@code --model}, or null. */
    public Path model() {
        return model;
    }

    /** The seed given with {@code --seed} (-1 resolved to a random one, once), or null. */
    public Long seed() {
        if (seed != null && resolvedSeed == null) resolvedSeed = Seeds.resolve(seed);
        return resolvedSeed;
    }

    private Long resolvedSeed;

    /** Whether {@code --seed -1} asked for a random seed. */
    public boolean seedWasRandom() {
        return seed != null && seed.strip().equals("-1");
    }

    /** The negative prompt given with {@code --negative}, or null. */
    public String negative() {
        return negative;
    }

    /** The {@code --size} text, or null. */
    public String size() {
        return size;
    }

    /** {@code on}/{@code off} switches. */
    static final class OnOff implements ITypeConverter<Boolean> {
        @Override
        public Boolean convert(String value) {
            return switch (value.strip().toLowerCase(Locale.ROOT)) {
                case "on", "true", "yes" -> true;
                case "off", "false", "no" -> false;
                default -> throw new TypeConversionException("expected on or off but was '" + value + "'");
            };
        }
    }
}
