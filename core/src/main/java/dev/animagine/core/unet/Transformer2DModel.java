package dev.animagine.core.unet;

import dev.animagine.core.tensor.Weights;
import dev.animagine.core.nn.GroupNorm;
import dev.animagine.core.nn.Linear;
import dev.animagine.core.tensor.Buffers;
import dev.animagine.core.tensor.Ops;
import dev.animagine.core.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * diffusers' {@code Transformer2DModel} with SDXL's linear projections: GroupNorm, the feature map
 * as a sequence of tokens, {@code proj_in}, a stack of {@link BasicTransformerBlock}s,
 * {@code proj_out}, back to a feature map, plus the input (residual).
 */
final class Transformer2DModel {
    private final GroupNorm norm;
    private final Linear projIn, projOut;
    private final List<BasicTransformerBlock> blocks = new ArrayList<>();

    Transformer2DModel(Weights w, String prefix, int depth, int heads, int groups) {
        this.norm = GroupNorm.load(w, prefix + ".norm", groups, 1e-6);
        this.projIn = Linear.load(w, prefix + ".proj_in", true);
        this.projOut = Linear.load(w, prefix + ".proj_out", true);
        for (int i = 0; i < depth; i++) blocks.add(new BasicTransformerBlock(w, prefix + ".transformer_blocks." + i, heads));
    }

    /** Returns a new tensor (from {@link Buffers}); {@code x} is left to the caller. */
    Tensor forward(Tensor x, UNet2DConditionModel.Conditioning cond) {
        int n = x.dim(0), c = x.dim(1), hw = x.dim(2) * x.dim(3);
        Tensor normed = norm.forward(x, false);
        float[] tokens = Ops.channelsLast(normed.data(), n, c, hw);
        Buffers.give(normed);
        float[] h = projIn.forward(tokens, n * hw);
        Buffers.give(tokens);
        for (BasicTransformerBlock b : blocks) b.forward(h, n, hw, cond);
        float[] out = projOut.forward(h, n * hw);
        Buffers.give(h);
        float[] y = Ops.channelsFirst(out, n, c, hw);
        Buffers.give(out);
        Ops.addInPlace(y, x.data());
        return new Tensor(y, x.shape());
    }
}
