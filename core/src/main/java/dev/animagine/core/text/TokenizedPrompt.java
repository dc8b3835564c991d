package dev.animagine.core.text;

import java.util.List;

/**
 * A prompt ready for SDXL's two text encoders: one or more 77-token chunks, each encoded on its own
 * and concatenated along the sequence (the pooled embedding comes from the first chunk).
 *
 * @param tokenCount      A1111 mode: the counter A1111 shows (75 per closed chunk + the last one's
 *                        length); diffusers mode: the prompt's token count before truncation
 * @param droppedTokens   tokens cut off by diffusers' truncation (always 0 in A1111 mode)
 */
public record TokenizedPrompt(PromptMode mode, EmphasisMode emphasis, List<Chunk> chunks, int tokenCount, int droppedTokens) {

    /**
     * @param encoder1Ids  the 77 ids CLIP ViT-L is fed
     * @param encoder2Ids  the 77 ids OpenCLIP bigG is fed (padding after the first EOS is 0)
     * @param multipliers  77 per-token weights (1.0 at BOS, EOS and padding)
     * @param length       prompt tokens in the chunk, before padding
     */
    public record Chunk(int[] encoder1Ids, int[] encoder2Ids, double[] multipliers, int length) {}

    public TokenizedPrompt {
        chunks = List.copyOf(chunks);
    }

    /** A1111's "of N" in "79/150": the count rounded up to whole chunks. */
    public int targetTokenCount() {
        return mode == PromptMode.DIFFUSERS ? ClipTokenizer.CHUNK_LENGTH
                : Math.ceilDiv(Math.max(tokenCount, 1), ClipTokenizer.CHUNK_LENGTH) * ClipTokenizer.CHUNK_LENGTH;
    }

    /** Whether any multiplier differs from 1 (so emphasis must be applied). */
    public boolean weighted() {
        for (Chunk c : chunks)
            for (double m : c.multipliers()) if (m != 1.0) return true;
        return false;
    }
}
