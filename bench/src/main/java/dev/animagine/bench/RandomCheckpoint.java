package dev.animagine.bench;

import dev.animagine.core.AnimagineException;
import dev.animagine.core.io.Checkpoint;
import dev.animagine.core.io.Component;
import dev.animagine.core.io.DiffusersConfigs;
import dev.animagine.core.io.ModelLocator.Layout;
import dev.animagine.core.io.SafetensorsWriter;
import dev.animagine.core.io.SdxlArchitecture;
import dev.animagine.core.io.SdxlKeys;
import dev.animagine.core.io.TensorSpec;
import dev.animagine.core.io.AtomicFiles;
import dev.animagine.core.tensor.DType;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Writes a checkpoint of random weights for an architecture, in either layout: an SGM/A1111 single
 * file (the inverse of {@link SgmToDiffusers}: fused OpenCLIP q;k;v, transposed projection, 1x1-conv
 * VAE attention, CLIP-L position_ids) or a diffusers folder with config.json files. The same seed
 * gives the same values in both layouts. Atomic and never overwriting (temp file or folder, then
 * rename). Filling runs in parallel across tensors; {@code fill = false} leaves the data as holes of
 * a sparse file (header and size only), for tests of full-size detection.
 */
public final class RandomCheckpoint {
    private final SdxlArchitecture arch;
    private final DType dtype;
    private final long seed;
    private boolean fill = true;
    private Checkpoint like;

    public RandomCheckpoint(SdxlArchitecture arch, DType dtype, long seed) {
        if (!dtype.floating()) throw new IllegalArgumentException("weights must be F32, F16 or BF16, not " + dtype.fileName());
        this.arch = arch;
        this.dtype = dtype;
        this.seed = seed;
    }

    /** Write only the layout (sparse file, no values): for cheap tests of full-size files. */
    public RandomCheckpoint withoutValues() {
        this.fill = false;
        return this;
    }

    /** Copy the scheduler config and tokenizer folders of this model into a diffusers output. */
    public RandomCheckpoint copyingExtrasFrom(Checkpoint model) {
        this.like = model;
        return this;
    }

    public void write(Layout layout, Path out) {
        if (layout == Layout.SINGLE_FILE) writeSingleFile(out);
        else writeDiffusers(out);
    }

    /** Bytes the output will take (sum of the weight files). */
    public long weightBytes() {
        long n = 0;
        for (TensorSpec s : SdxlKeys.of(arch)) n += s.numel() * dtype.byteSize();
        return n;
    }

    private void writeSingleFile(Path out) {
        SafetensorsWriter w = new SafetensorsWriter(out).parallel(true)
                .metadata("format", "pt")
                .metadata("animagine.random", "seed " + seed + ", " + dtype.fileName());
        Map<String, List<TensorSpec>> bySgm = new LinkedHashMap<>();
        for (TensorSpec s : SdxlKeys.of(arch)) bySgm.computeIfAbsent(s.sgmName(), k -> new java.util.ArrayList<>()).add(s);
        for (Map.Entry<String, List<TensorSpec>> e : bySgm.entrySet()) {
            List<TensorSpec> parts = e.getValue();
            TensorSpec first = parts.getFirst();
            w.add(e.getKey(), dtype, first.sgmShape(), dst -> fillSgm(parts, dst));
        }
        int positions = arch.textEncoder().maxPositionEmbeddings();
        ValueLayout.OfLong le = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        w.add(Component.TEXT_ENCODER.sgmPrefix() + "text_model.embeddings.position_ids", DType.I64, new long[] {1, positions}, dst -> {
            for (int i = 0; i < positions; i++) dst.set(le, i * 8L, i);
        });
        w.write();
    }

    private void fillSgm(List<TensorSpec> parts, MemorySegment dst) {
        if (!fill) return;
        TensorSpec first = parts.getFirst();
        long bytes = first.numel() * dtype.byteSize();
        switch (first.form()) {
            case SAME, CONV_1X1 -> fillOne(first, dst);
            case QKV -> {
                for (TensorSpec p : parts) fillOne(p, dst.asSlice(p.part() * bytes, bytes));
            }
            case TRANSPOSED -> {
                MemorySegment tmp = MemorySegment.ofArray(new byte[(int) bytes]);
                fillOne(first, tmp);
                long rows = first.shape()[0], cols = first.shape()[1];
                int es = dtype.byteSize();
                for (long r = 0; r < rows; r++)
                    for (long c = 0; c < cols; c++)
                        MemorySegment.copy(tmp, (r * cols + c) * es, dst, (c * rows + r) * es, es);
            }
        }
    }

    private void fillOne(TensorSpec s, MemorySegment dst) {
        if (fill) RandomWeights.fill(seed, s.component().folder() + "/" + s.name(), s.shape(), dtype, dst);
    }

    private void writeDiffusers(Path out) {
        AtomicFiles.write(out, false, tmp -> {
            Files.createDirectory(tmp);
            String torchDtype = switch (dtype) {
                case F16 -> "float16";
                case BF16 -> "bfloat16";
                default -> "float32";
            };
            Files.writeString(tmp.resolve("model_index.json"), DiffusersConfigs.modelIndexJson());
            Files.createDirectories(tmp.resolve("scheduler"));
            String sched = like != null && like.schedulerConfig().isPresent() ? like.schedulerConfigJson().get() : DiffusersConfigs.schedulerJson();
            Files.writeString(tmp.resolve("scheduler/scheduler_config.json"), sched);
            for (Component c : Component.values()) {
                Path dir = Files.createDirectories(tmp.resolve(c.folder()));
                Files.writeString(dir.resolve("config.json"), DiffusersConfigs.configJson(arch, c, torchDtype));
                SafetensorsWriter w = new SafetensorsWriter(dir.resolve(c.weightsBaseName() + ".safetensors")).parallel(true).metadata("format", "pt");
                for (TensorSpec s : SdxlKeys.of(arch, c)) w.add(s.name(), dtype, s.shape(), dst -> fillOne(s, dst));
                w.write();
            }
            if (like != null)
                for (int i = 1; i <= 2; i++) {
                    var src = like.tokenizerDirectory(i);
                    if (src.isPresent()) copyDir(src.get(), tmp.resolve(src.get().getFileName()));
                }
        });
    }

    private static void copyDir(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(from)) {
            for (Path p : s.toList()) if (Files.isRegularFile(p)) Files.copy(p, to.resolve(p.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
        }
    }

}
