package dev.animagine.core.sampling;

/**
 * The 32-bit Mersenne Twister (Matsumoto and Nishimura 1998) exactly as PyTorch's CPU generator
 * runs it ({@code at::mt19937}): Knuth's initialisation from a 32-bit seed, the standard twist and
 * tempering. Not thread-safe; one instance per stream.
 */
final class Mt19937 {
    private static final int N = 624, M = 397;
    private static final int MATRIX_A = 0x9908b0df, UPPER_MASK = 0x80000000, LOWER_MASK = 0x7fffffff;

    private final int[] state = new int[N];
    private int next = N;

    Mt19937(int seed) {
        state[0] = seed;
        for (int j = 1; j < N; j++) state[j] = 1812433253 * (state[j - 1] ^ (state[j - 1] >>> 30)) + j;
    }

    /** The next 32-bit output (as an int; callers treat it as unsigned). */
    int nextInt() {
        if (next == N) twist();
        int y = state[next++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return y;
    }

    private void twist() {
        for (int i = 0; i < N; i++) {
            int y = (state[i] & UPPER_MASK) | (state[(i + 1) % N] & LOWER_MASK);
            state[i] = state[(i + M) % N] ^ (y >>> 1) ^ ((y & 1) != 0 ? MATRIX_A : 0);
        }
        next = 0;
    }
}
