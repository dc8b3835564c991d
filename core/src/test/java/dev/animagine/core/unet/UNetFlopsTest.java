package dev.animagine.core.unet;

import dev.animagine.core.io.Checkpoint;
import dev.animagine.core.tensor.Weights;
import dev.animagine.core.tensor.FlopCounter;
import dev.animagine.core.tensor.StoredTensor;
import dev.animagine.core.tensor.Tensor;
import dev.animagine.core.testing.Fixtures;
import dev.animagine.core.testing.TestModels;
import org.junit.jupiter.api.Test;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the kernels count for one UNet evaluation equals the multiply-adds of every convolution,
 * linear layer and attention product, derived here independently from the weight shapes and the
 * level each layer works at: nothing is left uncounted or counted twice.
 */
class UNetFlopsTest {
    private static final Pattern LEVEL = Pattern.compile("^(down|up)_blocks\\.(\\d+)\\.");

    @Test
    void countedFlopsEqualTheArchitecturesMultiplyAdds() {
        Checkpoint ckpt = TestModels.open(Fixtures.cases("unet").getFirst().get("model").get("path").asText());
        UNetConfig cfg = ckpt.architecture().unet();
        Weights w = ckpt.unet();
        UNet2DConditionModel unet = new UNet2DConditionModel(cfg, w);
        int batch = 2, h = 24, wd = 16, ctx = 11, levels = cfg.levels();
        long expected = 0;
        for (String name : w.names()) {
            if (!name.endsWith(".weight")) continue;
            StoredTensor t = w.get(name);
            String layer = name.substring(0, name.length() - ".weight".length());
            int level = level(layer, levels);
            long pixels = (long) (h >> level) * (wd >> level);
            if (layer.endsWith("downsamplers.0.conv")) pixels /= 4; // stride 2: output at the next level
            if (t.rank() == 4) {
                expected += 2L * batch * pixels * t.numel();
            } else if (t.rank() == 2 && !layer.contains("norm")) {
                long rows;
                if (layer.startsWith("time_embedding") || layer.startsWith("add_embedding") || layer.endsWith("time_emb_proj")) rows = batch;
                else if (layer.endsWith("attn2.to_k") || layer.endsWith("attn2.to_v")) rows = (long) batch * ctx;
                else rows = batch * pixels;
                expected += 2L * rows * t.numel();
                // attention products at each to_q: 4 x queries x keys x inner width
                if (layer.endsWith("attn1.to_q")) expected += 4L * batch * pixels * pixels * t.dim(0);
                if (layer.endsWith("attn2.to_q")) expected += 4L * batch * pixels * ctx * t.dim(0);
            }
        }
        var cond = new UNet2DConditionModel.Conditioning(new float[batch * ctx * cfg.crossAttentionDim()], ctx,
                new float[batch * cfg.pooledTextDim()], new float[6 * batch]);
        long f0 = FlopCounter.total();
        unet.forward(Tensor.zeros(batch, cfg.inChannels(), h, wd), new float[] {10, 10}, cond);
        assertThat(FlopCounter.total() - f0).isEqualTo(expected);
    }

    /** The resolution level a layer works at (0 = full latent size). */
    private static int level(String layer, int levels) {
        Matcher m = LEVEL.matcher(layer);
        if (m.find()) {
            int i = Integer.parseInt(m.group(2));
            if (m.group(1).equals("down")) return i;
            int lvl = levels - 1 - i; // up block i mirrors down level L-1-i; its upsampler conv runs one level up
            return layer.contains(".upsamplers.") ? lvl - 1 : lvl;
        }
        return layer.startsWith("mid_block") ? levels - 1 : 0;
    }
}
