package dev.animagine.core.lora;

/**
 * The weight updates of the LyCORIS family as plain float arithmetic on row-major arrays (sums in
 * double), following A1111's {@code extensions-builtin/Lora} ({@code lyco_helpers},
 * {@code network_*.py}). Shapes are passed explicitly; a result is flat, to be read with the
 * target weight's shape.
 */
final class Deltas {
    private Deltas() {}

    /** {@code a[m, k] · b[k, n]}. */
    static float[] matmul(float[] a, int m, int k, float[] b, int n) {
        if (a.length != m * k || b.length != k * n)
            throw new IllegalArgumentException("matmul shapes: " + a.length + " != " + m + "x" + k + " or " + b.length + " != " + k + "x" + n);
        float[] c = new float[m * n];
        double[] row = new double[n];
        for (int i = 0; i < m; i++) {
            java.util.Arrays.fill(row, 0);
            for (int p = 0; p < k; p++) {
                double av = a[i * k + p];
                if (av == 0) continue;
                int bo = p * n;
                for (int j = 0; j < n; j++) row[j] += av * b[bo + j];
            }
            for (int j = 0; j < n; j++) c[i * n + j] = (float) row[j];
        }
        return c;
    }

    /** {@code a[m, k]} transposed to {@code [k, m]}. */
    static float[] transpose(float[] a, int m, int k) {
        float[] t = new float[a.length];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < k; j++) t[j * m + i] = a[i * k + j];
        return t;
    }

    /**
     * Tucker reconstruction {@code ΔW[o, i, y, x] = Σ_a Σ_b core[a, b, y, x] · up[o, a] · down[b, i]}
     * ({@code lyco_helpers.rebuild_cp_decomposition}; {@code make_weight_cp} with {@code up = wa^T}).
     *
     * @param core [ra, rb, kk] (kk = kh·kw)
     * @param up   [out, ra]
     * @param down [rb, in]
     */
    static float[] tucker(float[] core, int ra, int rb, int kk, float[] up, int out, float[] down, int in) {
        // cd[a, i, p] = Σ_b core[a, b, p] · down[b, i]
        float[] cd = new float[ra * in * kk];
        for (int a = 0; a < ra; a++)
            for (int i = 0; i < in; i++)
                for (int p = 0; p < kk; p++) {
                    double s = 0;
                    for (int b = 0; b < rb; b++) s += (double) core[(a * rb + b) * kk + p] * down[b * in + i];
                    cd[(a * in + i) * kk + p] = (float) s;
                }
        return matmul(up, out, ra, cd, in * kk);
    }

    /** Element-wise product. */
    static float[] hadamard(float[] a, float[] b) {
        if (a.length != b.length) throw new IllegalArgumentException("hadamard: " + a.length + " vs " + b.length);
        float[] c = new float[a.length];
        for (int i = 0; i < c.length; i++) c[i] = a[i] * b[i];
        return c;
    }

    /**
     * Kronecker product of {@code p[pr, pc]} and {@code q[qr, qc, kk]} (kk = 1 for a matrix):
     * {@code r[a·qr + c, b·qc + d, y] = p[a, b] · q[c, d, y]}, as {@code torch.kron} with p
     * unsqueezed to [pr, pc, 1, 1] when q is 4-D.
     */
    static float[] kron(float[] p, int pr, int pc, float[] q, int qr, int qc, int kk) {
        int rows = pr * qr, cols = pc * qc;
        float[] r = new float[rows * cols * kk];
        for (int a = 0; a < pr; a++)
            for (int b = 0; b < pc; b++) {
                float pv = p[a * pc + b];
                for (int c = 0; c < qr; c++)
                    for (int d = 0; d < qc; d++) {
                        int dst = ((a * qr + c) * cols + b * qc + d) * kk, src = (c * qc + d) * kk;
                        for (int y = 0; y < kk; y++) r[dst + y] = pv * q[src + y];
                    }
            }
        return r;
    }
}
