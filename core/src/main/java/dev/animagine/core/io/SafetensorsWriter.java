package dev.animagine.core.io;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.animagine.core.AnimagineException;
import dev.animagine.core.tensor.DType;
import dev.animagine.core.tensor.Shape;
import dev.animagine.core.tensor.StoredTensor;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

/**
 * Writes a safetensors file atomically: the whole file is laid out in a temporary file next to the
 * target (header padded with spaces to a multiple of 8 bytes, as the reference writer does, then the
 * tensors back to back), each tensor's {@link Source} fills its own slice of the mapped temporary file
 * (so tensors of any size stream straight to disk, optionally in parallel), and the finished file is
 * renamed into place. An existing target is never replaced unless {@link #overwrite(boolean)} says so.
 *
 * <pre>{@code
 * new SafetensorsWriter(path).metadata("format", "pt")
 *     .add("w", DType.F16, new long[] {4, 4}, seg -> ...fill seg...)
 *     .write();
 * }</pre>
 */
public final class SafetensorsWriter {
    /** Fills the bytes of one tensor (exactly dtype size x element count, little-endian, row-major). */
    @FunctionalInterface
    public interface Source {
        void fill(MemorySegment dst);
    }

    /** One tensor to write. */
    public record Entry(String name, DType dtype, long[] shape, Source source) {
        public long byteSize() {
            return Shape.numel(shape) * dtype.byteSize();
        }
    }

    private final Path path;
    private final List<Entry> entries = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private boolean overwrite;
    private boolean parallel;

    public SafetensorsWriter(Path path) {
        this.path = path;
    }

    public SafetensorsWriter add(String name, DType dtype, long[] shape, Source source) {
        if (name.equals("__metadata__") || !names.add(name))
            throw new IllegalArgumentException("duplicate or reserved tensor name '" + name + "'");
        long n = Shape.numel(shape);
        if (n < 0) throw new IllegalArgumentException(name + ": bad shape " + Arrays.toString(shape));
        entries.add(new Entry(name, dtype, shape.clone(), source));
        return this;
    }

    /** Adds a copy of an existing tensor (any dtype, e.g. a mapped weight) under {@code name}. */
    public SafetensorsWriter add(String name, StoredTensor t) {
        return add(name, t.dtype(), t.shape(), dst -> dst.copyFrom(t.data()));
    }

    /** Adds float values stored as {@code dtype} (F32, F16 or BF16; BF16 rounds to nearest even). */
    public SafetensorsWriter add(String name, DType dtype, long[] shape, float[] values) {
        if (Shape.numel(shape) != values.length)
            throw new IllegalArgumentException(name + ": " + values.length + " values do not fill " + Arrays.toString(shape));
        return add(name, dtype, shape, dst -> FloatCodec.encode(values, 0, values.length, dtype, dst, 0));
    }

    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    public SafetensorsWriter metadata(Map<String, String> values) {
        metadata.putAll(values);
        return this;
    }

    /** Replace an existing file at the target path (default: refuse). */
    public SafetensorsWriter overwrite(boolean overwrite) {
        this.overwrite = overwrite;
        return this;
    }

    /** Fill tensors concurrently (sources must then be thread-safe with respect to each other). */
    public SafetensorsWriter parallel(boolean parallel) {
        this.parallel = parallel;
        return this;
    }

    /** Size the finished file will have. */
    public long fileSize() {
        return 8 + header().length + dataSize();
    }

    private long dataSize() {
        long s = 0;
        for (Entry e : entries) s += e.byteSize();
        return s;
    }

    private byte[] header() {
        ObjectNode root = SafetensorsFile.JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode m = root.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        long offset = 0;
        for (Entry e : entries) {
            ObjectNode t = root.putObject(e.name());
            t.put("dtype", e.dtype().fileName());
            ArrayNode s = t.putArray("shape");
            for (long d : e.shape()) s.add(d);
            ArrayNode o = t.putArray("data_offsets");
            o.add(offset);
            offset += e.byteSize();
            o.add(offset);
        }
        byte[] json = root.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) & ~7;
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    /** Writes the file; on any failure the temporary file is removed and the target left untouched. */
    public void write() {
        AtomicFiles.refuseExisting(path, overwrite);
        byte[] header = header();
        long size = 8 + header.length + dataSize();
        AtomicFiles.write(path, overwrite, tmp -> {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW);
                 Arena arena = Arena.ofShared()) {
                // Setting the length first makes a sparse file; sources that write nothing leave holes.
                ch.truncate(0);
                ch.position(size - 1);
                if (size > 0) ch.write(java.nio.ByteBuffer.wrap(new byte[] {0}));
                MemorySegment file = ch.map(FileChannel.MapMode.READ_WRITE, 0, size, arena);
                file.set(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, header.length);
                MemorySegment.copy(MemorySegment.ofArray(header), 0, file, 8, header.length);
                long[] starts = new long[entries.size()];
                long off = 8 + header.length;
                for (int i = 0; i < starts.length; i++) {
                    starts[i] = off;
                    off += entries.get(i).byteSize();
                }
                AtomicReference<RuntimeException> failure = new AtomicReference<>();
                IntStream idx = IntStream.range(0, entries.size());
                (parallel ? idx.parallel() : idx).forEach(i -> {
                    if (failure.get() != null) return;
                    Entry e = entries.get(i);
                    try {
                        e.source().fill(file.asSlice(starts[i], e.byteSize()));
                    } catch (RuntimeException ex) {
                        failure.compareAndSet(null, ex);
                    }
                });
                if (failure.get() != null) throw failure.get();
                file.force();
            }
        });
    }
}
