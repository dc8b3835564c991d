package dev.animagine.spark.captions;

import java.io.Serializable;

/**
 * One post's caption in the two halves sd-scripts reads. {@code kept} ends with the keep-tokens
 * separator {@code |||} (sd-scripts' {@code --keep_tokens_separator}), so shuffling leaves the count,
 * character, copyright and artist tags in front; {@code tags} is everything after it. sd-scripts'
 * fine-tuning mode joins metadata {@code caption} and {@code tags} with a comma, which gives {@link #text()}
 * once split on the separator.
 */
public record Caption(String kept, String tags, String ratingTag, String yearTag, String qualityTag) implements Serializable {
    public static final String KEEP_SEPARATOR = "|||";

    /** The whole caption, as the .txt file holds it. */
    public String text() {
        return tags.isEmpty() ? kept : kept + " " + tags;
    }
}
