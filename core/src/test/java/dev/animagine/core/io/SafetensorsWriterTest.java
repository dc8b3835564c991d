package dev.animagine.core.io;

import dev.animagine.core.AnimagineException;
import dev.animagine.core.tensor.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SafetensorsWriterTest {
    @TempDir
    Path dir;

    @Test
    void roundTripsDtypesShapesValuesAndMetadata() {
        Path p = dir.resolve("out.safetensors");
        new SafetensorsWriter(p).metadata("format", "pt")
                .add("a", DType.F32, new long[] {2, 2}, new float[] {1, 2, 3, 4})
                .add("b", DType.BF16, new long[] {3}, new float[] {1f, 1.00390625f, -0f})
                .add("c", DType.F16, new long[] {1}, new float[] {65504f})
                .write();
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertThat(f.metadata()).containsExactlyEntriesOf(java.util.Map.of("format", "pt"));
            assertThat(f.tensor("a").toFloats()).containsExactly(1, 2, 3, 4);
            assertThat(f.tensor("a").shape()).containsExactly(2, 2);
            // 1 + 2^-8 is halfway between two bf16 values: rounds to even (1.0)
            assertThat(f.tensor("b").toFloats()).containsExactly(1f, 1f, -0f);
            assertThat(f.tensor("c").toFloats()).containsExactly(65504f);
            assertThat(f.dataStart() % 8).as("header padded to 8 bytes").isZero();
        }
    }

    @Test
    void headerIsPaddedWithSpaces() throws IOException {
        Path p = dir.resolve("pad.safetensors");
        new SafetensorsWriter(p).add("x", DType.F32, new long[] {1}, new float[] {0}).write();
        byte[] bytes = Files.readAllBytes(p);
        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(n % 8).isZero();
        String header = new String(bytes, 8, (int) n, java.nio.charset.StandardCharsets.UTF_8);
        assertThat(header.stripTrailing()).endsWith("}");
        assertThat(header.substring(header.stripTrailing().length())).matches(" *");
    }

    @Test
    void refusesToOverwriteUnlessAsked() throws IOException {
        Path p = dir.resolve("exists.safetensors");
        Files.writeString(p, "keep me");
        SafetensorsWriter w = new SafetensorsWriter(p).add("x", DType.F32, new long[] {1}, new float[] {1});
        assertThatThrownBy(w::write).isInstanceOf(AnimagineException.class)
                .hasMessageContaining(p.toString()).hasMessageContaining("already exists");
        assertThat(Files.readString(p)).isEqualTo("keep me");
        w.overwrite(true).write();
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertThat(f.tensor("x").toFloats()).containsExactly(1f);
        }
    }

    @Test
    void aFailingSourceLeavesNothingBehind() throws IOException {
        Path p = dir.resolve("fail.safetensors");
        SafetensorsWriter w = new SafetensorsWriter(p).add("x", DType.F32, new long[] {4}, seg -> {
            throw new IllegalStateException("boom");
        });
        assertThatThrownBy(w::write).hasMessageContaining("boom");
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.toList()).isEmpty();
        }
    }

    @Test
    void sourcesThatWriteNothingMakeASparseFileOfTheFullSize() throws IOException {
        Path p = dir.resolve("sparse.safetensors");
        long gib = 1L << 30;
        SafetensorsWriter w = new SafetensorsWriter(p).add("big", DType.F16, new long[] {gib / 2}, seg -> { }).parallel(true);
        w.write();
        assertThat(Files.size(p)).isEqualTo(w.fileSize()).isGreaterThan(gib);
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertThat(f.tensor("big").data().byteSize()).isEqualTo(gib);
            assertThat(f.tensor("big").getFloat(gib / 2 - 1)).isZero();
        }
    }

    @Test
    void rejectsDuplicateNames() {
        SafetensorsWriter w = new SafetensorsWriter(dir.resolve("d.safetensors")).add("x", DType.F32, new long[] {1}, new float[] {1});
        assertThatThrownBy(() -> w.add("x", DType.F32, new long[] {1}, new float[] {1})).isInstanceOf(IllegalArgumentException.class);
    }
}
