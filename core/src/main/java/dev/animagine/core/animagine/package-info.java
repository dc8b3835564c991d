/**
 * Animagine XL's prompt conventions, one library for the CLI, {@code generate} and the HTTP API.
 *
 * <p>Entry point: {@link dev.animagine.core.animagine.PromptBuilder#build} turns a
 * {@link dev.animagine.core.animagine.PromptRequest} (the user's tags and the {@code --animagine},
 * {@code --quality}, {@code --rating}, ... options) into a {@link dev.animagine.core.animagine.PromptResult}:
 * the final prompt and negative prompt, the image size and the lint warnings.
 *
 * <p>The per-version tables (quality, score, aesthetic, rating and year tags, default negatives,
 * recommended settings) are transcribed from the model cards in {@code ModelCards} and read through
 * {@link dev.animagine.core.animagine.AnimagineVersion#conventions()}. The version can be read from a
 * checkpoint's name ({@link dev.animagine.core.animagine.ModelFileName}); sizes come from the nine
 * trained buckets ({@link dev.animagine.core.animagine.ResolutionBuckets}); {@code __name__}
 * placeholders from {@link dev.animagine.core.animagine.Wildcards}. The rule about diffusers' 77-token
 * truncation counts tokens through {@link dev.animagine.core.animagine.TokenCounter}, which the CLIP
 * tokenizer implements.
 */
package dev.animagine.core.animagine;
