package dev.animagine.core.lora;

import dev.animagine.core.io.Component;
import dev.animagine.core.io.FloatCodec;
import dev.animagine.core.io.SdxlArchitecture;
import dev.animagine.core.tensor.DType;
import dev.animagine.core.tensor.LowRank;
import dev.animagine.core.tensor.StoredTensor;
import dev.animagine.core.tensor.Weights;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Several adapters applied together, in order, with A1111's per-adapter text-encoder and UNet
 * weights ({@code <lora:name:te:unet>}). {@link #apply} gives an adapted view of a component's
 * weights from which a fresh model object is built; the base weights (the mapped checkpoint) are
 * never written, so switching adapter sets needs no reload: drop the adapted models and close the
 * stack.
 *
 * <p>How an update is applied, per weight: when every adapter on it is a plain LoRA/LoCon, each is
 * a {@link LowRank} side path of the layer ({@code y += m·s·(x D^T) U^T}, no copy of W); otherwise
 * (LoHa, LoKr, Tucker LoCon, full, (IA)^3, DoRA, or any mix with them) the adapters are merged one
 * after another into an fp32 copy of that one weight, as A1111 does (each update sees the weight the
 * previous one left).
 */
public final class LoraStack implements AutoCloseable {
    /** One adapter and its weights: {@code te} for both text encoders, {@code unet} for the UNet. */
    public record Entry(LoraFile file, float te, float unet) {
        float weight(Component c) {
            return c == Component.UNET ? unet : te;
        }
    }

    /**
     * The dtype of weights that have to be merged (LoHa, LoKr, full, (IA)^3, DoRA): {@link #FP32}
     * is exact (what diffusers' fp32 fuse and the fixtures compute) and costs 4 bytes per patched
     * parameter; {@link #STORED} rounds to the base weight's dtype (fp16/bf16), as A1111 and ComfyUI
     * do on an fp16 model: half the memory, fp16 rounding of the merged weight.
     */
    public enum MergedPrecision { FP32, STORED }

    /** A request before opening: the file and its weights. */
    public record Request(Path path, float te, float unet) {}

    private final List<Entry> entries;

    public LoraStack(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** Opens every file against the model's modules; on failure the ones already opened are closed. */
    public static LoraStack open(SdxlArchitecture arch, List<Request> requests) {
        ModuleIndex index = new ModuleIndex(arch);
        List<Entry> opened = new ArrayList<>();
        try {
            for (Request r : requests) opened.add(new Entry(LoraFile.open(r.path(), index), r.te(), r.unet()));
        } catch (RuntimeException | Error e) {
            opened.forEach(x -> x.file().close());
            throw e;
        }
        return new LoraStack(opened);
    }

    public List<Entry> entries() {
        return entries;
    }

    /** One line per file whose keys partly matched nothing (to print once). */
    public List<String> warnings() {
        List<String> w = new ArrayList<>();
        for (Entry e : entries) e.file().unmatchedSummary().ifPresent(w::add);
        return w;
    }

    /** Whether any adapter changes component {@code c} (a non-zero weight and at least one module). */
    public boolean touches(Component c) {
        for (Entry e : entries)
            if (e.weight(c) != 0f)
                for (AdapterModule m : e.file().modules()) if (m.target().component() == c) return true;
        return false;
    }

    /**
     * The weights of component {@code c} with every adapter of the stack applied; {@code base} itself
     * is untouched and every tensor not patched is shared.
     */
    public Weights apply(Weights base, Component c) {
        return apply(base, c, MergedPrecision.FP32);
    }

    /** {@link #apply(Weights, Component)} with merged weights kept in {@code precision}. */
    public Weights apply(Weights base, Component c, MergedPrecision precision) {
        Map<String, List<Applied>> byWeight = new LinkedHashMap<>();
        for (Entry e : entries) {
            float m = e.weight(c);
            if (m == 0f) continue;
            for (AdapterModule mod : e.file().modules())
                if (mod.target().component() == c) byWeight.computeIfAbsent(mod.target().weightName(), k -> new ArrayList<>()).add(new Applied(mod, m));
        }
        if (byWeight.isEmpty()) return base;
        Map<String, StoredTensor> tensors = new LinkedHashMap<>(base.asMap());
        Map<String, List<LowRank>> lowRank = new LinkedHashMap<>(base.lowRankPaths());
        for (Map.Entry<String, List<Applied>> w : byWeight.entrySet()) {
            String name = w.getKey();
            List<Applied> list = w.getValue();
            // embedding tables are looked up, not multiplied: only a merged weight reaches them
            boolean layer = !name.contains(".embeddings.");
            if (layer && list.stream().allMatch(a -> a.module.isLowRank())) {
                List<LowRank> paths = new ArrayList<>(lowRank.getOrDefault(name, List.of()));
                for (Applied a : list) paths.add(a.module.lowRank(a.m));
                lowRank.put(name, paths);
            } else {
                merge(base, name, list, lowRank.remove(name), tensors, precision);
            }
        }
        return new Weights(base.component(), base.origin(), tensors, lowRank);
    }

    /**
     * Weight {@code name} of component {@code c} with every adapter of the stack merged into an fp32
     * copy (low-rank ones included), and its bias when an adapter changes it: what a "bake" export
     * would write, and what the reference implementations compute.
     */
    public Map<String, float[]> merged(Weights base, Component c, String name) {
        List<Applied> list = new ArrayList<>();
        for (Entry e : entries)
            for (AdapterModule mod : e.file().modules())
                if (mod.target().component() == c && mod.target().weightName().equals(name)) list.add(new Applied(mod, e.weight(c)));
        Map<String, float[]> out = new LinkedHashMap<>();
        if (list.isEmpty()) {
            out.put(name, base.get(name).toFloats());
            return out;
        }
        Map<String, StoredTensor> into = new LinkedHashMap<>();
        merge(base, name, list, null, into, MergedPrecision.FP32);
        into.forEach((k, v) -> out.put(k, v.toFloats()));
        return out;
    }

    private record Applied(AdapterModule module, float m) {}

    private static void merge(Weights base, String name, List<Applied> list, List<LowRank> earlier, Map<String, StoredTensor> into,
                              MergedPrecision precision) {
        StoredTensor w0 = base.get(name);
        Target target = list.getFirst().module.target();
        float[] w = w0.toFloats();
        if (earlier != null) foldLowRank(w, earlier, target);
        Optional<StoredTensor> b0 = target.hasBias() ? base.find(target.biasName()) : Optional.empty();
        float[] bias = b0.map(StoredTensor::toFloats).orElse(null);
        StringBuilder what = new StringBuilder();
        for (Applied a : list) {
            a.module.mergeInto(w, bias, a.m);
            what.append(what.isEmpty() ? "" : ", ").append(a.module.key());
        }
        DType dtype = precision == MergedPrecision.STORED && (w0.dtype() == DType.F16 || w0.dtype() == DType.BF16) ? w0.dtype() : DType.F32;
        into.put(name, heap(name, w, w0.shape(), w0.origin() + " + " + what, dtype));
        if (bias != null)
            into.put(target.biasName(), heap(target.biasName(), bias, b0.get().shape(), b0.get().origin() + " + " + what, DType.F32));
    }

    /** Adds the side paths a weight already had (an adapted view adapted again) before merging. */
    private static void foldLowRank(float[] w, List<LowRank> paths, Target target) {
        for (LowRank lr : paths) {
            int r = lr.rank();
            float[] d = Deltas.matmul(lr.up().toFloats(), target.out(), r, lr.down().toFloats(), target.rowSize());
            for (int i = 0; i < w.length; i++) w[i] += lr.scale() * d[i];
        }
    }

    private static StoredTensor heap(String name, float[] values, long[] shape, String origin, DType dtype) {
        if (dtype == DType.F32) return new StoredTensor(name, DType.F32, shape.clone(), MemorySegment.ofArray(values), origin);
        MemorySegment bytes = MemorySegment.ofArray(new byte[values.length * dtype.byteSize()]);
        FloatCodec.encode(values, 0, values.length, dtype, bytes, 0);
        return new StoredTensor(name, dtype, shape.clone(), bytes, origin);
    }

    @Override
    public void close() {
        for (Entry e : entries) e.file().close();
    }
}
