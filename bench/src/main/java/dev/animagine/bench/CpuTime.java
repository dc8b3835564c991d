package dev.animagine.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * CPU clocks for figures taken on cores other processes share: wall time also counts their turns.
 * Since the engine's workers poll between kernel calls, CPU time includes that polling too.
 */
final class CpuTime {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private CpuTime() {}

    /** CPU time of every live thread of this JVM, in ns (per-thread clocks: far finer than the process's jiffies). */
    static long javaThreadsNanos() {
        long t = 0;
        for (long id : THREADS.getAllThreadIds()) t += Math.max(0, THREADS.getThreadCpuTime(id));
        return t;
    }

    /** The whole process's CPU time in ns (JIT compiler and GC threads included), or -1 where the platform does not tell. */
    static long processNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : -1;
    }
}
