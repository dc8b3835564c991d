package dev.animagine.core.io;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.animagine.core.AnimagineException;
import dev.animagine.core.tensor.DType;
import dev.animagine.core.tensor.StoredTensor;
import org.junit.jupiter.api.AfterAll;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Any bytes given to the safetensors reader either open as a valid file whose tensors can be read
 * end to end, or fail with an {@link AnimagineException}; nothing else escapes, and allocation stays
 * proportional to the input. Runs its seed inputs in every build (regression mode), a bounded fuzzing
 * run in {@code ./mvnw verify} (JAZZER_FUZZ=1, see core/pom.xml), and longer runs on demand.
 */
class SafetensorsFuzzTest {
    /** The first inputs load (and Jazzer instruments) most classes: their allocations are not the reader's. */
    private static final int WARM_UP = 20;
    private static int runs;
    private static final Path DIR = FuzzSupport.scratch("safetensors");

    @AfterAll
    static void cleanUp() {
        FuzzSupport.delete(DIR);
    }

    @DictionaryEntries({"\"dtype\"", "\"shape\"", "\"data_offsets\"", "\"__metadata__\"", "\"F16\"", "\"BF16\"", "\"F32\"",
            "\"I64\"", "\"I32\"", "\"F8_E4M3\"", "[0,", "]}", "{\"", "9223372036854775807", "-1"})
    @FuzzTest(maxDuration = "5s")
    void safetensorsReader(byte[] data) throws IOException {
        Path file = DIR.resolve("input.safetensors");
        Files.write(file, data);
        long before = FuzzSupport.allocatedBytes();
        read(file);
        if (++runs > WARM_UP) FuzzSupport.assertAllocationBounded(before, data.length);
    }

    private static void read(Path file) {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            for (StoredTensor t : f.tensors().values()) {
                long n = t.numel();
                if (n == 0) continue;
                if (t.dtype().floating() || t.dtype() == DType.I64 || t.dtype() == DType.I32) {
                    t.getFloat(0);
                    t.getFloat(n - 1);
                }
            }
            f.metadata().size();
        } catch (AnimagineException expected) {
            // a clear, user-facing rejection
        }
    }
}
