package dev.animagine.core.text;

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

        /** The hidden states repeated {@code times} along the sequence (attention over k copies of a context is unchanged). */
        public float[] repeated(int times) {
            float[] r = new float[hiddenStates.length * times];
            for (int i = 0; i < times; i++) System.arraycopy(hiddenStates, 0, r, i * hiddenStates.length, hiddenStates.length);
            return r;
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
        List<TokenizedPrompt.Chunk> chunks = prompt.chunks();
        int n = chunks.size(), t = ClipTokenizer.MAX_LENGTH;
        int[][] ids1 = new int[n][], ids2 = new int[n][];
        for (int i = 0; i < n; i++) {
            ids1[i] = chunks.get(i).encoder1Ids();
            ids2[i] = chunks.get(i).encoder2Ids();
        }
        ClipTextModel.Output l = clipL.forward(ids1, clipSkip), g = clipG.forward(ids2, clipSkip);
        int wl = l.width(), wg = g.width(), w = wl + wg;
        float[] out = new float[n * t * w];
        boolean weighted = prompt.weighted();
        for (int i = 0; i < n; i++) {
            float[] zl = slice(l.penultimate(), i * t * wl, t * wl), zg = slice(g.penultimate(), i * t * wg, t * wg);
            if (weighted) {
                prompt.emphasis().apply(zl, chunks.get(i).multipliers(), wl);
                prompt.emphasis().apply(zg, chunks.get(i).multipliers(), wg);
            }
            for (int k = 0; k < t; k++) {
                int o = (i * t + k) * w;
                System.arraycopy(zl, k * wl, out, o, wl);
                System.arraycopy(zg, k * wg, out, o + wl, wg);
            }
        }
        float[] pooled = slice(g.pooled(), 0, pooledWidth());
        return new Embedding(out, n * t, w, pooled);
    }

    private static float[] slice(float[] a, int from, int len) {
        float[] r = new float[len];
        System.arraycopy(a, from, r, 0, len);
        return r;
    }
}
