package dev.animagine.core.text;

/**
 * SDXL's two tokenizers: {@code tokenizer} (CLIP ViT-L, pads with EOS) and {@code tokenizer_2}
 * (OpenCLIP bigG, same vocabulary, pads with id 0 = "!"), and where they were found.
 */
public record SdxlTokenizers(ClipTokenizer first, ClipTokenizer second, String source) {
    /** The pad token of SDXL's second tokenizer when no special_tokens_map.json says otherwise. */
    public static final String SECOND_PAD = "!";
}
