package dev.animagine.core.animagine;

import java.util.Set;

/**
 * Tells a sentence from a tag. Danbooru tags avoid pronouns and auxiliary verbs ("hand on own
 * cheek", "re:zero kara hajimeru isekai seikatsu"), so a tag of four or more words that uses one
 * ("having their breakfast in the dining room") is prose.
 */
final class NaturalLanguage {
    private static final int MIN_WORDS = 4;
    private static final Set<String> PROSE_WORDS = Set.of(
            "i", "we", "you", "he", "she", "they", "my", "our", "your", "his", "her", "their", "its", "them",
            "is", "are", "was", "were", "am", "be", "been", "being", "has", "have", "had", "does", "did",
            "who", "which", "there", "while");

    private NaturalLanguage() {}

    static boolean isSentence(String bare) {
        String[] words = bare.split(" ");
        if (words.length < MIN_WORDS) return false;
        if (bare.contains(". ")) return true;
        for (String w : words) {
            if (PROSE_WORDS.contains(w.replaceAll("[^a-z']", ""))) return true;
        }
        return false;
    }
}
