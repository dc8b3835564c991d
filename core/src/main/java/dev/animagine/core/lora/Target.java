package dev.animagine.core.lora;

import dev.animagine.core.io.Component;

/**
 * A module of the model an adapter can patch: its component, its diffusers / Hugging Face path
 * ({@code down_blocks.1.attentions.0.proj_in}, {@code text_model.encoder.layers.0.self_attn.q_proj})
 * and the shape of its weight ({@code <module>.weight}).
 */
public record Target(Component component, String module, long[] shape, boolean hasBias) {
    public String weightName() {
        return module + ".weight";
    }

    public String biasName() {
        return module + ".bias";
    }

    public int out() {
        return (int) shape[0];
    }

    /** Elements per output row: in (linear) or in·kh·kw (convolution). */
    public int rowSize() {
        long n = 1;
        for (int i = 1; i < shape.length; i++) n *= shape[i];
        return (int) n;
    }

    public int in() {
        return (int) shape[1];
    }

    /** kh·kw, 1 for a linear layer. */
    public int kernelSize() {
        return rowSize() / in();
    }

    public boolean isConv() {
        return shape.length == 4;
    }
}
