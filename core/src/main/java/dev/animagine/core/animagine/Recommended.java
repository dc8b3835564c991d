package dev.animagine.core.animagine;

/**
 * A model card's recommended sampling settings: the values {@code generate} defaults to, and the
 * card's own wording for people ({@code advice}).
 *
 * @param sampler A1111's sampler name ("Euler a")
 * @param steps   the step count the card recommends or uses in its example
 * @param cfg     the classifier-free guidance scale the card recommends or uses in its example
 * @param advice  the card's recommendation in one line
 */
public record Recommended(String sampler, int steps, double cfg, String advice) {}
