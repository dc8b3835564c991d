package dev.animagine.core.text;

import java.util.ArrayList;
import java.util.List;

/** Byte-pair merging of one word (Sennrich et al. 2016, as in CLIP's {@code bpe}). */
final class Bpe {
    private Bpe() {}

    /**
     * Splits {@code word} (byte-level characters) into symbols, marks the last with {@code </w>}, then
     * repeatedly merges every occurrence (left to right) of the adjacent pair with the lowest rank.
     */
    static String[] merge(ClipVocabulary vocab, String word) {
        List<String> symbols = new ArrayList<>(word.length());
        for (int i = 0; i < word.length(); i++) symbols.add(String.valueOf(word.charAt(i)));
        if (symbols.isEmpty()) return new String[0];
        symbols.set(symbols.size() - 1, symbols.getLast() + "</w>");
        while (symbols.size() > 1) {
            int bestRank = Integer.MAX_VALUE;
            String first = null, second = null;
            for (int i = 0; i + 1 < symbols.size(); i++) {
                int r = vocab.mergeRank(symbols.get(i), symbols.get(i + 1));
                if (r < bestRank) {
                    bestRank = r;
                    first = symbols.get(i);
                    second = symbols.get(i + 1);
                }
            }
            if (first == null) break;
            List<String> next = new ArrayList<>(symbols.size());
            for (int i = 0; i < symbols.size(); ) {
                if (i + 1 < symbols.size() && symbols.get(i).equals(first) && symbols.get(i + 1).equals(second)) {
                    next.add(first + second);
                    i += 2;
                } else {
                    next.add(symbols.get(i++));
                }
            }
            symbols = next;
        }
        return symbols.toArray(String[]::new);
    }
}
