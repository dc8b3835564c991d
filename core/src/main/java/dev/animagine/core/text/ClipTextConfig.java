package dev.animagine.core.text;

/**
 * A CLIP text tower (transformers' {@code CLIPTextConfig} names). SDXL uses two: CLIP ViT-L/14
 * ({@link #CLIP_L}: quick_gelu, no projection used) and OpenCLIP ViT-bigG/14 ({@link #CLIP_G}: gelu,
 * 1280x1280 text projection for the pooled embedding).
 *
 * @param hiddenAct      "quick_gelu" or "gelu"
 * @param projectionDim  width of {@code text_projection} output, 0 when the tower has none
 */
public record ClipTextConfig(
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int maxPositionEmbeddings,
        String hiddenAct,
        double layerNormEps,
        int projectionDim) {

    public static final ClipTextConfig CLIP_L = new ClipTextConfig(49408, 768, 3072, 12, 12, 77, "quick_gelu", 1e-5, 0);
    public static final ClipTextConfig CLIP_G = new ClipTextConfig(49408, 1280, 5120, 32, 20, 77, "gelu", 1e-5, 1280);

    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }
}
