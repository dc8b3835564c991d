package dev.animagine.core.animagine;

import java.util.regex.Pattern;

/**
 * The tags that say who is in the picture ({@code 1girl}, {@code 2boys}, {@code 6+girls},
 * {@code 1other}, {@code multiple girls}) and open every Animagine prompt. {@code male focus}
 * travels with them, as in Animagine's training captions and its cards' {@code 1boy} examples.
 */
public final class CountTags {
    private static final Pattern COUNT = Pattern.compile("(?:\\d+\\+?|multiple ?)(?:girl|boy|other)s?");

    private CountTags() {}

    public static boolean is(String bare) {
        return COUNT.matcher(bare).matches() || bare.equals("male focus");
    }
}
