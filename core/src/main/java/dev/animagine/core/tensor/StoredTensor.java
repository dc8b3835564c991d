package dev.animagine.core.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A tensor kept in its storage dtype inside a memory segment: a slice of a memory-mapped
 * safetensors file (weights are never expanded to fp32 on the heap) or a small heap buffer.
 * Data is little-endian and row-major, as in safetensors.
 *
 * @param name   the name it has in the engine (diffusers naming) or in its file
 * @param origin where it comes from, for error messages (file path, possibly with the file's key)
 */
public record StoredTensor(String name, DType dtype, long[] shape, MemorySegment data, String origin) {
    static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfDouble LE_DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    public StoredTensor {
        long n = Shape.numel(shape);
        if (n < 0 || n * dtype.byteSize() != data.byteSize())
            throw new IllegalArgumentException(name + ": " + data.byteSize() + " bytes do not hold "
                    + dtype.fileName() + Arrays.toString(shape));
    }

    public long numel() {
        return Shape.numel(shape);
    }

    public int rank() {
        return shape.length;
    }

    public long dim(int i) {
        return shape[i < 0 ? shape.length + i : i];
    }

    /** Name and origin, e.g. {@code 'down_blocks.0.resnets.0.conv1.weight' (model.safetensors)}. */
    public String describe() {
        return "'" + name + "' (" + origin + ")";
    }

    /** Element {@code i} (flat index) as a float, from any floating or integer dtype. */
    public float getFloat(long i) {
        return switch (dtype) {
            case F32 -> data.get(LE_FLOAT, i * 4);
            case F16 -> Float.float16ToFloat(data.get(LE_SHORT, i * 2));
            case BF16 -> Float.intBitsToFloat(data.get(LE_SHORT, i * 2) << 16);
            case F64 -> (float) data.get(LE_DOUBLE, i * 8);
            case I64 -> (float) data.get(LE_LONG, i * 8);
            case I32 -> (float) data.get(LE_INT, i * 4);
            default -> throw new UnsupportedOperationException(describe() + ": dtype " + dtype.fileName() + " is not supported");
        };
    }

    /** Element {@code i} as a long, for integer tensors such as {@code position_ids}. */
    public long getLong(long i) {
        return switch (dtype) {
            case I64 -> data.get(LE_LONG, i * 8);
            case I32 -> data.get(LE_INT, i * 4);
            default -> (long) getFloat(i);
        };
    }

    /** Converts {@code count} elements starting at flat index {@code from} into {@code dst[dstOff...]}. */
    public void toFloats(long from, float[] dst, int dstOff, int count) {
        switch (dtype) {
            case F32 -> MemorySegment.copy(data, LE_FLOAT, from * 4, dst, dstOff, count);
            case F16 -> Widen.f16(data, from * 2, dst, dstOff, count);
            case BF16 -> Widen.bf16(data, from * 2, dst, dstOff, count);
            default -> {
                for (int k = 0; k < count; k++) dst[dstOff + k] = getFloat(from + k);
            }
        }
    }

    /** All elements as floats (for small tensors: norms, biases, embeddings of miniature models). */
    public float[] toFloats() {
        long n = numel();
        if (n > Integer.MAX_VALUE - 8) throw new IllegalStateException(describe() + " is too large to copy to the heap");
        float[] r = new float[(int) n];
        toFloats(0, r, 0, r.length);
        return r;
    }

    /** The same bytes seen with another shape of the same element count (e.g. [C,C,1,1] as [C,C]). */
    public StoredTensor reshape(long... newShape) {
        if (Shape.numel(newShape) != numel())
            throw new IllegalArgumentException(describe() + ": cannot view " + Arrays.toString(shape) + " as " + Arrays.toString(newShape));
        return new StoredTensor(name, dtype, newShape, data, origin);
    }

    /** Rows {@code [from, to)} along the first dimension, without copying (e.g. q of a fused in_proj). */
    public StoredTensor sliceRows(String newName, long from, long to) {
        long rowBytes = data.byteSize() / shape[0];
        long[] s = shape.clone();
        s[0] = to - from;
        return new StoredTensor(newName, dtype, s, data.asSlice(from * rowBytes, (to - from) * rowBytes), origin);
    }

    /**
     * Drops this tensor's pages from the process's resident memory if it is memory-mapped (madvise
     * DONTNEED); they stay in the OS page cache and come back on the next read. A no-op for heap
     * tensors.
     */
    public void release() {
        if (data.isMapped()) data.unload();
    }

    public Tensor toTensor() {
        return new Tensor(toFloats(), Shape.toInt(shape));
    }

    @Override
    public String toString() {
        return name + " " + dtype.fileName() + Arrays.toString(shape);
    }
}
