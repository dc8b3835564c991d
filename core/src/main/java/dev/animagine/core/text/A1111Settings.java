package dev.animagine.core.text;

import dev.animagine.core.InvalidArgumentException;

/**
 * The A1111 settings that shape prompt chunks: the emphasis mode and {@code comma_padding_backtrack}
 * (how many tokens back from a full chunk a comma may be to move the words after it into the next
 * chunk; 0 disables it; A1111's slider allows 0..74).
 */
public record A1111Settings(EmphasisMode emphasis, int commaPaddingBacktrack) {
    public static final A1111Settings DEFAULTS = new A1111Settings(EmphasisMode.ORIGINAL, 20);

    public A1111Settings {
        if (emphasis == null) throw new InvalidArgumentException("emphasis mode is missing");
        if (commaPaddingBacktrack < 0 || commaPaddingBacktrack > 74)
            throw new InvalidArgumentException("comma padding backtrack " + commaPaddingBacktrack + " is outside 0..74");
    }
}
