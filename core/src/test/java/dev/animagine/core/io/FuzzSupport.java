package dev.animagine.core.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Shared plumbing of the fuzz tests: a scratch directory in memory and an allocation meter. */
final class FuzzSupport {
    private FuzzSupport() {}

    /** A scratch directory, in /dev/shm when there is one (fuzzing writes a file per input). */
    static Path scratch(String name) {
        try {
            Path shm = Path.of("/dev/shm");
            Path base = Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
            Path d = base.resolve("animagine-fuzz-" + name + "-" + ProcessHandle.current().pid());
            Files.createDirectories(d);
            // Jazzer may end a fuzzing JVM without running @AfterAll
            Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(d)));
            return d;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    static long allocatedBytes() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }

    /**
     * The reader may allocate in proportion to the bytes it was given (the header it parses), never to
     * sizes a header merely claims: bounded by 64 bytes per input byte plus a fixed 16 MiB for the JSON
     * parser and file plumbing.
     */
    static void assertAllocationBounded(long before, long inputBytes) {
        long used = allocatedBytes() - before;
        assertThat(used).as("bytes allocated for a %d-byte input", inputBytes).isLessThanOrEqualTo(64 * inputBytes + (16L << 20));
    }

    static void delete(Path p) {
        AtomicFiles.deleteRecursively(p);
    }
}
