package dev.animagine.core.text;

import dev.animagine.core.AnimagineException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Prompt → {@link TokenizedPrompt} for SDXL, in A1111's way (default) or diffusers'.
 * <ul>
 * <li>A1111: {@link EmphasisParser} (unless emphasis is "None"), {@link PromptChunker} with the CLIP-L
 *     tokenizer; encoder 1 gets the chunks as built; encoder 2 (OpenCLIP bigG, whose {@code id_pad} is 0)
 *     gets them with every position after the first EOS set to 0.
 * <li>diffusers: no syntax; each tokenizer's {@link ClipTokenizer#window}: BOS + first 75 + EOS + its pad.
 * </ul>
 * Both SDXL tokenizers share one vocabulary, so A1111's separate chunking per encoder gives identical
 * chunks; they are built once here.
 */
public final class PromptTokenizer {
    /** A1111's {@code FrozenOpenCLIPEmbedder2WithCustomWords.id_pad}. */
    static final int A1111_ENCODER2_PAD = 0;

    private final SdxlTokenizers tokenizers;
    private final PromptMode mode;
    private final A1111Settings settings;

    public PromptTokenizer(SdxlTokenizers tokenizers, PromptMode mode, A1111Settings settings) {
        this.tokenizers = tokenizers;
        this.mode = mode;
        this.settings = settings;
    }

    public PromptTokenizer(SdxlTokenizers tokenizers, PromptMode mode) {
        this(tokenizers, mode, A1111Settings.DEFAULTS);
    }

    public SdxlTokenizers tokenizers() {
        return tokenizers;
    }

    public TokenizedPrompt tokenize(String prompt) {
        return mode == PromptMode.DIFFUSERS ? diffusers(prompt) : a1111(prompt);
    }

    private TokenizedPrompt diffusers(String prompt) {
        ClipTokenizer t1 = tokenizers.first(), t2 = tokenizers.second();
        int[] ids1 = t1.encode(prompt), ids2 = t2.vocabulary() == t1.vocabulary() ? ids1 : t2.encode(prompt);
        double[] ones = new double[ClipTokenizer.MAX_LENGTH];
        Arrays.fill(ones, 1.0);
        int kept = Math.min(ids1.length, ClipTokenizer.CHUNK_LENGTH);
        var chunk = new TokenizedPrompt.Chunk(t1.window(ids1), t2.window(ids2), ones, kept);
        return new TokenizedPrompt(PromptMode.DIFFUSERS, EmphasisMode.NONE, List.of(chunk), ids1.length, ids1.length - kept);
    }

    private TokenizedPrompt a1111(String prompt) {
        ClipTokenizer t1 = tokenizers.first();
        if (t1.comma() < 0) throw new AnimagineException(t1.vocabulary().source() + ": the vocabulary has no ',</w>' token");
        List<WeightedText> parsed = settings.emphasis().parsesSyntax() ? EmphasisParser.parse(prompt) : List.of(new WeightedText(prompt, 1.0));
        PromptChunker.Result r = PromptChunker.tokenizeLine(parsed, t1::encode, t1.comma(), t1.bos(), t1.eos(), settings.commaPaddingBacktrack());
        List<TokenizedPrompt.Chunk> chunks = new ArrayList<>(r.chunks().size());
        for (PromptChunker.Chunk c : r.chunks())
            chunks.add(new TokenizedPrompt.Chunk(c.tokens(), padAfterFirstEos(c.tokens(), t1.eos(), A1111_ENCODER2_PAD), c.multipliers(), c.length()));
        return new TokenizedPrompt(PromptMode.A1111, settings.emphasis(), chunks, r.tokenCount(), 0);
    }

    /** A1111's {@code process_tokens} for an encoder whose pad differs from EOS. */
    static int[] padAfterFirstEos(int[] tokens, int eos, int pad) {
        int[] out = tokens.clone();
        for (int i = 0; i < out.length; i++) {
            if (out[i] == eos) {
                Arrays.fill(out, i + 1, out.length, pad);
                break;
            }
        }
        return out;
    }
}
