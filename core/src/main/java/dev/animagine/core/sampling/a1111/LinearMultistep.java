package dev.animagine.core.sampling.a1111;

/**
 * k-diffusion's {@code linear_multistep_coeff}: the integral over [σ_i, σ_{i+1}] of the Lagrange basis
 * polynomial of node j among σ_i, σ_{i−1}, …, σ_{i−order+1}. scipy's {@code quad} integrates these
 * low-degree polynomials exactly up to rounding; so does a 4-point Gauss–Legendre rule. As in
 * k-diffusion the numerator τ − σ is double and the denominator a float32 difference.
 */
final class LinearMultistep {
    private LinearMultistep() {}

    private static final double[] NODES = {-0.8611363115940526, -0.3399810435848563, 0.3399810435848563, 0.8611363115940526};
    private static final double[] WEIGHTS = {0.3478548451374538, 0.6521451548625461, 0.6521451548625461, 0.3478548451374538};

    static double coefficient(int order, float[] t, int i, int j) {
        if (order - 1 > i) throw new IllegalArgumentException("order " + order + " too high for step " + i);
        double a = t[i], b = t[i + 1], half = (b - a) / 2, mid = (a + b) / 2, sum = 0;
        for (int q = 0; q < NODES.length; q++) {
            double tau = mid + half * NODES[q];
            double prod = 1;
            for (int k = 0; k < order; k++) {
                if (k == j) continue;
                prod *= (tau - t[i - k]) / (double) (t[i - j] - t[i - k]);
            }
            sum += WEIGHTS[q] * prod;
        }
        return sum * half;
    }
}
