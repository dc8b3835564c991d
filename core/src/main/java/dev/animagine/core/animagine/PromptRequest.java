package dev.animagine.core.animagine;

/**
 * What a user asks for: their tags and the Animagine options, one field per {@code animagine prompt}
 * flag. Build with {@link #builder()}; unset fields take the defaults documented on the builder.
 *
 * @param tags            the user's tags, comma-separated (may hold {@code __name__} placeholders)
 * @param version         {@code --animagine}; null: from the model's file name, else 4.0
 * @param model           {@code --model}: a checkpoint path, read for its name only; may be null
 * @param quality         {@code --quality}: add the version's quality tags
 * @param defaultNegative {@code --default-negative}: put the version's negative before the user's
 * @param negative        {@code --negative}: the user's negative prompt; may be null
 * @param rating          {@code --rating}; null for no rating tag
 * @param year            {@code --year}; null for no year tag
 * @param character       {@code --character}: character tags, comma-separated; may be null
 * @param series          {@code --series}: series (copyright) tags, comma-separated; may be null
 * @param wildcards       {@code --wildcards}: the lists {@code __name__} placeholders draw from
 * @param seed            {@code --seed}: seeds the wildcard draws; null picks one and says which
 * @param aspect          {@code --aspect}; may be null
 * @param size            {@code --size}; may be null (not both with aspect)
 * @param diffusersCompat the prompt goes to diffusers-compatible encoding: no emphasis syntax, so
 *                        no escapes, and 77-token truncation
 * @param verbatim        use the tags and negative exactly as written: no normalisation, template,
 *                        quality tags or default negative (what {@code --compat diffusers} does unless
 *                        an Animagine option is given); the size is still resolved and linted
 */
public record PromptRequest(
        String tags,
        AnimagineVersion version,
        String model,
        boolean quality,
        boolean defaultNegative,
        String negative,
        Rating rating,
        Integer year,
        String character,
        String series,
        Wildcards wildcards,
        Long seed,
        AspectRatio aspect,
        ImageSize size,
        boolean diffusersCompat,
        boolean verbatim) {

    public PromptRequest {
        if (tags == null) tags = "";
        if (wildcards == null) wildcards = Wildcards.none();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Defaults: no tags, version from the model name else 4.0, quality on, default negative on. */
    public static final class Builder {
        private String tags = "";
        private AnimagineVersion version;
        private String model;
        private boolean quality = true;
        private boolean defaultNegative = true;
        private String negative;
        private Rating rating;
        private Integer year;
        private String character;
        private String series;
        private Wildcards wildcards = Wildcards.none();
        private Long seed;
        private AspectRatio aspect;
        private ImageSize size;
        private boolean diffusersCompat;
        private boolean verbatim;

        private Builder() {}

        public Builder tags(String v) { tags = v; return this; }
        public Builder version(AnimagineVersion v) { version = v; return this; }
        public Builder model(String v) { model = v; return this; }
        public Builder quality(boolean v) { quality = v; return this; }
        public Builder defaultNegative(boolean v) { defaultNegative = v; return this; }
        public Builder negative(String v) { negative = v; return this; }
        public Builder rating(Rating v) { rating = v; return this; }
        public Builder year(Integer v) { year = v; return this; }
        public Builder character(String v) { character = v; return this; }
        public Builder series(String v) { series = v; return this; }
        public Builder wildcards(Wildcards v) { wildcards = v; return this; }
        public Builder seed(Long v) { seed = v; return this; }
        public Builder aspect(AspectRatio v) { aspect = v; return this; }
        public Builder size(ImageSize v) { size = v; return this; }
        public Builder diffusersCompat(boolean v) { diffusersCompat = v; return this; }
        public Builder verbatim(boolean v) { verbatim = v; return this; }

        public PromptRequest build() {
            return new PromptRequest(tags, version, model, quality, defaultNegative, negative, rating, year,
                    character, series, wildcards, seed, aspect, size, diffusersCompat, verbatim);
        }
    }
}
