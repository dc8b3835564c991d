package dev.animagine.core.io;

import dev.animagine.core.tensor.DType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Float to file-dtype conversion (F32, F16, BF16), little-endian, as safetensors stores them. */
public final class FloatCodec {
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private FloatCodec() {}

    /** bfloat16 bits of {@code f}, rounded to nearest even (what torch's {@code .to(bfloat16)} does). */
    public static short toBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) return (short) ((bits >>> 16) | 0x40);
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }

    /** The bits of {@code f} in {@code dtype}, as an int (F32 bits, or 16 bits for F16/BF16). */
    public static int bits(float f, DType dtype) {
        return switch (dtype) {
            case F32 -> Float.floatToRawIntBits(f);
            case F16 -> Float.floatToFloat16(f) & 0xFFFF;
            case BF16 -> toBf16(f) & 0xFFFF;
            default -> throw new IllegalArgumentException("cannot encode floats as " + dtype.fileName());
        };
    }

    /** Writes {@code src[from, from+count)} as {@code dtype} into {@code dst} starting at element {@code dstIndex}. */
    public static void encode(float[] src, int from, int count, DType dtype, MemorySegment dst, long dstIndex) {
        switch (dtype) {
            case F32 -> MemorySegment.copy(src, from, dst, LE_FLOAT, dstIndex * 4, count);
            case F16 -> {
                for (int i = 0; i < count; i++) dst.set(LE_SHORT, (dstIndex + i) * 2, Float.floatToFloat16(src[from + i]));
            }
            case BF16 -> {
                for (int i = 0; i < count; i++) dst.set(LE_SHORT, (dstIndex + i) * 2, toBf16(src[from + i]));
            }
            default -> throw new IllegalArgumentException("cannot encode floats as " + dtype.fileName());
        }
    }
}
