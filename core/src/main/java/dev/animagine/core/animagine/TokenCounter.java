package dev.animagine.core.animagine;

/**
 * Counts CLIP tokens, for the lint rule about diffusers' 77-token truncation. The CLIP tokenizer
 * lives in {@code dev.animagine.core.text}; this interface keeps the prompt conventions free of it.
 */
@FunctionalInterface
public interface TokenCounter {
    /** What one text window holds: 77 positions minus the BOS and EOS tokens. */
    int WINDOW = 75;

    /** The number of CLIP BPE tokens the text encodes to, without BOS and EOS. */
    int count(String text);
}
