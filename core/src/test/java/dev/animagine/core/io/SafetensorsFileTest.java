package dev.animagine.core.io;

import dev.animagine.core.AnimagineException;
import dev.animagine.core.tensor.DType;
import dev.animagine.core.tensor.StoredTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** One test per way a safetensors file can be broken; each message names the file (and the tensor). */
class SafetensorsFileTest {
    @TempDir
    Path dir;

    /** A file made of an 8-byte length, the given header text and {@code dataBytes} zero bytes. */
    private Path raw(String name, String header, int dataBytes) throws IOException {
        return raw(name, header.getBytes(StandardCharsets.UTF_8), header.getBytes(StandardCharsets.UTF_8).length, dataBytes);
    }

    private Path raw(String name, byte[] header, long declaredLength, int dataBytes) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declaredLength).put(header);
        Path p = dir.resolve(name);
        Files.write(p, b.array());
        return p;
    }

    private static void assertRejected(Path file, String... fragments) {
        assertThatThrownBy(() -> SafetensorsFile.open(file).close())
                .isInstanceOf(AnimagineException.class)
                .hasMessageStartingWith(file.toString())
                .hasMessageContainingAll(fragments)
                .hasMessageNotContaining("\n");
    }

    @Test
    void readsAValidFileWithMetadataAndIntegerTensors() throws IOException {
        String h = "{\"__metadata__\":{\"format\":\"pt\"},\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"ids\":{\"dtype\":\"I64\",\"shape\":[1,1],\"data_offsets\":[8,16]},\"e\":{\"dtype\":\"F16\",\"shape\":[0],\"data_offsets\":[16,16]}}";
        Path p = raw("ok.safetensors", h, 16);
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertThat(f.metadata()).containsEntry("format", "pt");
            assertThat(f.tensors().keySet()).containsExactly("w", "ids", "e");
            assertThat(f.tensor("w").dtype()).isEqualTo(DType.F32);
            assertThat(f.tensor("ids").shape()).containsExactly(1, 1);
            assertThat(f.tensor("e").numel()).isZero();
            assertThat(f.dataStart()).isEqualTo(8 + h.length());
        }
    }

    @Test
    void shortFile() throws IOException {
        Path p = dir.resolve("short.safetensors");
        Files.write(p, new byte[] {1, 2, 3});
        assertRejected(p, "too short");
    }

    @Test
    void implausibleHeaderLength() throws IOException {
        assertRejected(raw("huge.safetensors", "{}".getBytes(StandardCharsets.UTF_8), 1L << 40, 0), "header length", "implausible");
        assertRejected(raw("negative.safetensors", "{}".getBytes(StandardCharsets.UTF_8), -5, 0), "implausible");
    }

    @Test
    void headerLongerThanFile() throws IOException {
        assertRejected(raw("cut.safetensors", "{}".getBytes(StandardCharsets.UTF_8), 5000, 0), "truncated");
    }

    @Test
    void truncatedData() throws IOException {
        Path p = raw("trunc.safetensors", "{\"big\":{\"dtype\":\"F32\",\"shape\":[4,4],\"data_offsets\":[0,64]}}", 10);
        assertRejected(p, "'big'", "truncated");
    }

    @Test
    void notUtf8() throws IOException {
        byte[] h = {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'};
        assertRejected(raw("latin.safetensors", h, h.length, 0), "not UTF-8");
    }

    @Test
    void badJson() throws IOException {
        assertRejected(raw("json.safetensors", "{\"w\": {\"dtype\": ", 0), "JSON");
        assertRejected(raw("array.safetensors", "[1, 2]", 0), "JSON object");
        assertRejected(raw("trailing.safetensors", "{} {}", 0), "trailing");
    }

    @Test
    void duplicateKeys() throws IOException {
        String t = "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}";
        assertRejected(raw("dup.safetensors", "{\"w\":" + t + ",\"w\":" + t + "}", 4), "'w'", "twice");
    }

    @Test
    void unknownDtype() throws IOException {
        assertRejected(raw("dtype.safetensors", "{\"w\":{\"dtype\":\"F12\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "'w'", "unknown dtype 'F12'");
    }

    @Test
    void badShape() throws IOException {
        assertRejected(raw("neg.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4), "'w'", "invalid shape");
        assertRejected(raw("frac.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", 4), "'w'", "invalid shape");
        assertRejected(raw("noshape.safetensors", "{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4), "'w'", "missing shape");
        assertRejected(raw("overflow.safetensors",
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,4294967296],\"data_offsets\":[0,4]}}", 4), "'w'", "impossible");
    }

    @Test
    void offsetsDisagreeWithDtypeTimesShape() throws IOException {
        assertRejected(raw("size.safetensors", "{\"w\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[0,4]}}", 4),
                "'w'", "needs 6 bytes but data_offsets give 4");
    }

    @Test
    void badOffsets() throws IOException {
        assertRejected(raw("rev.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,4]}}", 8), "'w'", "data_offsets");
        assertRejected(raw("one.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 4), "'w'", "data_offsets");
    }

    @Test
    void overlappingOffsets() throws IOException {
        String h = "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                + "\"z\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}";
        assertRejected(raw("overlap.safetensors", h, 16), "'a'", "'b'", "overlap");
    }

    @Test
    void outOfBoundsOffsets() throws IOException {
        assertRejected(raw("oob.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[100,108]}}", 8), "'w'", "data ends at byte");
    }

    @Test
    void nonStringMetadata() throws IOException {
        assertRejected(raw("meta.safetensors", "{\"__metadata__\":{\"epoch\":3}}", 0), "__metadata__", "'epoch'");
        assertRejected(raw("meta2.safetensors", "{\"__metadata__\":[1]}", 0), "__metadata__");
    }

    @Test
    void entryThatIsNotAnObject() throws IOException {
        assertRejected(raw("entry.safetensors", "{\"w\":3}", 0), "'w'", "not an object");
        assertRejected(raw("nodtype.safetensors", "{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "'w'", "missing dtype");
    }

    @Test
    void missingFile() {
        assertRejected(dir.resolve("absent.safetensors"), "not found");
    }

    @Test
    void valuesAreReadInPlace() throws IOException {
        Path p = dir.resolve("v.safetensors");
        new SafetensorsWriter(p).add("x", DType.F16, new long[] {3}, new float[] {1f, -2f, 0.5f}).write();
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            StoredTensor x = f.tensor("x");
            assertThat(x.toFloats()).containsExactly(1f, -2f, 0.5f);
            assertThat(x.data().isMapped()).isTrue();
        }
    }
}
