package dev.animagine.core.pipeline;

import dev.animagine.core.text.SdxlTextEncoder.Embedding;
import dev.animagine.core.text.TokenizedPrompt;

/**
 * The encoded prompt and negative prompt of one request: diffusers' {@code prompt_embeds},
 * {@code pooled_prompt_embeds}, {@code negative_prompt_embeds}, {@code negative_pooled_prompt_embeds}.
 *
 * @param negative null when classifier-free guidance is off
 */
public record TextConditioning(Embedding positive, Embedding negative, TokenizedPrompt positiveTokens, TokenizedPrompt negativeTokens) {}
