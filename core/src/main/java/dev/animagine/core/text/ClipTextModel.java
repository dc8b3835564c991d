package dev.animagine.core.text;

import dev.animagine.core.AnimagineException;
import dev.animagine.core.tensor.Weights;
import dev.animagine.core.nn.LayerNorm;
import dev.animagine.core.nn.Linear;
import dev.animagine.core.tensor.Attention;
import dev.animagine.core.tensor.Ops;
import dev.animagine.core.tensor.StoredTensor;

import java.util.ArrayList;
import java.util.List;

/**
 * A CLIP text transformer (transformers' {@code CLIPTextModel} / {@code CLIPTextModelWithProjection},
 * weights under its key names): token + learned position embeddings, pre-LayerNorm blocks of causal
 * self-attention and an MLP (QuickGELU for CLIP-L, GELU for bigG), a final LayerNorm.
 * SDXL reads the penultimate block's output (no final norm) and, from the second tower, the
 * final-normed hidden state at the end token projected by {@code text_projection}.
 */
public final class ClipTextModel {
    private final ClipTextConfig config;
    private final StoredTensor tokenEmbedding;
    private final float[] positionEmbedding;
    private final List<Layer> layers = new ArrayList<>();
    private final LayerNorm finalLayerNorm;
    private final Linear textProjection;

    private record Layer(LayerNorm norm1, Linear q, Linear k, Linear v, Linear out, LayerNorm norm2, Linear fc1, Linear fc2) {}

    /** The hidden states SDXL uses from one forward pass over a batch of 77-token windows. */
    public record Output(float[] penultimate, float[] pooled, int batch, int tokens, int width) {}

    public ClipTextModel(ClipTextConfig config, Weights w) {
        this.config = config;
        int width = config.hiddenSize();
        this.tokenEmbedding = w.get("text_model.embeddings.token_embedding.weight", config.vocabSize(), width);
        this.positionEmbedding = w.get("text_model.embeddings.position_embedding.weight", config.maxPositionEmbeddings(), width).toFloats();
        double eps = config.layerNormEps();
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            String p = "text_model.encoder.layers." + i + ".";
            layers.add(new Layer(
                    LayerNorm.load(w, p + "layer_norm1", eps),
                    Linear.load(w, p + "self_attn.q_proj", true),
                    Linear.load(w, p + "self_attn.k_proj", true),
                    Linear.load(w, p + "self_attn.v_proj", true),
                    Linear.load(w, p + "self_attn.out_proj", true),
                    LayerNorm.load(w, p + "layer_norm2", eps),
                    Linear.load(w, p + "mlp.fc1", true),
                    Linear.load(w, p + "mlp.fc2", true)));
        }
        this.finalLayerNorm = LayerNorm.load(w, "text_model.final_layer_norm", eps);
        this.textProjection = config.projectionDim() > 0 ? Linear.load(w, "text_projection", false) : null;
    }

    public ClipTextConfig config() {
        return config;
    }

    /**
     * Encodes {@code ids[batch][tokens]}; the pooled output (null for a tower without projection)
     * is taken at each row's first end token (the position of the largest id, as transformers does).
     *
     * @param skipLayers 1 for SDXL's penultimate layer (A1111's "clip skip" adds more)
     */
    public Output forward(int[][] ids, int skipLayers) {
        int batch = ids.length, t = ids[0].length, d = config.hiddenSize();
        if (t > config.maxPositionEmbeddings())
            throw new IllegalArgumentException(t + " tokens exceed the " + config.maxPositionEmbeddings() + " positions");
        float[] x = new float[batch * t * d];
        for (int b = 0; b < batch; b++)
            for (int i = 0; i < t; i++) {
                int id = ids[b][i];
                if (id < 0 || id >= config.vocabSize())
                    throw new AnimagineException("token id " + id + " is outside the text encoder's vocabulary of " + config.vocabSize());
                int o = (b * t + i) * d;
                tokenEmbedding.toFloats((long) id * d, x, o, d);
                for (int j = 0; j < d; j++) x[o + j] += positionEmbedding[i * d + j];
            }
        int rows = batch * t;
        int keep = layers.size() - skipLayers; // hidden_states[-1 - skipLayers] is the output of this many layers
        float[] penultimate = null;
        for (int li = 0; li < layers.size(); li++) {
            x = block(layers.get(li), x, batch, t);
            if (li + 1 == keep) penultimate = x.clone();
            if (li + 1 >= keep && textProjection == null) break; // nothing after it is used
        }
        float[] pooled = null;
        if (textProjection != null) {
            float[] normed = finalLayerNorm.forward(x, rows);
            float[] eos = new float[batch * d];
            for (int b = 0; b < batch; b++) {
                int at = argmax(ids[b]);
                System.arraycopy(normed, (b * t + at) * d, eos, b * d, d);
            }
            pooled = textProjection.forward(eos, batch);
        }
        return new Output(penultimate, pooled, batch, t, d);
    }

    private float[] block(Layer l, float[] x, int batch, int t) {
        int rows = batch * t, d = config.hiddenSize(), heads = config.numAttentionHeads();
        float[] h = l.norm1.forward(x, rows);
        float[] q = l.q.forward(h, rows), k = l.k.forward(h, rows), v = l.v.forward(h, rows);
        float[] a = new float[rows * d];
        Attention.forward(q, 0, d, k, 0, d, v, 0, d, a, 0, d, batch, heads, t, t, d / heads, true);
        l.out.forwardAdd(a, rows, x);
        h = l.norm2.forward(x, rows);
        float[] m = l.fc1.forward(h, rows);
        if (config.hiddenAct().equals("quick_gelu")) Ops.quickGeluInPlace(m);
        else Ops.geluInPlace(m);
        l.fc2.forwardAdd(m, rows, x);
        return x;
    }

    private static int argmax(int[] ids) {
        int best = 0;
        for (int i = 1; i < ids.length; i++) if (ids[i] > ids[best]) best = i;
        return best;
    }
}
