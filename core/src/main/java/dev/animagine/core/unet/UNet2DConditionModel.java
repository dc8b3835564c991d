package dev.animagine.core.unet;

import dev.animagine.core.tensor.Weights;
import dev.animagine.core.nn.Downsample2D;
import dev.animagine.core.nn.GroupNorm;
import dev.animagine.core.nn.Linear;
import dev.animagine.core.nn.ResnetBlock2D;
import dev.animagine.core.nn.Upsample2D;
import dev.animagine.core.tensor.Buffers;
import dev.animagine.core.tensor.Conv2d;
import dev.animagine.core.tensor.Ops;
import dev.animagine.core.tensor.Tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The SDXL UNet (diffusers' {@code UNet2DConditionModel} with {@code addition_embed_type="text_time"}):
 * predicts the noise in a latent given the timestep, the text conditioning (cross-attention) and the
 * pooled text embedding with the six size/crop ids. The structure (levels, resnets per level,
 * transformer depths, heads) comes from {@link UNetConfig}, so miniature and full-size models run
 * the same code.
 */
public final class UNet2DConditionModel {
    private static final double RESNET_EPS = 1e-5;

    private final UNetConfig config;
    private final Linear timeLinear1, timeLinear2, addLinear1, addLinear2;
    private final Conv2d convIn, convOut;
    private final GroupNorm convNormOut;
    private final List<Level> down = new ArrayList<>(), up = new ArrayList<>();
    private final ResnetBlock2D midResnet0;
    private final List<Transformer2DModel> midAttentions = new ArrayList<>();
    private final List<ResnetBlock2D> midResnets = new ArrayList<>();

    /** One down or up block: resnets, each optionally followed by a transformer, then a resampler. */
    private record Level(List<ResnetBlock2D> resnets, List<Transformer2DModel> attentions,
                         Downsample2D downsampler, Upsample2D upsampler) {}

    /**
     * The conditioning of one run's UNet evaluations: text context, pooled text embeddings, size
     * conditioning, and the run's cache of the context's cross-attention keys and values.
     */
    public record Conditioning(float[] encoderHiddenStates, int contextTokens, float[] textEmbeds, float[] timeIds,
                               TextKeyValues keyValues) {
        /** A conditioning with an empty key/value cache of its own. */
        public Conditioning(float[] encoderHiddenStates, int contextTokens, float[] textEmbeds, float[] timeIds) {
            this(encoderHiddenStates, contextTokens, textEmbeds, timeIds, new TextKeyValues());
        }

        /** Rows of conditioning: 1, or 2 for a classifier-free-guidance batch [negative; positive]. */
        public int batch() {
            return timeIds.length / 6;
        }
    }

    public UNet2DConditionModel(UNetConfig config, Weights w) {
        this.config = config;
        int groups = config.normNumGroups(), levels = config.levels();
        timeLinear1 = Linear.load(w, "time_embedding.linear_1", true);
        timeLinear2 = Linear.load(w, "time_embedding.linear_2", true);
        addLinear1 = Linear.load(w, "add_embedding.linear_1", true);
        addLinear2 = Linear.load(w, "add_embedding.linear_2", true);
        convIn = ResnetBlock2D.conv(w, "conv_in", 1, 1);
        for (int i = 0; i < levels; i++) {
            String p = "down_blocks." + i;
            List<ResnetBlock2D> res = new ArrayList<>();
            List<Transformer2DModel> att = new ArrayList<>();
            for (int j = 0; j < config.layersPerBlock(); j++) {
                res.add(new ResnetBlock2D(w, p + ".resnets." + j, groups, RESNET_EPS));
                if (config.crossAttention().get(i))
                    att.add(new Transformer2DModel(w, p + ".attentions." + j, config.transformerLayersPerBlock().get(i),
                            config.attentionHeads().get(i), groups));
            }
            Downsample2D ds = i < levels - 1 ? new Downsample2D(w, p + ".downsamplers.0", false) : null;
            down.add(new Level(res, att, ds, null));
        }
        int last = levels - 1;
        midResnet0 = new ResnetBlock2D(w, "mid_block.resnets.0", groups, RESNET_EPS);
        midAttentions.add(new Transformer2DModel(w, "mid_block.attentions.0", config.transformerLayersPerBlock().get(last),
                config.attentionHeads().get(last), groups));
        midResnets.add(new ResnetBlock2D(w, "mid_block.resnets.1", groups, RESNET_EPS));
        for (int i = 0; i < levels; i++) {
            int level = last - i; // up block i mirrors down level L-1-i
            String p = "up_blocks." + i;
            List<ResnetBlock2D> res = new ArrayList<>();
            List<Transformer2DModel> att = new ArrayList<>();
            for (int j = 0; j < config.layersPerBlock() + 1; j++) {
                res.add(new ResnetBlock2D(w, p + ".resnets." + j, groups, RESNET_EPS));
                if (config.crossAttention().get(level))
                    att.add(new Transformer2DModel(w, p + ".attentions." + j, config.transformerLayersPerBlock().get(level),
                            config.attentionHeads().get(level), groups));
            }
            Upsample2D us = i < last ? new Upsample2D(w, p + ".upsamplers.0") : null;
            up.add(new Level(res, att, null, us));
        }
        convNormOut = GroupNorm.load(w, "conv_norm_out", groups, RESNET_EPS);
        convOut = ResnetBlock2D.conv(w, "conv_out", 1, 1);
    }

    public UNetConfig config() {
        return config;
    }

    /**
     * @param sample    latents [batch, in, h, w]
     * @param timesteps one timestep per batch row
     */
    public Tensor forward(Tensor sample, float[] timesteps, Conditioning cond) {
        return forward(sample, timesteps, cond, null);
    }

    /**
     * {@link #forward(Tensor, float[], Conditioning)} with DeepCache: a full call keeps the deep
     * feature in {@code cache}, a shallow one runs only the shallow branch on the cached feature.
     * A null cache is the plain UNet.
     */
    public Tensor forward(Tensor sample, float[] timesteps, Conditioning cond, DeepCache cache) {
        int batch = sample.dim(0);
        float[] siluEmb = timeAndAddedEmbedding(timesteps, cond, batch);
        Ops.siluInPlace(siluEmb); // every resnet applies SiLU before its time projection

        if (cache != null && cache.depth() > config.layersPerBlock())
            throw new IllegalArgumentException("DeepCache depth " + cache.depth() + " exceeds the " + config.layersPerBlock() + " layers per block");
        Tensor feature = cache == null ? null : cache.beginCall(batch, sample.dim(2), sample.dim(3));
        if (feature != null) return shallow(sample, siluEmb, cond, feature, cache.depth());
        // the skip point: the input of this resnet of the last up block (it joins conv_in's skip at depth 0)
        int cacheAt = cache == null ? -1 : config.layersPerBlock() - cache.depth();

        Tensor h = convIn.forward(sample);
        // every intermediate goes back to Buffers as soon as nothing reads it; skips when joined
        Deque<Tensor> skips = new ArrayDeque<>();
        skips.push(h);
        for (Level l : down) {
            for (int j = 0; j < l.resnets.size(); j++) {
                h = l.resnets.get(j).forward(h, siluEmb); // its input is a skip
                if (!l.attentions.isEmpty()) h = replace(h, l.attentions.get(j).forward(h, cond));
                skips.push(h);
            }
            if (l.downsampler != null) {
                h = l.downsampler.forward(h);
                skips.push(h);
            }
        }
        h = midResnet0.forward(h, siluEmb);
        for (int j = 0; j < midAttentions.size(); j++) {
            h = replace(h, midAttentions.get(j).forward(h, cond));
            h = replace(h, midResnets.get(j).forward(h, siluEmb));
        }
        for (Level l : up) {
            boolean lastLevel = l == up.getLast();
            for (int j = 0; j < l.resnets.size(); j++) {
                if (lastLevel && j == cacheAt) cache.store(h);
                h = upLayer(l, j, h, skips.pop(), siluEmb, cond);
            }
            if (l.upsampler != null) {
                Tensor next = skips.peek(); // upsample to the size of the skip it will be joined with
                h = replace(h, l.upsampler.forward(h, next.dim(2), next.dim(3)));
            }
        }
        convNormOut.forwardInPlace(h, true);
        Tensor out = convOut.forward(h);
        Buffers.give(h);
        return out;
    }

    /**
     * DeepCache's shallow branch: conv_in and the first {@code depth} layers of down block 0 (their
     * outputs are the skips), then the last up block from the skip point on, starting from the
     * cached deep feature (which this call owns), and the output head.
     */
    private Tensor shallow(Tensor sample, float[] siluEmb, Conditioning cond, Tensor feature, int depth) {
        Tensor h = convIn.forward(sample);
        Deque<Tensor> skips = new ArrayDeque<>();
        skips.push(h);
        Level first = down.getFirst();
        for (int j = 0; j < depth; j++) {
            h = first.resnets.get(j).forward(h, siluEmb);
            if (!first.attentions.isEmpty()) h = replace(h, first.attentions.get(j).forward(h, cond));
            skips.push(h);
        }
        h = feature;
        Level last = up.getLast();
        for (int j = config.layersPerBlock() - depth; j < last.resnets.size(); j++) {
            h = upLayer(last, j, h, skips.pop(), siluEmb, cond);
        }
        convNormOut.forwardInPlace(h, true);
        Tensor out = convOut.forward(h);
        Buffers.give(h);
        return out;
    }

    /** Up-block layer {@code j}: {@code h} joined with its skip (both handed back), the resnet, then the transformer if any. */
    private static Tensor upLayer(Level l, int j, Tensor h, Tensor skip, float[] siluEmb, Conditioning cond) {
        int batch = h.dim(0);
        int hw = h.dim(2) * h.dim(3);
        Tensor cat = new Tensor(Ops.concatChannels(h.data(), h.dim(1), skip.data(), skip.dim(1), batch, hw),
                batch, h.dim(1) + skip.dim(1), h.dim(2), h.dim(3));
        Buffers.give(h);
        Buffers.give(skip);
        Tensor out = replace(cat, l.resnets.get(j).forward(cat, siluEmb));
        return l.attentions.isEmpty() ? out : replace(out, l.attentions.get(j).forward(out, cond));
    }

    /** Hands {@code old} back to {@link Buffers} and returns {@code next}. */
    private static Tensor replace(Tensor old, Tensor next) {
        Buffers.give(old);
        return next;
    }

    /** time_embedding(sinusoid(t)) + add_embedding([text_embeds, sinusoid(time_ids)]), [batch, tembDim]. */
    float[] timeAndAddedEmbedding(float[] timesteps, Conditioning cond, int batch) {
        if (timesteps.length != batch) throw new IllegalArgumentException(timesteps.length + " timesteps for batch " + batch);
        float[] tProj = TimestepEmbedding.sinusoidal(timesteps, config.blockOutChannels().getFirst());
        float[] emb = mlp(timeLinear1, timeLinear2, tProj, batch);
        int addDim = config.addTimeEmbedDim(), pooled = config.pooledTextDim();
        float[] idsProj = TimestepEmbedding.sinusoidal(cond.timeIds(), addDim); // [batch*6, addDim] = [batch, 6*addDim]
        float[] addIn = new float[batch * config.projectionClassEmbeddingsInputDim()];
        for (int b = 0; b < batch; b++) {
            int o = b * config.projectionClassEmbeddingsInputDim();
            System.arraycopy(cond.textEmbeds(), b * pooled, addIn, o, pooled);
            System.arraycopy(idsProj, b * 6 * addDim, addIn, o + pooled, 6 * addDim);
        }
        float[] aug = mlp(addLinear1, addLinear2, addIn, batch);
        Ops.addInPlace(emb, aug);
        return emb;
    }

    private static float[] mlp(Linear l1, Linear l2, float[] x, int rows) {
        float[] h = l1.forward(x, rows);
        Ops.siluInPlace(h);
        return l2.forward(h, rows);
    }
}
