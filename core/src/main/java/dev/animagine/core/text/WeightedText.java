package dev.animagine.core.text;

/**
 * One run of an A1111 prompt with its attention weight, as {@code parse_prompt_attention} returns it.
 * A {@code BREAK} keyword is the entry {@code ("BREAK", -1)}; like A1111, any entry with exactly that
 * text and weight starts a new chunk, and a marker whose weight was multiplied by brackets is plain text.
 */
public record WeightedText(String text, double weight) {
    public static final String BREAK = "BREAK";

    public boolean isBreak() {
        return text.equals(BREAK) && weight == -1;
    }

    @Override
    public String toString() {
        return "[" + text + ", " + weight + "]";
    }
}
