package dev.animagine.core.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * Widening of fp16 and bf16 weights to fp32: what packing does to every weight it reads from a
 * mapped file. Exact for every input including subnormals, infinities and NaNs. The one-vector
 * forms use integer bit manipulation only (the Vector API has no half-float lanes) and avoid the
 * floating-point subnormal path that is slow on many cores.
 */
final class Widen {
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Short> S = ShortVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(I.length() * 16));
    private static final int L = I.length();

    private Widen() {}

    private static final int CHUNK = 1024;
    private static final ThreadLocal<short[]> HALVES = ThreadLocal.withInitial(() -> new short[CHUNK]);

    /**
     * {@code count} fp16 values at byte {@code byteOff} of {@code src} into {@code dst[dstOff...]}:
     * copied to a short[] chunk, then converted by a plain loop that C2 compiles to the CPU's
     * half-float conversion (F16C vcvtph2ps on x86), over twice as fast as {@link #f16(MemorySegment, long)}.
     */
    static void f16(MemorySegment src, long byteOff, float[] dst, int dstOff, int count) {
        short[] h = HALVES.get();
        for (int done = 0; done < count; done += CHUNK) {
            int n = Math.min(CHUNK, count - done);
            MemorySegment.copy(src, StoredTensor.LE_SHORT, byteOff + 2L * done, h, 0, n);
            for (int i = 0; i < n; i++) dst[dstOff + done + i] = Float.float16ToFloat(h[i]);
        }
    }

    /** {@code count} bf16 values at byte {@code byteOff} of {@code src} into {@code dst[dstOff...]}. */
    static void bf16(MemorySegment src, long byteOff, float[] dst, int dstOff, int count) {
        int i = 0;
        for (; i + L <= count; i += L) bf16(src, byteOff + 2L * i).intoArray(dst, dstOff + i);
        for (; i < count; i++) dst[dstOff + i] = Float.intBitsToFloat(src.get(StoredTensor.LE_SHORT, byteOff + 2L * i) << 16);
    }

    /** One vector of fp16 values starting at byte {@code byteOff}. */
    static FloatVector f16(MemorySegment src, long byteOff) {
        IntVector h = halves(src, byteOff);
        IntVector em = h.and(0x7fff);                       // exponent and mantissa
        IntVector sign = h.and(0x8000).lanewise(VectorOperators.LSHL, 16);
        IntVector shifted = em.lanewise(VectorOperators.LSHL, 13);
        IntVector bits = shifted.add((127 - 15) << 23);     // normal numbers: rebias the exponent
        // subnormal halves are em * 2^-24, exact as an int-to-float conversion and a power-of-two scale
        IntVector sub = ((FloatVector) em.convert(VectorOperators.I2F, 0)).mul(0x1p-24f).reinterpretAsInts();
        bits = bits.blend(sub, em.compare(VectorOperators.LT, 0x0400));
        VectorMask<Integer> infNan = em.compare(VectorOperators.GE, 0x7c00);
        bits = bits.blend(shifted.or(0x7f800000), infNan);
        return bits.or(sign).reinterpretAsFloats();
    }

    /** One vector of bf16 values starting at byte {@code byteOff}. */
    static FloatVector bf16(MemorySegment src, long byteOff) {
        return halves(src, byteOff).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    /** L little-endian 16-bit values, zero-extended to int lanes. */
    private static IntVector halves(MemorySegment src, long byteOff) {
        ShortVector s = ShortVector.fromMemorySegment(S, src, byteOff, ByteOrder.LITTLE_ENDIAN);
        return ((IntVector) s.convertShape(VectorOperators.S2I, I, 0)).and(0xffff);
    }

    static {
        if (F.length() != L) throw new AssertionError("float and int species differ in lanes");
    }
}
