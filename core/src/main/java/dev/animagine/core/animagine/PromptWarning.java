package dev.animagine.core.animagine;

/**
 * A lint finding or a note about what the prompt builder changed, for the user to read.
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
    public static final String WILDCARD_SEED = "wildcard-seed";

    @Override
    public String toString() {
        return message;
    }
}
