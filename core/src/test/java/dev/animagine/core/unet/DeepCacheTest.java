package dev.animagine.core.unet;

import com.fasterxml.jackson.databind.JsonNode;
import dev.animagine.core.io.Checkpoint;
import dev.animagine.core.nn.GroupNorm;
import dev.animagine.core.nn.ResnetBlock2D;
import dev.animagine.core.tensor.BufferPool;
import dev.animagine.core.tensor.Buffers;
import dev.animagine.core.tensor.Conv2d;
import dev.animagine.core.tensor.FlopCounter;
import dev.animagine.core.tensor.Ops;
import dev.animagine.core.tensor.Tensor;
import dev.animagine.core.tensor.Weights;
import dev.animagine.core.testing.Fixtures;
import dev.animagine.core.testing.TestModels;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * DeepCache on every miniature UNet of unet/index.json: interval 1 is the plain UNet bit for bit;
 * with interval 3 the calls run full, shallow, shallow, full... (counted FLOPs), a shallow call on
 * the inputs of the full call before it reproduces that call exactly (so the cached feature is the
 * one the full UNet feeds the skip point), a shallow call on new inputs equals the branch composed
 * here by hand from the weights, a one-row call reuses the prompt's (last) row (and the two rows of
 * a batch of 2 the last two of four), and release hands the feature back to the run's pool.
 */
class DeepCacheTest {
    private static final double EPS = 1e-5;

    @TestFactory
    List<DynamicTest> deepCacheOnEveryMiniatureUnet() {
        Set<String> models = new LinkedHashSet<>();
        for (JsonNode c : Fixtures.cases("unet")) models.add(c.get("model").get("path").asText());
        assertThat(models).isNotEmpty();
        List<DynamicTest> tests = new ArrayList<>();
        for (String m : models) tests.add(DynamicTest.dynamicTest(m, () -> check(m)));
        return tests;
    }

    private record Inputs(Tensor sample, float[] t, UNet2DConditionModel.Conditioning cond) {}

    private static Inputs inputs(UNetConfig cfg, int batch, int h, int w, long seed) {
        Random r = new Random(seed);
        int ctx = 7;
        float[] x = rand(r, batch * cfg.inChannels() * h * w);
        var cond = new UNet2DConditionModel.Conditioning(rand(r, batch * ctx * cfg.crossAttentionDim()), ctx,
                rand(r, batch * cfg.pooledTextDim()), ids(batch, h, w));
        float[] t = new float[batch];
        java.util.Arrays.fill(t, 100 + r.nextInt(800));
        return new Inputs(new Tensor(x, batch, cfg.inChannels(), h, w), t, cond);
    }

    private static float[] ids(int batch, int h, int w) {
        float[] ids = new float[6 * batch];
        for (int b = 0; b < batch; b++) System.arraycopy(new float[] {8 * h, 8 * w, 0, 0, 8 * h, 8 * w}, 0, ids, 6 * b, 6);
        return ids;
    }

    private static float[] rand(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        return a;
    }

    private static Tensor copy(Tensor t) {
        return new Tensor(t.data().clone(), t.shape());
    }

    static void check(String modelPath) {
        Checkpoint ckpt = TestModels.open(modelPath);
        UNetConfig cfg = ckpt.architecture().unet();
        Weights w = ckpt.unet();
        UNet2DConditionModel unet = new UNet2DConditionModel(cfg, w);
        int h = 16, wd = 12;
        Inputs a = inputs(cfg, 2, h, wd, 1), b = inputs(cfg, 2, h, wd, 2), c = inputs(cfg, 2, h, wd, 3);

        // interval 1: every call is the plain UNet
        DeepCache every = new DeepCache(1);
        for (Inputs in : List.of(a, b, c))
            assertThat(unet.forward(copy(in.sample), in.t, in.cond, every).data()).isEqualTo(unet.forward(copy(in.sample), in.t, in.cond).data());
        assertThat(every.shallowCalls()).isZero();

        // interval 3: full, shallow, shallow, full, ... by FLOPs
        long full = flops(() -> unet.forward(copy(a.sample), a.t, a.cond));
        DeepCache dc = new DeepCache(3);
        List<Long> counted = new ArrayList<>();
        List<Inputs> calls = List.of(a, b, c, a, b, c, a);
        for (Inputs in : calls) counted.add(flops(() -> unet.forward(copy(in.sample), in.t, in.cond, dc)));
        long shallow = counted.get(1);
        assertThat(shallow).isLessThan(full / 2);
        assertThat(counted).containsExactly(full, shallow, shallow, full, shallow, shallow, full);
        assertThat(dc.fullCalls()).isEqualTo(3);
        assertThat(dc.shallowCalls()).isEqualTo(4);
        System.out.printf("%s: full call %d FLOPs, shallow call %d (%.2f%%)%n", modelPath, full, shallow, 100.0 * shallow / full);

        // a shallow call on the inputs of the full call before it reproduces that call bit for bit
        DeepCache same = new DeepCache(2);
        float[] fullOut = unet.forward(copy(a.sample), a.t, a.cond, same).data();
        float[] shallowOut = unet.forward(copy(a.sample), a.t, a.cond, same).data();
        assertThat(same.shallowCalls()).isEqualTo(1);
        assertThat(shallowOut).isEqualTo(fullOut);

        // a shallow call on new inputs equals the shallow branch composed by hand on the cached feature
        Tensor feature = copy(same.cached());
        float[] expected = byHand(unet, cfg, w, b, feature, 1).data();
        DeepCache next = new DeepCache(2);
        unet.forward(copy(a.sample), a.t, a.cond, next);
        long[] shallowFlops = new long[1];
        float[] got = flops(() -> unet.forward(copy(b.sample), b.t, b.cond, next), shallowFlops).data();
        assertThat(got).isEqualTo(expected);
        long handFlops = flops(() -> byHand(unet, cfg, w, b, copy(feature), 1));
        assertThat(shallowFlops[0]).isEqualTo(handFlops);

        // depth 0 (the pip helper's cache_branch_id=0): conv_in's skip only
        DeepCache d0 = new DeepCache(2, 0);
        unet.forward(copy(a.sample), a.t, a.cond, d0);
        Tensor f0 = copy(d0.cached());
        assertThat(unet.forward(copy(b.sample), b.t, b.cond, d0).data()).isEqualTo(byHand(unet, cfg, w, b, f0, 0).data());

        // one row after a two-row full call: the prompt's (last) row of the feature
        Inputs one = inputs(cfg, 1, h, wd, 4);
        DeepCache rows = new DeepCache(2);
        unet.forward(copy(a.sample), a.t, a.cond, rows);
        int half = rows.cached().numel() / 2;
        Tensor lastRow = new Tensor(java.util.Arrays.copyOfRange(rows.cached().data(), half, 2 * half), 1,
                rows.cached().dim(1), h, wd);
        assertThat(unet.forward(copy(one.sample), one.t, one.cond, rows).data()).isEqualTo(byHand(unet, cfg, w, one, lastRow, 1).data());
        assertThat(rows.shallowCalls()).isEqualTo(1);
        // a batch of 2: two rows after a four-row full call ([negatives; prompts]) reuse the last two
        Inputs four = inputs(cfg, 4, h, wd, 5);
        DeepCache wide = new DeepCache(3);
        unet.forward(copy(four.sample), four.t, four.cond, wide);
        int quarter = wide.cached().numel() / 4;
        Tensor prompts = new Tensor(java.util.Arrays.copyOfRange(wide.cached().data(), 2 * quarter, 4 * quarter), 2,
                wide.cached().dim(1), h, wd);
        assertThat(unet.forward(copy(b.sample), b.t, b.cond, wide).data()).isEqualTo(byHand(unet, cfg, w, b, prompts, 1).data());
        assertThat(wide.shallowCalls()).isEqualTo(1);
        // one row after four: no fitting cache, so the full UNet runs
        assertThat(unet.forward(copy(one.sample), one.t, one.cond, wide).data()).isEqualTo(unet.forward(copy(one.sample), one.t, one.cond).data());
        assertThat(wide.fullCalls()).isEqualTo(2);
        // two rows after a one-row full call: no fitting cache, so the full UNet runs
        DeepCache narrow = new DeepCache(2);
        unet.forward(copy(one.sample), one.t, one.cond, narrow);
        assertThat(unet.forward(copy(b.sample), b.t, b.cond, narrow).data()).isEqualTo(unet.forward(copy(b.sample), b.t, b.cond).data());
        assertThat(narrow.fullCalls()).isEqualTo(2);

        // release hands the feature back to the run's pool, once
        BufferPool pool = new BufferPool();
        Buffers.withPool(pool, () -> {
            DeepCache pooled = new DeepCache(3);
            for (Inputs in : List.of(a, b, c)) Buffers.give(unet.forward(copy(in.sample), in.t, in.cond, pooled));
            assertThat(pooled.holdsFeature()).isTrue();
            int size = pooled.cached().numel();
            Buffers.clear();
            pooled.release();
            assertThat(pooled.holdsFeature()).isFalse();
            assertThat(pool.idleBytes()).isEqualTo(4L * size);
            pooled.release(); // a second release gives nothing back twice
            return null;
        });
    }

    private static long flops(Runnable r) {
        long f0 = FlopCounter.total();
        r.run();
        return FlopCounter.total() - f0;
    }

    private static Tensor flops(java.util.function.Supplier<Tensor> s, long[] out) {
        long f0 = FlopCounter.total();
        Tensor t = s.get();
        out[0] = FlopCounter.total() - f0;
        return t;
    }

    /**
     * The shallow branch composed from the weights: conv_in, down block 0's first {@code depth}
     * layers, then from the cached feature the last up block's resnets (with their attentions)
     * joined with those skips in reverse, and the output head.
     */
    static Tensor byHand(UNet2DConditionModel unet, UNetConfig cfg, Weights w, Inputs in, Tensor feature, int depth) {
        int groups = cfg.normNumGroups(), levels = cfg.levels(), batch = in.sample.dim(0);
        float[] emb = unet.timeAndAddedEmbedding(in.t, in.cond, batch);
        Ops.siluInPlace(emb);
        Conv2d convIn = ResnetBlock2D.conv(w, "conv_in", 1, 1);
        Tensor x0 = convIn.forward(in.sample);
        List<Tensor> skips = new ArrayList<>(List.of(x0));
        Tensor h = x0;
        for (int j = 0; j < depth; j++) {
            h = new ResnetBlock2D(w, "down_blocks.0.resnets." + j, groups, EPS).forward(h, emb);
            if (cfg.crossAttention().get(0))
                h = new Transformer2DModel(w, "down_blocks.0.attentions." + j, cfg.transformerLayersPerBlock().get(0),
                        cfg.attentionHeads().get(0), groups).forward(h, in.cond);
            skips.add(h);
        }
        String up = "up_blocks." + (levels - 1);
        h = feature;
        int resnets = cfg.layersPerBlock() + 1;
        for (int j = resnets - 1 - depth; j < resnets; j++) {
            Tensor skip = skips.removeLast();
            int hw = h.dim(2) * h.dim(3);
            Tensor cat = new Tensor(Ops.concatChannels(h.data(), h.dim(1), skip.data(), skip.dim(1), batch, hw),
                    batch, h.dim(1) + skip.dim(1), h.dim(2), h.dim(3));
            h = new ResnetBlock2D(w, up + ".resnets." + j, groups, EPS).forward(cat, emb);
            if (cfg.crossAttention().get(0))
                h = new Transformer2DModel(w, up + ".attentions." + j, cfg.transformerLayersPerBlock().get(0),
                        cfg.attentionHeads().get(0), groups).forward(h, in.cond);
        }
        Tensor normed = GroupNorm.load(w, "conv_norm_out", groups, EPS).forward(h, true);
        return ResnetBlock2D.conv(w, "conv_out", 1, 1).forward(normed);
    }
}
