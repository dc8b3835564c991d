package dev.animagine.core.text;

/** How a prompt becomes conditioning. */
public enum PromptMode {
    /** AUTOMATIC1111's: emphasis syntax, BREAK, 75-token chunks without limit, weights on the hidden states. */
    A1111,
    /** diffusers' {@code StableDiffusionXLPipeline}: the raw text, truncated to one 77-token window. */
    DIFFUSERS
}
