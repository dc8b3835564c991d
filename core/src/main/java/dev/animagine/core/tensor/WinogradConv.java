package dev.animagine.core.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * A stride-1 3x3 convolution computed as F(m x m, 3 x 3) ({@link Winograd}), on NCHW activations.
 * Per block of tile rows (several images' rows may share a block) and of output channels:
 * <ol>
 *   <li>weights: {@code U[ξ][o][c] = (G g_oc G^T)[ξ]}, widened from the file dtype, vectorised
 *       across input channels; kept for the whole call when all output channels fit one block;</li>
 *   <li>input: {@code V[ξ][c][t] = (B^T d_ct B)[ξ]} for every tile t, vectorised across the tiles of
 *       a row: the tile rows' input rows are first split by column phase ({@code x mod m}) so that
 *       tile t's column s is element {@code t + s / m} of phase {@code s mod m}, a contiguous run;
 *       V[ξ] is written in the GEMM's packed B layout ({@link GemmOperand#packed}), so no GEMM packs
 *       it again, however many output-channel blocks there are;</li>
 *   <li>{@code (m+2)^2} GEMMs {@code M[ξ] = U[ξ] · V[ξ]} (output channels x input channels x tiles);</li>
 *   <li>output: {@code Y = A^T M A + bias}, vectorised the same way, scattered into NCHW.</li>
 * </ol>
 * FLOPs: the direct convolution's count as direct-equivalent, the GEMMs and transforms as executed.
 */
final class WinogradConv {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Floats in each of the per-call blocks V, M and U (32 MiB each). */
    static final int DEFAULT_BLOCK_FLOATS = 1 << 23;
    /** Settable so tests can cover several blocks of tile rows and output channels on small shapes. */
    static volatile int blockFloats = DEFAULT_BLOCK_FLOATS;

    private static final ThreadLocal<float[]> V_BLOCK = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<float[]> M_BLOCK = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<float[]> U_BLOCK = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[0]);

    private final StoredTensor weight;
    private final float[] bias;
    private final int out, in, pad;
    private final Winograd.Matrices t;
    private final int m, alpha, a2;
    /** Non-zero entries of B^T, A^T and G (for the executed-FLOP count). */
    private final int nnzB, nnzA, nnzG;

    WinogradConv(StoredTensor weight, float[] bias, int out, int in, int pad, int tile) {
        this.weight = weight;
        this.bias = bias;
        this.out = out;
        this.in = in;
        this.pad = pad;
        this.t = Winograd.Matrices.forTile(tile);
        this.m = t.m();
        this.alpha = t.alpha();
        this.a2 = alpha * alpha;
        this.nnzB = nonZero(t.bt());
        this.nnzA = nonZero(t.at());
        this.nnzG = nonZero(t.g());
    }

    int tile() {
        return m;
    }

    /** {@code x[n, in, h, w]} into {@code y[n, out, oh, ow]} (overwritten). */
    void forward(float[] x, int n, int h, int w, float[] y) {
        int oh = h + 2 * pad - 2, ow = w + 2 * pad - 2;
        int th = ceilDiv(oh, m), tw = ceilDiv(ow, m), tileRows = n * th;
        // tile rows per block and output channels per block, within BLOCK_FLOATS
        int budget = blockFloats;
        int rowsPerBlock = Math.max(1, Math.min(tileRows, budget / (a2 * Math.max(in, out) * tw)));
        int outPerBlock = Math.max(1, Math.min(out, budget / (a2 * in)));
        if (outPerBlock < out) outPerBlock = Math.max(Gemm.MR, outPerBlock / Gemm.MR * Gemm.MR);
        int outBlocks = ceilDiv(out, outPerBlock);
        int maxCols = rowsPerBlock * tw;
        float[] v = grow(V_BLOCK, a2 * GemmOperand.packedSize(in, maxCols)), mm = grow(M_BLOCK, a2 * Math.min(out, outPerBlock) * maxCols);
        float[] u = grow(U_BLOCK, a2 * Math.min(out, outPerBlock) * in);
        long executed = 0;
        if (outBlocks == 1) executed += transformWeights(u, 0, out);
        for (int g0 = 0; g0 < tileRows; g0 += rowsPerBlock) {
            int rows = Math.min(rowsPerBlock, tileRows - g0), cols = rows * tw, gb = g0;
            // V[ξ] is written straight in the GEMM's packed layout: the GEMMs of every output block use it without packing it again
            int vStride = GemmOperand.packedSize(in, cols);
            Parallel.forEach(in * rows, task -> transformInput(x, h, w, th, tw, gb + task % rows, task / rows, v, vStride, cols, (task % rows) * tw));
            if (cols % Gemm.NR != 0) zeroPanelTails(v, vStride, cols);
            executed += 2L * nnzB * (m + alpha) * in * cols;
            for (int o0 = 0; o0 < out; o0 += outPerBlock) {
                int ob = Math.min(outPerBlock, out - o0), ob0 = o0;
                if (outBlocks > 1) executed += transformWeights(u, o0, ob);
                for (int xi = 0; xi < a2; xi++)
                    Gemm.multiplyUncounted(GemmA.rows(u, xi * ob * in, in, ob, in), GemmOperand.packed(v, xi * vStride, in, cols),
                            mm, xi * ob * cols, cols);
                executed += 2L * a2 * ob * in * cols;
                Parallel.forEach(ob * rows, task -> transformOutput(mm, ob, cols, task / rows, ob0, gb + task % rows, (task % rows) * tw,
                        th, tw, oh, ow, y));
                executed += 2L * nnzA * (alpha + m) * ob * cols;
            }
        }
        FlopCounter.add(2L * n * out * in * 9 * oh * ow, executed);
    }

    /** U for output channels [o0, o0+ob): {@code u[(ξ*ob + o-o0)*in + c]}. Returns the FLOPs. */
    private long transformWeights(float[] u, int o0, int ob) {
        int inp = roundUp(in, L);
        Parallel.forEach(ob, o -> {
            float[] s = grow(SCRATCH, (9 + 3 * alpha + a2) * inp + 9 * in);
            int gd = 0, w1 = 9 * inp, ut = w1 + 3 * alpha * inp, raw = ut + a2 * inp;
            weight.toFloats((long) (o0 + o) * in * 9, s, raw, in * 9);
            // de-interleave: gd[k*3 + l][c] = g[o][c][k][l]
            for (int c = 0; c < in; c++)
                for (int kl = 0; kl < 9; kl++) s[gd + kl * inp + c] = s[raw + c * 9 + kl];
            // W1[ξr][l][c] = Σ_k G[ξr][k] g[k][l][c], then U[ξr][ξc][c] = Σ_l G[ξc][l] W1[ξr][l][c]
            for (int xr = 0; xr < alpha; xr++)
                for (int l = 0; l < 3; l++) combine(t.g()[xr], s, gd + l * inp, 3 * inp, 3, s, w1 + (xr * 3 + l) * inp, inp);
            for (int xr = 0; xr < alpha; xr++)
                for (int xc = 0; xc < alpha; xc++) combine(t.g()[xc], s, w1 + xr * 3 * inp, inp, 3, s, ut + (xr * alpha + xc) * inp, inp);
            for (int xi = 0; xi < a2; xi++) System.arraycopy(s, ut + xi * inp, u, (xi * ob + o) * in, in);
        });
        return 2L * nnzG * (3 + alpha) * ob * in;
    }

    /** Zeroes the padding columns [cols, NR * panels) of the last panel of every V[ξ] (they reach only discarded outputs). */
    private void zeroPanelTails(float[] v, int vStride, int cols) {
        int pad = Gemm.roundUp(cols, Gemm.NR) - cols;
        Parallel.forEach(a2, xi -> {
            for (int c = 0; c < in; c++) {
                int at = xi * vStride + GemmOperand.packedIndex(in, cols, c, cols - 1) + 1;
                Arrays.fill(v, at, at + pad, 0f);
            }
        });
    }

    /**
     * V for input channel c and global tile row gr (image gr / th, row gr % th) into columns
     * [col0, col0 + tw) of row c of each packed {@code V[ξ]} ({@code vStride} floats apart).
     */
    private void transformInput(float[] x, int h, int w, int th, int tw, int gr, int c, float[] v, int vStride, int cols, int col0) {
        int b = gr / th, ty = gr % th;
        int pw = roundUp(tw, L) + L, dRow = m * pw, len = roundUp(tw, L);
        float[] s = grow(SCRATCH, 2 * alpha * dRow + a2 * pw);
        int d = 0, uv = alpha * dRow, vt = 2 * alpha * dRow;
        int plane = (b * in + c) * h * w;
        // d[r][q][j] = x[ty*m - pad + r][j*m + q - pad]: row r of the input tiles, split by column phase q
        for (int r = 0; r < alpha; r++) {
            int iy = ty * m - pad + r, dr = d + r * dRow;
            if (iy < 0 || iy >= h) {
                Arrays.fill(s, dr, dr + dRow, 0f);
                continue;
            }
            int row = plane + iy * w;
            for (int q = 0; q < m; q++) {
                int dq = dr + q * pw, ix0 = q - pad;
                // columns j with 0 <= j*m + ix0 < w are copied without a test, the others are padding
                int j0 = ix0 >= 0 ? 0 : ceilDiv(-ix0, m), j1 = Math.min(tw + 1, ix0 >= w ? 0 : ceilDiv(w - ix0, m));
                int j = 0;
                for (; j < Math.min(j0, tw + 1); j++) s[dq + j] = 0f;
                for (int src = row + ix0 + j * m; j < j1; j++, src += m) s[dq + j] = x[src];
                for (; j <= tw; j++) s[dq + j] = 0f;
            }
        }
        // uv[ξr][q][j] = Σ_r B^T[ξr][r] d[r][q][j]
        for (int xr = 0; xr < alpha; xr++) combine(t.bt()[xr], s, d, dRow, alpha, s, uv + xr * dRow, dRow);
        // vt[ξr][ξc][j] = Σ_s B^T[ξc][s] uv[ξr][s mod m][j + s / m]
        for (int xr = 0; xr < alpha; xr++)
            for (int xc = 0; xc < alpha; xc++) combinePhased(t.bt()[xc], s, uv + xr * dRow, pw, s, vt + (xr * alpha + xc) * pw, len);
        int nr = Gemm.NR;
        for (int j = 0; j < tw; ) {
            // a run of columns inside one panel is contiguous in the packed layout
            int run = Math.min(tw - j, nr - (col0 + j) % nr), at = GemmOperand.packedIndex(in, cols, c, col0 + j);
            for (int xi = 0; xi < a2; xi++) System.arraycopy(s, vt + xi * pw + j, v, xi * vStride + at, run);
            j += run;
        }
    }

    /** Output channel o0 + o, global tile row gr, from columns [col0, col0 + tw) of {@code mm[(ξ*ob + o)*cols + ...]}. */
    private void transformOutput(float[] mm, int ob, int cols, int o, int o0, int gr, int col0, int th, int tw, int oh, int ow, float[] y) {
        int b = gr / th, ty = gr % th;
        int pw = roundUp(tw, L) + L, len = roundUp(tw, L);
        float[] s = grow(SCRATCH, (a2 + m * alpha + m * m) * pw);
        int ms = 0, t1 = a2 * pw, res = t1 + m * alpha * pw;
        for (int xi = 0; xi < a2; xi++) System.arraycopy(mm, (xi * ob + o) * cols + col0, s, ms + xi * pw, tw);
        // t1[i][ξc][j] = Σ_ξr A^T[i][ξr] M[ξr][ξc][j]
        for (int i = 0; i < m; i++) combine(t.at()[i], s, ms, alpha * pw, alpha, s, t1 + i * alpha * pw, alpha * pw);
        // res[i][jj][j] = Σ_ξc A^T[jj][ξc] t1[i][ξc][j]
        for (int i = 0; i < m; i++)
            for (int jj = 0; jj < m; jj++) combine(t.at()[jj], s, t1 + i * alpha * pw, pw, alpha, s, res + (i * m + jj) * pw, len);
        float bv = bias == null ? 0f : bias[o0 + o];
        int ch = (b * out + o0 + o) * oh;
        for (int i = 0; i < m; i++) {
            int oy = ty * m + i;
            if (oy >= oh) break;
            int row = (ch + oy) * ow;
            for (int jj = 0; jj < m; jj++) {
                int src = res + (i * m + jj) * pw;
                for (int j = 0, ox = jj; j < tw && ox < ow; j++, ox += m) y[row + ox] = s[src + j] + bv;
            }
        }
    }

    /** {@code dst[dOff + j] = Σ_r coef[r] * src[sOff + r*stride + j]} for j < len (a multiple of L). */
    private static void combine(float[] coef, float[] src, int sOff, int stride, int count, float[] dst, int dOff, int len) {
        for (int j = 0; j < len; j += L) {
            FloatVector acc = FloatVector.zero(S);
            for (int r = 0; r < count; r++) {
                float cf = coef[r];
                if (cf != 0f) acc = FloatVector.broadcast(S, cf).fma(FloatVector.fromArray(S, src, sOff + r * stride + j), acc);
            }
            acc.intoArray(dst, dOff + j);
        }
    }

    /** {@code dst[dOff + j] = Σ_s coef[s] * src[sOff + (s mod m)*pw + j + s/m]} for j < len: a tile's column s, phase-split. */
    private void combinePhased(float[] coef, float[] src, int sOff, int pw, float[] dst, int dOff, int len) {
        for (int j = 0; j < len; j += L) {
            FloatVector acc = FloatVector.zero(S);
            for (int q = 0; q < alpha; q++) {
                float cf = coef[q];
                if (cf != 0f) acc = FloatVector.broadcast(S, cf).fma(FloatVector.fromArray(S, src, sOff + (q % m) * pw + j + q / m), acc);
            }
            acc.intoArray(dst, dOff + j);
        }
    }

    private static float[] grow(ThreadLocal<float[]> holder, int n) {
        float[] a = holder.get();
        if (a.length < n) holder.set(a = new float[n]);
        return a;
    }

    private static int nonZero(float[][] a) {
        int n = 0;
        for (float[] row : a) for (float v : row) if (v != 0f) n++;
        return n;
    }

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }

    private static int roundUp(int x, int to) {
        return ceilDiv(x, to) * to;
    }
}
