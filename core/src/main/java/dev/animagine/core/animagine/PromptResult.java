package dev.animagine.core.animagine;

import java.util.List;

/**
 * The prompts and size exactly as {@code generate} uses them, with the lint findings.
 *
 * @param prompt         the final prompt
 * @param negativePrompt the final negative prompt ("" when there is none)
 * @param width          image width in pixels
 * @param height         image height in pixels
 * @param warnings       lint findings and notes, in the order found
 * @param version        the conventions applied
 * @param recommended    the version's recommended sampler, steps and CFG
 * @param seed           the seed the wildcard draws used, or null when the prompt had none
 */
public record PromptResult(
        String prompt,
        String negativePrompt,
        int width,
        int height,
        List<PromptWarning> warnings,
        AnimagineVersion version,
        Recommended recommended,
        Long seed) {

    public PromptResult {
        warnings = List.copyOf(warnings);
    }
}
