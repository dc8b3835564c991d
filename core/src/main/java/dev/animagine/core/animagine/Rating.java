package dev.animagine.core.animagine;

/**
 * Danbooru's four content ratings. Each Animagine version writes them with its own tags
 * ({@link Conventions#ratingTags(Rating)}): {@code general} is {@code safe} for 3.1 and 4.0 but
 * {@code rating: general} for 3.0.
 */
public enum Rating {
    GENERAL, SENSITIVE, QUESTIONABLE, EXPLICIT;

    /** The Danbooru name, as the {@code --rating} flag takes it. */
    public String flagName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
