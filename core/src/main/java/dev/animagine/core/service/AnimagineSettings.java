package dev.animagine.core.service;

import dev.animagine.core.animagine.AnimagineVersion;
import dev.animagine.core.animagine.AspectRatio;
import dev.animagine.core.animagine.Rating;
import dev.animagine.core.animagine.Wildcards;

/**
 * The Animagine options of a request; null means "not given". Which ones were given matters: in
 * diffusers-compatible mode the prompt is used as sent unless one of them is.
 *
 * @param version         null: from the model's file name, else 4.0
 * @param quality         add the version's quality tags (default: on in A1111 mode, off with diffusers)
 * @param defaultNegative put the version's negative first (default as quality)
 * @param rating          the rating tag, or null
 * @param year            the year tag, or null
 * @param character       character tags placed after 1girl/1boy, or null
 * @param series          series tags placed after the character, or null
 * @param wildcards       lists for {@code __name__} placeholders, or null
 * @param aspect          the trained size nearest this shape, or null
 */
public record AnimagineSettings(
        AnimagineVersion version,
        Boolean quality,
        Boolean defaultNegative,
        Rating rating,
        Integer year,
        String character,
        String series,
        Wildcards wildcards,
        AspectRatio aspect) {

    /** No option given. */
    public static final AnimagineSettings NONE = new AnimagineSettings(null, null, null, null, null, null, null, null, null);

    /** Whether any option that shapes the prompt was given. */
    public boolean anyGiven() {
        return version != null || quality != null || defaultNegative != null || rating != null || year != null
                || character != null || series != null || (wildcards != null && !wildcards.names().isEmpty());
    }
}
