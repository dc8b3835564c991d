package dev.animagine.bench;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.lang.management.ManagementFactory;

/** The HotSpot options the kernels' speed depends on, so a benchmark can say when they are off. */
public final class JvmOptions {
    private JvmOptions() {}

    /**
     * {@code LoopStripMiningIter}: 0 means C2 compiles the GEMM micro-kernel about 2x slower (the
     * default under ParallelGC); -1 if the VM does not say.
     */
    public static long loopStripMiningIter() {
        try {
            HotSpotDiagnosticMXBean bean = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            return Long.parseLong(bean.getVMOption("LoopStripMiningIter").getValue());
        } catch (RuntimeException | LinkageError e) {
            return -1;
        }
    }
}
