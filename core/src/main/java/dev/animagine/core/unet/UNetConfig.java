package dev.animagine.core.unet;

import java.util.List;

/**
 * The SDXL UNet's architecture, with diffusers' {@code UNet2DConditionModel} config names so a
 * reader who knows diffusers recognises it. Detected from the weights (or read from
 * {@code unet/config.json}); full SDXL base is {@link #SDXL}.
 *
 * @param blockOutChannels          channels per level, e.g. [320, 640, 1280]
 * @param layersPerBlock            resnets per down level (up levels have one more)
 * @param transformerLayersPerBlock Transformer2D depth per level (down order; the mid block uses the last)
 * @param attentionHeads            attention heads per level (diffusers calls this {@code attention_head_dim})
 * @param crossAttention            whether each down level has cross-attention (CrossAttnDownBlock2D)
 * @param addTimeEmbedDim           sinusoid width for each of the six size/crop ids
 * @param projectionClassEmbeddingsInputDim pooled text width + 6 * addTimeEmbedDim
 */
public record UNetConfig(
        int inChannels,
        int outChannels,
        List<Integer> blockOutChannels,
        int layersPerBlock,
        List<Integer> transformerLayersPerBlock,
        List<Integer> attentionHeads,
        List<Boolean> crossAttention,
        int crossAttentionDim,
        int addTimeEmbedDim,
        int projectionClassEmbeddingsInputDim,
        int normNumGroups,
        boolean useLinearProjection) {

    public static final UNetConfig SDXL = new UNetConfig(4, 4, List.of(320, 640, 1280), 2, List.of(1, 2, 10),
            List.of(5, 10, 20), List.of(false, true, true), 2048, 256, 2816, 32, true);

    public int levels() {
        return blockOutChannels.size();
    }

    /** Width of the timestep embedding (4 x the first level's channels, as in diffusers). */
    public int timeEmbedDim() {
        return 4 * blockOutChannels.getFirst();
    }

    /** Width of the pooled text embedding fed to the {@code text_time} embedding. */
    public int pooledTextDim() {
        return projectionClassEmbeddingsInputDim - 6 * addTimeEmbedDim;
    }

    public int headDim(int level) {
        return blockOutChannels.get(level) / attentionHeads.get(level);
    }
}
