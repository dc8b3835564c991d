package dev.animagine.core.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.animagine.core.AnimagineException;
import dev.animagine.core.tensor.DType;
import dev.animagine.core.tensor.Shape;
import dev.animagine.core.tensor.StoredTensor;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A safetensors file, validated and memory-mapped: an 8-byte little-endian header length, a JSON
 * header {@code {name: {dtype, shape, data_offsets}, "__metadata__": {str: str}}}, then the raw
 * tensor bytes. Tensors are slices of one read-only mapping (files over 2 GiB work, nothing is
 * copied to the heap); they stay valid until {@link #close()}.
 *
 * <p>Everything the header claims is checked against the file before a tensor is handed out, so a
 * corrupt or truncated file fails here with one line naming the file and tensor, never later in a
 * kernel. The only allocation that depends on the file is the header itself (bounded by the file size).
 */
public final class SafetensorsFile implements AutoCloseable {
    /** The reference implementation refuses headers above 100 MB; so do we. */
    static final long MAX_HEADER_BYTES = 100L << 20;

    static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
            .build());

    private final Path path;
    private final Arena arena;
    private final long fileSize;
    private final long dataStart;
    private final Map<String, StoredTensor> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path path, Arena arena, long fileSize, long dataStart,
                            Map<String, StoredTensor> tensors, Map<String, String> metadata) {
        this.path = path;
        this.arena = arena;
        this.fileSize = fileSize;
        this.dataStart = dataStart;
        this.tensors = Collections.unmodifiableMap(tensors);
        this.metadata = Collections.unmodifiableMap(metadata);
    }

    /** Opens and validates {@code path}; every problem is an {@link AnimagineException} naming the file (and tensor). */
    public static SafetensorsFile open(Path path) {
        String where = path.toString();
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8)
                throw new AnimagineException(where + ": not a safetensors file (" + size + " bytes, too short for a header)");
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.getLong(0);
            if (headerLen < 2 || headerLen > MAX_HEADER_BYTES)
                throw new AnimagineException(where + ": not a safetensors file (declared header length "
                        + Long.toUnsignedString(headerLen) + " is implausible)");
            if (8 + headerLen > size)
                throw new AnimagineException(where + ": file is truncated (header declares " + headerLen
                        + " bytes, file has " + size + "; incomplete download?)");
            byte[] header = new byte[(int) headerLen];
            readFully(ch, ByteBuffer.wrap(header), 8);
            requireUtf8(header, where);
            long dataStart = 8 + headerLen;
            MemorySegment all = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            Map<String, String> meta = new LinkedHashMap<>();
            Map<String, StoredTensor> ts = parseHeader(header, where, all, dataStart, size - dataStart, meta);
            return new SafetensorsFile(path, arena, size, dataStart, ts, meta);
        } catch (NoSuchFileException e) {
            arena.close();
            throw new AnimagineException(where + ": file not found");
        } catch (AccessDeniedException e) {
            arena.close();
            throw new AnimagineException(where + ": permission denied");
        } catch (IOException e) {
            arena.close();
            throw new AnimagineException(where + ": cannot read (" + e.getMessage() + ")");
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) throw new IOException("unexpected end of file");
            pos += n;
        }
    }

    /** Validates UTF-8 through a small reused buffer, so no copy of the header is made. */
    private static void requireUtf8(byte[] header, String where) {
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(header);
        CharBuffer out = CharBuffer.allocate(4096);
        while (true) {
            CoderResult r = dec.decode(in, out.clear(), true);
            if (r.isError())
                throw new AnimagineException(where + ": not a safetensors file (header is not UTF-8 text)");
            if (r.isUnderflow()) break;
        }
    }

    private record Range(String name, long begin, long end) {}

    private static Map<String, StoredTensor> parseHeader(byte[] header, String where, MemorySegment all,
                                                         long dataStart, long dataSize, Map<String, String> meta) {
        // Streamed at the top level so a duplicated name is reported as such (a tree would keep the last).
        Map<String, JsonNode> entries = new LinkedHashMap<>();
        // a Reader, not the bytes: Jackson would otherwise guess UTF-16/32 from leading NULs
        try (JsonParser p = JSON.createParser(new InputStreamReader(new ByteArrayInputStream(header), StandardCharsets.UTF_8))) {
            if (p.nextToken() != JsonToken.START_OBJECT)
                throw new AnimagineException(where + ": invalid safetensors header (expected a JSON object)");
            for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                if (t != JsonToken.FIELD_NAME)
                    throw new AnimagineException(where + ": invalid safetensors header (JSON ends early or is malformed)");
                String name = p.currentName();
                p.nextToken();
                JsonNode v = JSON.readTree(p);
                if (entries.putIfAbsent(name, v) != null)
                    throw new AnimagineException(where + ": tensor '" + name + "' appears twice in the header (corrupt file)");
            }
            if (p.nextToken() != null)
                throw new AnimagineException(where + ": invalid safetensors header (trailing content after the JSON object)");
        } catch (IOException e) {
            String msg = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
            throw new AnimagineException(where + ": invalid safetensors header (JSON: " + msg + ")");
        }
        List<Range> ranges = new ArrayList<>();
        Map<String, StoredTensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : entries.entrySet()) {
            String name = e.getKey();
            JsonNode v = e.getValue();
            if (name.equals("__metadata__")) {
                readMetadata(v, where, meta);
                continue;
            }
            String t = where + ": tensor '" + name + "'";
            if (v == null || !v.isObject()) throw new AnimagineException(t + ": header entry is not an object");
            JsonNode dt = v.get("dtype"), sh = v.get("shape"), off = v.get("data_offsets");
            if (dt == null || !dt.isTextual()) throw new AnimagineException(t + ": missing dtype");
            DType dtype = DType.fromFileName(dt.asText())
                    .orElseThrow(() -> new AnimagineException(t + ": unknown dtype '" + dt.asText() + "'"));
            if (sh == null || !sh.isArray()) throw new AnimagineException(t + ": missing shape");
            long[] shape = new long[sh.size()];
            for (int i = 0; i < shape.length; i++) {
                JsonNode d = sh.get(i);
                if (!d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() < 0)
                    throw new AnimagineException(t + ": invalid shape " + sh);
                shape[i] = d.asLong();
            }
            if (off == null || !off.isArray() || off.size() != 2 || !isLong(off.get(0)) || !isLong(off.get(1)))
                throw new AnimagineException(t + ": invalid data_offsets " + off);
            long begin = off.get(0).asLong(), end = off.get(1).asLong();
            if (begin < 0 || end < begin)
                throw new AnimagineException(t + ": invalid data_offsets [" + begin + ", " + end + "]");
            long numel = Shape.numel(shape);
            if (numel < 0 || numel > Long.MAX_VALUE / dtype.byteSize() || numel * dtype.byteSize() != end - begin)
                throw new AnimagineException(t + ": " + dtype.fileName() + Shape.toString(shape) + " needs "
                        + (numel < 0 || numel > Long.MAX_VALUE / dtype.byteSize() ? "an impossible number of" : String.valueOf(numel * dtype.byteSize()))
                        + " bytes but data_offsets give " + (end - begin));
            if (end > dataSize)
                throw new AnimagineException(t + ": data ends at byte " + (dataStart + end) + " but the file has "
                        + (dataStart + dataSize) + " bytes (file is truncated; incomplete download?)");
            ranges.add(new Range(name, begin, end));
            out.put(name, new StoredTensor(name, dtype, shape, all.asSlice(dataStart + begin, end - begin), where));
        }
        checkOverlaps(ranges, where);
        return out;
    }

    private static boolean isLong(JsonNode n) {
        return n.isIntegralNumber() && n.canConvertToLong();
    }

    private static void readMetadata(JsonNode v, String where, Map<String, String> meta) {
        if (!v.isObject()) throw new AnimagineException(where + ": invalid __metadata__ (expected an object of strings)");
        for (Map.Entry<String, JsonNode> kv : v.properties()) {
            if (!kv.getValue().isTextual())
                throw new AnimagineException(where + ": invalid __metadata__ entry '" + kv.getKey() + "' (values must be strings)");
            meta.put(kv.getKey(), kv.getValue().asText());
        }
    }

    /** Byte ranges of non-empty tensors must be disjoint (empty ones may sit anywhere). */
    private static void checkOverlaps(List<Range> ranges, String where) {
        List<Range> sorted = new ArrayList<>();
        for (Range r : ranges) if (r.end > r.begin) sorted.add(r);
        sorted.sort(Comparator.comparingLong(Range::begin).thenComparingLong(Range::end));
        Range furthest = null;
        for (Range r : sorted) {
            if (furthest != null && r.begin < furthest.end)
                throw new AnimagineException(where + ": tensors '" + furthest.name + "' and '" + r.name
                        + "' overlap in the file (corrupt header)");
            if (furthest == null || r.end > furthest.end) furthest = r;
        }
    }

    public Path path() {
        return path;
    }

    public long fileSize() {
        return fileSize;
    }

    /** Offset of the first data byte (8 + header length). */
    public long dataStart() {
        return dataStart;
    }

    /** Tensors in header order, by the name they have in the file. */
    public Map<String, StoredTensor> tensors() {
        return tensors;
    }

    public StoredTensor tensor(String name) {
        StoredTensor t = tensors.get(name);
        if (t == null) throw new AnimagineException(path + ": no tensor '" + name + "'");
        return t;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    /** Unmaps the file: tensors read from it must not be used afterwards. */
    @Override
    public void close() {
        arena.close();
    }
}
