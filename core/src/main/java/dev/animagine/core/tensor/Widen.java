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
 * Widening of fp16 and bf16 weights to fp32, a vector at a time: what packing does to every weight
 * it reads from a mapped file. Integer bit manipulation only (the Vector API has no half-float
 * lanes), exact for every input including subnormals, infinities and NaNs, and without the
 * floating-point subnormal path that is slow on many cores.
 */
final class Widen {
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Short> S = ShortVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(I.length() * 16));
    private static final int L = I.length();

    private Widen() {}

    /** {@code count} fp16 values at byte {@code byteOff} of {@code src} into {@code dst[dstOff...]}. */
    static void f16(MemorySegment src, long byteOff, float[] dst, int dstOff, int count) {
        int i = 0;
        for (; i + L <= count; i += L) f16(src, byteOff + 2L * i).intoArray(dst, dstOff + i);
        for (; i < count; i++) dst[dstOff + i] = Float.float16ToFloat(src.get(StoredTensor.LE_SHORT, byteOff + 2L * i));
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
