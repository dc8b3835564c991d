package dev.animagine.core.tensor;

import java.util.Optional;

/**
 * Element types as safetensors names them. Every name of the format is known so a file can be
 * inspected whatever it holds; {@link #floating()} tells which ones the engine computes with.
 */
public enum DType {
    F64("F64", 8), F32("F32", 4), F16("F16", 2), BF16("BF16", 2),
    F8_E4M3("F8_E4M3", 1), F8_E5M2("F8_E5M2", 1),
    I64("I64", 8), I32("I32", 4), I16("I16", 2), I8("I8", 1),
    U64("U64", 8), U32("U32", 4), U16("U16", 2), U8("U8", 1), BOOL("BOOL", 1);

    private final String fileName;
    private final int byteSize;

    DType(String fileName, int byteSize) {
        this.fileName = fileName;
        this.byteSize = byteSize;
    }

    /** The name used in safetensors headers. */
    public String fileName() {
        return fileName;
    }

    public int byteSize() {
        return byteSize;
    }

    /** Weight dtypes the kernels read directly. */
    public boolean floating() {
        return this == F32 || this == F16 || this == BF16;
    }

    public static Optional<DType> fromFileName(String name) {
        for (DType t : values()) if (t.fileName.equals(name)) return Optional.of(t);
        return Optional.empty();
    }
}
