package dev.animagine.core.sampling;

import dev.animagine.core.InvalidArgumentException;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.random.RandomGenerator;

/**
 * Seeds as users write them: unsigned 64-bit integers (torch's {@code manual_seed} range, of which
 * the CPU generator uses the low 32 bits), or -1 for a random one, which is then recorded like any
 * other. Seeds are held in a {@code long} with the unsigned value's bits.
 */
public final class Seeds {
    private Seeds() {}

    private static final BigInteger MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    private static final RandomGenerator RANDOM = new SecureRandom();

    /** The seed {@code text} asks for, a fresh random one for {@code -1}. */
    public static long resolve(String text) {
        return resolve(text, RANDOM);
    }

    /** As {@link #resolve(String)} with the given source of random seeds. */
    public static long resolve(String text, RandomGenerator random) {
        String t = text == null ? "" : text.trim();
        if (t.equals("-1")) return randomSeed(random);
        BigInteger v;
        try {
            v = new BigInteger(t);
        } catch (NumberFormatException e) {
            throw new InvalidArgumentException("seed '" + text + "' is not an integer");
        }
        if (v.signum() < 0 || v.compareTo(MAX) > 0)
            throw new InvalidArgumentException("seed " + t + " is out of range (0 to " + MAX + ", or -1 for random)");
        return v.longValue();
    }

    /** A random seed below 2^32, the range A1111 and torch's CPU generator both use fully. */
    public static long randomSeed(RandomGenerator random) {
        return random.nextLong(1L << 32);
    }

    /** The seed as the unsigned decimal the user would type back. */
    public static String format(long seed) {
        return Long.toUnsignedString(seed);
    }
}
