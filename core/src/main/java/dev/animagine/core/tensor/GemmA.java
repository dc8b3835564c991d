package dev.animagine.core.tensor;

/**
 * The left operand A[M,K] of {@link Gemm}. The micro-kernel reads A as fp32 rows; activations
 * already are, weights are widened from their file dtype one row block ({@code mc x K}) at a time
 * into a per-thread buffer, never whole.
 */
public sealed interface GemmA {
    int m();

    int k();

    /** fp32 rows {@code a[off + i*ld + k]}, used in place. */
    static GemmA rows(float[] a, int off, int ld, int m, int k) {
        return new Rows(a, off, ld, m, k);
    }

    /** Weights {@code [M, ...]} in F32/F16/BF16, each row flattened to K values (e.g. a conv's {@code [out, in*kh*kw]}). */
    static GemmA weights(StoredTensor w) {
        if (!w.dtype().floating()) throw new IllegalArgumentException(w.describe() + ": not a floating-point weight");
        return new Weights(w, Math.toIntExact(w.dim(0)), Math.toIntExact(w.numel() / w.dim(0)));
    }

    record Rows(float[] a, int off, int ld, int m, int k) implements GemmA {}

    record Weights(StoredTensor w, int m, int k) implements GemmA {}
}
