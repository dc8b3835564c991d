package dev.animagine.core.animagine;

/**
 * One comma-separated tag as it is written into the prompt, with its bare form for comparisons:
 * {@code (firefly \(honkai: star rail\):1.2)} is bare {@code firefly (honkai: star rail)}.
 */
public record Tag(String text, String bare) {
    public static Tag of(String text) {
        return new Tag(text, TagText.bare(text));
    }

    /** A1111's BREAK keyword standing as a tag of its own: it is structure, never a duplicate. */
    public boolean isBreak() {
        return text.equals("BREAK");
    }
}
