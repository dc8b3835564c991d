package dev.animagine.core.text;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * A1111's {@code tokenize_line}: turns parsed prompt runs into as many 77-token chunks as the prompt
 * needs, so nothing is cut off. Each run is tokenized on its own; tokens go into 75-slot chunks with
 * their run's weight; when a chunk is full and a comma ({@code ,</w>}) was seen within the last
 * {@code backtrack} tokens, the words after that comma move on to the next chunk; a BREAK marker closes
 * the current chunk (even an empty one). Closed chunks are padded with EOS and framed by BOS/EOS.
 * The token count is what A1111's counter shows: 75 per closed chunk plus the last chunk's length.
 */
public final class PromptChunker {
    private PromptChunker() {}

    public static final int CHUNK_LENGTH = ClipTokenizer.CHUNK_LENGTH;

    /** A chunk as built: 77 ids, 77 multipliers, and how many prompt tokens it holds (before padding). */
    public record Chunk(int[] tokens, double[] multipliers, int length) {}

    public record Result(List<Chunk> chunks, int tokenCount) {
        /** A1111's "of N": the count rounded up to whole chunks (at least one). */
        public int targetTokenCount() {
            return Math.ceilDiv(Math.max(tokenCount, 1), CHUNK_LENGTH) * CHUNK_LENGTH;
        }
    }

    /**
     * @param parsed    the runs ({@link EmphasisParser#parse}, or the whole prompt with weight 1 when
     *                  emphasis is off)
     * @param tokenize  text → ids without BOS/EOS
     * @param comma     the id of {@code ,</w>}
     */
    public static Result tokenizeLine(List<WeightedText> parsed, Function<String, int[]> tokenize,
                                      int comma, int bos, int eos, int backtrack) {
        Builder b = new Builder(bos, eos);
        for (WeightedText run : parsed) {
            int[] ids = tokenize.apply(run.text()); // markers are tokenized too, and skipped, as in A1111
            if (run.isBreak()) {
                b.close(false);
                continue;
            }
            for (int token : ids) {
                if (token == comma) {
                    b.lastComma = b.size;
                } else if (backtrack != 0 && b.size == CHUNK_LENGTH && b.lastComma != -1 && b.size - b.lastComma <= backtrack) {
                    int breakAt = b.lastComma + 1;
                    int[] movedTokens = Arrays.copyOfRange(b.tokens, breakAt, b.size);
                    double[] movedMults = Arrays.copyOfRange(b.mults, breakAt, b.size);
                    b.size = breakAt;
                    b.close(false);
                    for (int k = 0; k < movedTokens.length; k++) b.append(movedTokens[k], movedMults[k]);
                }
                if (b.size == CHUNK_LENGTH) b.close(false);
                b.append(token, run.weight());
            }
        }
        if (b.size > 0 || b.chunks.isEmpty()) b.close(true);
        return new Result(List.copyOf(b.chunks), b.tokenCount);
    }

    private static final class Builder {
        final int bos, eos;
        final List<Chunk> chunks = new ArrayList<>();
        final int[] tokens = new int[CHUNK_LENGTH];
        final double[] mults = new double[CHUNK_LENGTH];
        int size, lastComma = -1, tokenCount;

        Builder(int bos, int eos) {
            this.bos = bos;
            this.eos = eos;
        }

        void append(int token, double weight) {
            tokens[size] = token;
            mults[size] = weight;
            size++;
        }

        void close(boolean isLast) {
            tokenCount += isLast ? size : CHUNK_LENGTH;
            int[] t = new int[CHUNK_LENGTH + 2];
            double[] m = new double[CHUNK_LENGTH + 2];
            Arrays.fill(t, eos);
            Arrays.fill(m, 1.0);
            t[0] = bos;
            System.arraycopy(tokens, 0, t, 1, size);
            System.arraycopy(mults, 0, m, 1, size);
            chunks.add(new Chunk(t, m, size));
            size = 0;
            lastComma = -1;
        }
    }
}
