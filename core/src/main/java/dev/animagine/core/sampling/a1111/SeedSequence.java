package dev.animagine.core.sampling.a1111;

import java.util.Arrays;

/**
 * numpy's {@code np.random.SeedSequence} (the hash of O'Neill's seed_seq): entropy and a spawn key
 * mixed into a pool of 32-bit words, from which {@link #generateState} draws seeds. torchsde seeds
 * every node of its Brownian tree this way.
 */
final class SeedSequence {
    private static final int INIT_A = 0x43b0d7e5, MULT_A = 0x931e8875, INIT_B = 0x8b51f9dd, MULT_B = 0x58f38ded;
    private static final int MIX_MULT_L = 0xca01f9dd, MIX_MULT_R = 0x4973f715;

    private final int[] pool;

    /**
     * @param entropy  a non-negative integer (the unsigned value of the bits)
     * @param spawnKey the spawn key's integers (each non-negative); empty for a root sequence
     */
    SeedSequence(long entropy, long[] spawnKey, int poolSize) {
        int[] run = words(entropy);
        int[] spawn = new int[0];
        for (long k : spawnKey) spawn = concat(spawn, words(k));
        // with a spawn key, the run entropy is padded with zeros to the pool size so the two cannot collide
        if (spawn.length > 0 && run.length < poolSize) run = Arrays.copyOf(run, poolSize);
        pool = new int[poolSize];
        mixEntropy(concat(run, spawn));
    }

    /** {@code generate_state(n)} as uint32 words (held in ints). */
    int[] generateState(int n) {
        int[] out = new int[n];
        int hashConst = INIT_B;
        for (int i = 0; i < n; i++) {
            int v = pool[i % pool.length];
            v ^= hashConst;
            hashConst *= MULT_B;
            v *= hashConst;
            v ^= v >>> 16;
            out[i] = v;
        }
        return out;
    }

    private void mixEntropy(int[] entropy) {
        int[] hash = {INIT_A};
        for (int i = 0; i < pool.length; i++) pool[i] = hashmix(i < entropy.length ? entropy[i] : 0, hash);
        for (int src = 0; src < pool.length; src++)
            for (int dst = 0; dst < pool.length; dst++)
                if (src != dst) pool[dst] = mix(pool[dst], hashmix(pool[src], hash));
        for (int src = pool.length; src < entropy.length; src++)
            for (int dst = 0; dst < pool.length; dst++) pool[dst] = mix(pool[dst], hashmix(entropy[src], hash));
    }

    private static int hashmix(int value, int[] hash) {
        value ^= hash[0];
        hash[0] *= MULT_A;
        value *= hash[0];
        value ^= value >>> 16;
        return value;
    }

    private static int mix(int x, int y) {
        int r = MIX_MULT_L * x - MIX_MULT_R * y;
        return r ^ (r >>> 16);
    }

    /** The integer's 32-bit words, least significant first ([0] for 0). */
    private static int[] words(long n) {
        if (n == 0) return new int[] {0};
        int[] w = new int[(n >>> 32) != 0 ? 2 : 1];
        w[0] = (int) n;
        if (w.length == 2) w[1] = (int) (n >>> 32);
        return w;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
