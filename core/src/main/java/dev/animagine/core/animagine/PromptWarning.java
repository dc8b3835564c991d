package dev.animagine.core.animagine;

/**
 * A lint finding, or a note about a choice the prompt builder made ({@link #isNote()}), for the
 * user to read.
 *
 * @param code    a stable identifier, e.g. {@code other-version-tag}, {@code truncated}
 * @param message one complete line naming the tag, flag or value concerned
 */
public record PromptWarning(String code, String message) {
    public static final String OTHER_VERSION_TAG = "other-version-tag";
    public static final String QUALITY_NOT_LAST = "quality-not-last";
    public static final String TRUNCATED = "truncated";
    public static final String NATURAL_LANGUAGE = "natural-language";
    public static final String UNESCAPED_PARENTHESES = "unescaped-parentheses";
    public static final String UNCLOSED_BRACKET = "unclosed-bracket";
    public static final String EMPHASIS_IGNORED = "emphasis-ignored";
    public static final String SIZE_NOT_TRAINED = "size-not-trained";
    public static final String SIZE_TOO_LARGE = "size-too-large";
    public static final String VERSION = "version";
    public static final String NEGATIVE_CONFLICT = "negative-conflict";
    /** Note: a default negative tag left out because the prompt asks for it. */
    public static final String DEFAULT_NEGATIVE_DROPPED = "default-negative-dropped";
    /** Note: the seed picked for wildcard draws when none was given. */
    public static final String WILDCARD_SEED = "wildcard-seed";

    /** True for notes about what was done as asked; false for findings about the user's input. */
    public boolean isNote() {
        return code.equals(DEFAULT_NEGATIVE_DROPPED) || code.equals(WILDCARD_SEED);
    }

    @Override
    public String toString() {
        return message;
    }
}
