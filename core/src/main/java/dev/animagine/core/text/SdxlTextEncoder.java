package dev.animagine.core.text;

import java.util.ArrayList;
import java.util.List;

/**
 * SDXL's text conditioning from a tokenized prompt: each 77-token chunk through both towers,
 * penultimate hidden states of CLIP-L and bigG weighted per tower (A1111 applies emphasis to each
 * tower's output separately) and concatenated along channels, chunks concatenated along tokens;
 * the pooled embedding is bigG's projected end token of the first chunk.
 */
public final class SdxlTextEncoder {
    private final ClipTextModel clipL, clipG;

    /** Text conditioning of one prompt: {@code hiddenStates} is [tokens, width] row-major. */
    public record Embedding(float[] hiddenStates, int tokens, int width, float[] pooled) {
        /** diffusers' zeroed negative conditioning (force_zeros_for_empty_prompt). */
        public static Embedding zeros(int tokens, int width, int pooledWidth) {
            return new Embedding(new float[tokens * width], tokens, width, new float[pooledWidth]);
        }

    }

    public SdxlTextEncoder(ClipTextModel clipL, ClipTextModel clipG) {
        if (clipG.config().projectionDim() <= 0)
            throw new IllegalArgumentException("the second text encoder needs a text projection for the pooled embedding");
        this.clipL = clipL;
        this.clipG = clipG;
    }

    public int width() {
        return clipL.config().hiddenSize() + clipG.config().hiddenSize();
    }

    public int pooledWidth() {
        return clipG.config().projectionDim();
    }

    /**
     * @param clipSkip 1 = the penultimate layer SDXL was trained with; larger values skip more layers
     */
    public Embedding encode(TokenizedPrompt prompt, int clipSkip) {
        return encodeAll(List.of(prompt), clipSkip).getFirst();
    }

    /**
     * Encodes several prompts (a prompt and its negative) in one pass per tower: every chunk of every
     * prompt is a row of one batch, so the towers' weights are streamed once and their matrix
     * products see more rows. Rows are independent, and emphasis is applied per prompt and chunk, so
     * each result is what {@link #encode} gives for that prompt alone.
     */
    public List<Embedding> encodeAll(List<TokenizedPrompt> prompts, int clipSkip) {
        int t = ClipTokenizer.MAX_LENGTH, rows = 0;
        for (TokenizedPrompt p : prompts) rows += p.chunks().size();
        int[][] ids1 = new int[rows][], ids2 = new int[rows][];
        int r = 0;
        for (TokenizedPrompt p : prompts)
            for (TokenizedPrompt.Chunk c : p.chunks()) {
                ids1[r] = c.encoder1Ids();
                ids2[r++] = c.encoder2Ids();
            }
        ClipTextModel.Output l = clipL.forward(ids1, clipSkip), g = clipG.forward(ids2, clipSkip);
        int wl = l.width(), wg = g.width(), w = wl + wg;
        List<Embedding> out = new ArrayList<>(prompts.size());
        int first = 0; // the batch row of the prompt's first chunk
        for (TokenizedPrompt prompt : prompts) {
            List<TokenizedPrompt.Chunk> chunks = prompt.chunks();
            int n = chunks.size();
            float[] states = new float[n * t * w];
            for (int i = 0; i < n; i++) {
                int row = first + i;
                float[] zl = slice(l.penultimate(), row * t * wl, t * wl), zg = slice(g.penultimate(), row * t * wg, t * wg);
                if (prompt.weighted()) {
                    prompt.emphasis().apply(zl, chunks.get(i).multipliers(), wl);
                    prompt.emphasis().apply(zg, chunks.get(i).multipliers(), wg);
                }
                for (int k = 0; k < t; k++) {
                    int o = (i * t + k) * w;
                    System.arraycopy(zl, k * wl, states, o, wl);
                    System.arraycopy(zg, k * wg, states, o + wl, wg);
                }
            }
            out.add(new Embedding(states, n * t, w, slice(g.pooled(), first * pooledWidth(), pooledWidth())));
            first += n;
        }
        return out;
    }

    private static float[] slice(float[] a, int from, int len) {
        float[] r = new float[len];
        System.arraycopy(a, from, r, 0, len);
        return r;
    }
}
