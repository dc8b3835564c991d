package dev.animagine.core.tensor;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/** The vectorised exp, SiLU, GELU and the fp16/bf16 widening against double-precision / JDK references. */
class VectorFunctionsTest {
    private static final int L = FloatVector.SPECIES_PREFERRED.length();

    /** Max error of f over [from, to], relative to max(|reference|, floor). */
    private static double maxError(UnaryOperator<FloatVector> f, DoubleUnaryOperator ref, double from, double to, double floor) {
        int n = 200_000 / L * L;
        float[] x = new float[n], y = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (from + (to - from) * i / (n - 1));
        for (int i = 0; i < n; i += L) f.apply(FloatVector.fromArray(FloatVector.SPECIES_PREFERRED, x, i)).intoArray(y, i);
        double worst = 0;
        for (int i = 0; i < n; i++) {
            double r = ref.applyAsDouble(x[i]);
            worst = Math.max(worst, Math.abs(y[i] - r) / Math.max(Math.abs(r), floor));
        }
        return worst;
    }

    @Test
    void expIsWithinAFewUlps() {
        assertThat(maxError(VectorFunctions::exp, Math::exp, -87, 88, 0)).isLessThan(3e-7);
        // far below the range it is (nearly) zero, never negative or NaN
        FloatVector tiny = VectorFunctions.exp(FloatVector.broadcast(FloatVector.SPECIES_PREFERRED, -1000f));
        assertThat((double) tiny.lane(0)).isBetween(0.0, 1e-37);
        FloatVector negInf = VectorFunctions.exp(FloatVector.broadcast(FloatVector.SPECIES_PREFERRED, Float.NEGATIVE_INFINITY));
        assertThat((double) negInf.lane(0)).isBetween(0.0, 1e-37);
    }

    @Test
    void siluAndGeluMatchTheirDefinitions() {
        assertThat(maxError(VectorFunctions::silu, x -> x / (1 + Math.exp(-x)), -30, 30, 1e-3)).isLessThan(1e-6);
        // GELU against erf in double (the A&S-checked Erf): within about 16 float ulps, relative where
        // |gelu| > 1e-3 and absolute below (the fixtures allow 1e-4)
        assertThat(maxError(VectorFunctions::gelu, x -> 0.5 * x * (1 + Erf.erf(x / Math.sqrt(2))), -12, 12, 1e-3)).isLessThan(2e-6);
        // the negative tail keeps relative precision (computed via erfc, not 1 + erf)
        assertThat(maxError(VectorFunctions::gelu, x -> 0.5 * x * erfc(-x / Math.sqrt(2)), -5, -2, 0)).isLessThan(5e-6);
        assertThat(maxError(VectorFunctions::quickGelu, x -> x / (1 + Math.exp(-1.702 * x)), -20, 20, 1e-3)).isLessThan(1e-6);
    }

    /** erfc(t) for t >= 2 by its continued fraction, in double (enough terms for 1e-12 there). */
    private static double erfc(double t) {
        double f = 0;
        for (int k = 60; k >= 1; k--) f = k / 2.0 / (t + f);
        return Math.exp(-t * t) / Math.sqrt(Math.PI) / (t + f);
    }

    @Test
    void widenIsExactForEveryHalfFloatBitPattern() {
        MemorySegment seg = MemorySegment.ofArray(new byte[65536 * 2]);
        ValueLayout.OfShort le = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 65536; i++) seg.set(le, 2L * i, (short) i);
        float[] f16 = new float[65536], bf16 = new float[65536];
        Widen.f16(seg, 0, f16, 0, 65536);
        Widen.bf16(seg, 0, bf16, 0, 65536);
        for (int i = 0; i < 65536; i++) {
            float e = Float.float16ToFloat((short) i);
            assertThat(Float.floatToRawIntBits(f16[i])).as("fp16 %04x", i)
                    .isEqualTo(Float.isNaN(e) ? Float.floatToRawIntBits(f16[i]) : Float.floatToRawIntBits(e));
            if (Float.isNaN(e)) assertThat(f16[i]).isNaN();
            assertThat(Float.floatToRawIntBits(bf16[i])).isEqualTo(i << 16);
        }
        // unaligned start and a tail shorter than a vector
        float[] part = new float[13];
        Widen.f16(seg, 2L * 15361, part, 0, 13);
        for (int i = 0; i < 13; i++) assertThat(part[i]).isEqualTo(Float.float16ToFloat((short) (15361 + i)));
    }
}
