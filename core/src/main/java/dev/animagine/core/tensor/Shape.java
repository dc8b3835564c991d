package dev.animagine.core.tensor;

import java.util.Arrays;

/** Small helpers for shapes given as {@code long[]} (file tensors) or {@code int[]} (activations). */
public final class Shape {
    private Shape() {}

    /** Number of elements, or -1 when it overflows a long. */
    public static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) return -1;
            if (d != 0 && n > Long.MAX_VALUE / d) return -1;
            n *= d;
        }
        return n;
    }

    public static int numel(int[] shape) {
        long n = 1;
        for (int d : shape) n *= d;
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("shape too large: " + Arrays.toString(shape));
        return (int) n;
    }

    public static String toString(long[] shape) {
        return Arrays.toString(shape);
    }

    public static String toString(int[] shape) {
        return Arrays.toString(shape);
    }

    public static int[] toInt(long[] shape) {
        int[] r = new int[shape.length];
        for (int i = 0; i < shape.length; i++) r[i] = Math.toIntExact(shape[i]);
        return r;
    }
}
