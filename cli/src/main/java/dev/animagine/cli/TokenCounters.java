package dev.animagine.cli;

import dev.animagine.core.AnimagineException;
import dev.animagine.core.animagine.TokenCounter;
import dev.animagine.core.text.SdxlTokenizers;
import dev.animagine.core.text.TokenizerLocator;

import java.nio.file.Path;

/** CLIP token counts for the prompt linter, from the first SDXL tokenizer. */
final class TokenCounters {
    private TokenCounters() {}

    static TokenCounter of(SdxlTokenizers tokenizers) {
        return text -> tokenizers.first().encode(text).length;
    }

    /**
     * The counter of the vocabulary found for {@code model} / {@code tokenizerDir}; null when none is
     * found and none was asked for explicitly (the 77-token rule is then skipped).
     */
    static TokenCounter find(Path model, Path tokenizerDir) {
        try {
            return of(TokenizerLocator.find(model, tokenizerDir));
        } catch (AnimagineException e) {
            if (tokenizerDir != null) throw e;
            return null;
        }
    }
}
