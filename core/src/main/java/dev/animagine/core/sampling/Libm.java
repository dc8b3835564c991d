package dev.animagine.core.sampling;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * The C library's single-precision {@code logf}, {@code sinf} and {@code cosf}, which torch's
 * portable normal kernel calls. They are not correctly rounded (glibc 2.36 differs from the
 * correctly rounded value for about 1% of arguments), so reproducing that kernel bit for bit means
 * calling them. Where the platform has no such symbols, the correctly rounded values are used
 * (within 1 ulp of any libm).
 */
final class Libm {
    private Libm() {}

    private static final MethodHandle LOGF, SINF, COSF;

    static {
        MethodHandle log = null, sin = null, cos = null;
        try {
            Linker linker = Linker.nativeLinker();
            SymbolLookup libc = linker.defaultLookup();
            FunctionDescriptor floatToFloat = FunctionDescriptor.of(ValueLayout.JAVA_FLOAT, ValueLayout.JAVA_FLOAT);
            Optional<MethodHandle> l = libc.find("logf").map(s -> linker.downcallHandle(s, floatToFloat, Linker.Option.critical(false)));
            Optional<MethodHandle> s = libc.find("sinf").map(a -> linker.downcallHandle(a, floatToFloat, Linker.Option.critical(false)));
            Optional<MethodHandle> c = libc.find("cosf").map(a -> linker.downcallHandle(a, floatToFloat, Linker.Option.critical(false)));
            if (l.isPresent() && s.isPresent() && c.isPresent()) {
                log = l.get();
                sin = s.get();
                cos = c.get();
            }
        } catch (RuntimeException | LinkageError e) {
            // no native access (e.g. --enable-native-access denied): fall back to Java
        }
        LOGF = log;
        SINF = sin;
        COSF = cos;
    }

    /** Whether the platform's functions are in use (otherwise correctly rounded Java ones). */
    static boolean isNative() {
        return LOGF != null;
    }

    static float logf(float x) {
        return LOGF == null ? (float) Math.log(x) : call(LOGF, x);
    }

    static float sinf(float x) {
        return SINF == null ? (float) Math.sin(x) : call(SINF, x);
    }

    static float cosf(float x) {
        return COSF == null ? (float) Math.cos(x) : call(COSF, x);
    }

    private static float call(MethodHandle h, float x) {
        try {
            return (float) h.invokeExact(x);
        } catch (Throwable t) {
            throw new IllegalStateException("libm call failed", t);
        }
    }
}
