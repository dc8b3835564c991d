package dev.animagine.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process's resident memory as Linux reports it in {@code /proc/self/status}: RSS counts
 * mapped weight pages that were touched as well as the Java heap, so it is the figure that says
 * whether a model fits in RAM.
 */
public final class ProcessMemory {
    private static final Path STATUS = Path.of("/proc/self/status");

    private ProcessMemory() {}

    /** Peak resident set size ({@code VmHWM}) in bytes, or -1 where the kernel does not report it. */
    public static long peakRssBytes() {
        return field("VmHWM:");
    }

    /**
     * Resets {@code VmHWM} to the current RSS (Linux 4.0+, {@code /proc/self/clear_refs}), so the
     * next {@link #peakRssBytes} is the peak since now; false where that is not possible.
     */
    public static boolean resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Current resident set size ({@code VmRSS}) in bytes, or -1. */
    public static long rssBytes() {
        return field("VmRSS:");
    }

    private static long field(String name) {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (!line.startsWith(name)) continue;
                String[] parts = line.substring(name.length()).trim().split("\\s+");
                long value = Long.parseLong(parts[0]);
                return parts.length > 1 && parts[1].equalsIgnoreCase("kB") ? value * 1024 : value;
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
