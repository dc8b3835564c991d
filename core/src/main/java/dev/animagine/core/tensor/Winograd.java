package dev.animagine.core.tensor;

import java.util.Locale;

/**
 * Winograd's minimal filtering for stride-1 3x3 convolutions, F(m x m, 3 x 3) (Lavin &amp; Gray,
 * "Fast Algorithms for Convolutional Neural Networks", 2016): each m x m output tile is
 * {@code A^T [ (G g G^T) ⊙ (B^T d B) ] A} of an (m+2) x (m+2) input tile d, so the (m+2)^2
 * elementwise products, summed over input channels, become (m+2)^2 independent GEMMs
 * {@code M[ξ] = U[ξ] · V[ξ]} on the engine's {@link Gemm}: {@code (m+2)^2 / (9 m^2)} of the direct
 * multiply-adds (0.44 for F(2x2), 0.25 for F(4x4)).
 * <p>
 * The switch: {@code -Danimagine.winograd=off|2|4} (tile size), or {@link #setTile} (benchmarks
 * compare both in one run).
 */
public final class Winograd {
    /** The output tile side m, or 0 for direct convolution everywhere. */
    private static volatile int tile = parse(System.getProperty("animagine.winograd", "4"));

    private Winograd() {}

    static int parse(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "off", "0", "false", "direct" -> 0;
            case "2", "f2" -> 2;
            case "4", "f4", "on", "true" -> 4;
            default -> throw new IllegalArgumentException("animagine.winograd must be off, 2 or 4 (got '" + s + "')");
        };
    }

    /** The output tile side in use: 2 or 4, or 0 when Winograd is off. */
    public static int tile() {
        return tile;
    }

    /** 0 (off), 2 (F(2x2,3x3)) or 4 (F(4x4,3x3)); affects convolutions from their next call on. */
    public static void setTile(int m) {
        if (m != 0 && m != 2 && m != 4) throw new IllegalArgumentException("Winograd tile must be 0, 2 or 4 (got " + m + ")");
        tile = m;
    }

    /**
     * The tile side for this convolution call, or 0 for the direct kernel: F(4x4) when it gives at
     * least {@link #MIN_TILES} tiles (for up to two batch rows), else F(2x2) when that does (never more than {@link #tile()}).
     * With fewer tiles the (m+2)^2 GEMMs have too few columns to amortise streaming the transformed
     * weights (measured: 1280 channels on 16x16, F(4x4) 0.8x the direct kernel's speed, F(2x2) 1.15x).
     */
    static int tileFor(int kh, int kw, int stride, int in, int out, int n, int oh, int ow) {
        int max = tile;
        if (max == 0 || kh != 3 || kw != 3 || stride != 1) return 0;
        // with few channels the GEMMs are too thin to pay for the transforms (e.g. conv_in, conv_out)
        if (in < MIN_CHANNELS || out < MIN_CHANNELS) return 0;
        // counted for at most one image's CFG pair: a batch of images (A1111's batch size) then runs the
        // kernels each image runs alone, so its images come out bit for bit as when made one at a time
        int rows = Math.min(n, 2);
        for (int m = max; m >= 2; m -= 2)
            if ((long) rows * ((oh + m - 1) / m) * ((ow + m - 1) / m) >= minTiles) return m;
        return 0;
    }

    static final int MIN_CHANNELS = 32;
    static final int MIN_TILES = 64;
    /** {@link #MIN_TILES}, or {@code -Danimagine.winograd.minTiles=1} to run the fixture models' small images through Winograd. */
    static volatile int minTiles = Integer.getInteger("animagine.winograd.minTiles", MIN_TILES);

    /**
     * The transform matrices of F(m, 3) from Toom-Cook interpolation at the given finite points
     * plus the point at infinity: with {@code L_j(x) = Π_{l≠j} (x - p_l)}, {@code N_j = L_j(p_j)}
     * and {@code L_∞(x) = Π_l (x - p_l)}, row j of B^T holds the coefficients of L_j, row j of G
     * is {@code p_j^k / N_j}, and column j of A^T is {@code p_j^i}; the point at infinity picks the
     * leading coefficients. (1D correlation is the transpose of the Toom-Cook convolution.) The
     * fractions are in G, which is applied to the weights; B^T and A^T have small integer entries,
     * so the activation transforms add little rounding.
     */
    record Matrices(int m, int alpha, float[][] bt, float[][] g, float[][] at) {
        static Matrices of(int m) {
            double[] p = m == 2 ? new double[]{0, 1, -1} : new double[]{0, 1, -1, 2, -2};
            int alpha = m + 2;
            if (p.length != alpha - 1) throw new IllegalStateException();
            float[][] bt = new float[alpha][alpha];
            float[][] g = new float[alpha][3];
            float[][] at = new float[m][alpha];
            for (int j = 0; j <= p.length; j++) {
                boolean inf = j == p.length;
                double[] poly = {1};
                for (int l = 0; l < p.length; l++) if (l != j) poly = timesLinear(poly, -p[l]);
                for (int n = 0; n < poly.length; n++) bt[j][n] = (float) poly[n];
                double norm = 1;
                if (!inf) for (int l = 0; l < p.length; l++) if (l != j) norm *= p[j] - p[l];
                for (int k = 0; k < 3; k++) g[j][k] = inf ? (k == 2 ? 1 : 0) : (float) (Math.pow(p[j], k) / norm);
                for (int i = 0; i < m; i++) at[i][j] = inf ? (i == m - 1 ? 1 : 0) : (float) Math.pow(p[j], i);
            }
            return new Matrices(m, alpha, bt, g, at);
        }

        /** poly(x) * (x + c), coefficients lowest first. */
        private static double[] timesLinear(double[] poly, double c) {
            double[] r = new double[poly.length + 1];
            for (int i = 0; i < poly.length; i++) {
                r[i] += c * poly[i];
                r[i + 1] += poly[i];
            }
            return r;
        }

        private static final Matrices F2 = of(2), F4 = of(4);

        static Matrices forTile(int m) {
            return m == 2 ? F2 : F4;
        }
    }
}
