package dev.animagine.core.io;

import java.util.Arrays;

/**
 * One weight an architecture needs: its diffusers/transformers name and shape, and where it lives
 * in an SGM/A1111 single-file checkpoint.
 *
 * @param name    diffusers name inside the component, e.g. {@code down_blocks.1.attentions.0.proj_in.weight}
 * @param sgmName full single-file key, e.g. {@code model.diffusion_model.input_blocks.4.1.proj_in.weight}
 * @param form    how the single-file tensor relates to this one
 * @param part    for {@link SgmForm#QKV}: 0 = q, 1 = k, 2 = v
 */
public record TensorSpec(Component component, String name, long[] shape, String sgmName, SgmForm form, int part) {

    /** How a single-file tensor is stored compared with the diffusers one. */
    public enum SgmForm {
        /** Same shape and bytes. */
        SAME,
        /** A linear weight stored as a 1x1 convolution, [out, in, 1, 1] (the SGM VAE's attention). */
        CONV_1X1,
        /** One third of OpenCLIP's fused {@code in_proj} [3w, ...] (rows q, then k, then v). */
        QKV,
        /** The transpose (OpenCLIP's {@code text_projection} [w, proj], used as {@code x @ P}). */
        TRANSPOSED
    }

    public long numel() {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }

    /** Shape of the single-file tensor (the whole fused tensor for {@link SgmForm#QKV}). */
    public long[] sgmShape() {
        return switch (form) {
            case SAME -> shape.clone();
            case CONV_1X1 -> new long[] {shape[0], shape[1], 1, 1};
            case QKV -> {
                long[] s = shape.clone();
                s[0] *= 3;
                yield s;
            }
            case TRANSPOSED -> new long[] {shape[1], shape[0]};
        };
    }

    @Override
    public String toString() {
        return component.folder() + "/" + name + Arrays.toString(shape);
    }
}
