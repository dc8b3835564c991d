package dev.animagine.core.lora;

import dev.animagine.core.AnimagineException;
import dev.animagine.core.tensor.LowRank;
import dev.animagine.core.tensor.StoredTensor;

import java.util.Arrays;
import java.util.Map;

/**
 * One module of an adapter file (the tensors sharing a key prefix) bound to the model weight it
 * patches: its network type, rank, alpha and scale (A1111 {@code NetworkModule.calc_scale}:
 * alpha / rank, 1 without alpha or rank), and the update it makes.
 */
public final class AdapterModule {
    /** What the update is computed from (DoRA is a flag on top of a LoRA-family update). */
    private enum Kind { LOW_RANK, TUCKER, LOHA, LOKR, FULL, IA3 }

    private final String key;
    private final Target target;
    private final Map<String, StoredTensor> t;
    private final Kind kind;
    private final NetworkType type;
    private final Integer rank;
    private final Float alpha;
    private final float scale;
    private final String origin;

    /**
     * @param key           the module's key prefix in the file (for messages)
     * @param tensors       by normalized tensor name ({@code lora_down.weight}, {@code hada_w1_a}, {@code alpha}, ...)
     * @param externalAlpha alpha from elsewhere (PEFT metadata), used when the module has no {@code alpha} tensor
     * @param rsLora        PEFT {@code use_rslora}: scale alpha / sqrt(rank)
     */
    AdapterModule(String key, Target target, Map<String, StoredTensor> tensors, Float externalAlpha, boolean rsLora, String origin) {
        this.key = key;
        this.target = target;
        this.t = Map.copyOf(tensors);
        this.origin = origin;
        this.kind = kindOf(tensors.keySet());
        if (kind == null) throw bad("no known adapter tensors among " + tensors.keySet());
        this.rank = switch (kind) {
            case LOW_RANK, TUCKER -> (int) req("lora_down.weight").dim(0);
            case LOHA -> (int) req("hada_w1_b").dim(0);
            case LOKR -> t.containsKey("lokr_w2_b") ? Integer.valueOf((int) t.get("lokr_w2_b").dim(0))
                    : t.containsKey("lokr_w1_b") ? Integer.valueOf((int) t.get("lokr_w1_b").dim(0)) : null;
            case FULL, IA3 -> null;
        };
        StoredTensor a = t.get("alpha");
        this.alpha = a != null ? Float.valueOf(a.getFloat(0)) : externalAlpha;
        float s = 1f;
        if (rank != null && alpha != null && alpha != 0f) s = rsLora ? (float) (alpha / Math.sqrt(rank)) : alpha / rank;
        if (t.containsKey("scale")) s = t.get("scale").getFloat(0);
        this.scale = s;
        this.type = typeOf();
        checkShapes();
    }

    /** Every tensor name some module type uses; anything else in a module is reported, not silently dropped. */
    static final java.util.Set<String> KNOWN_TENSORS = java.util.Set.of("lora_down.weight", "lora_up.weight", "lora_mid.weight", "alpha",
            "scale", "dora_scale", "hada_w1_a", "hada_w1_b", "hada_w2_a", "hada_w2_b", "hada_t1", "hada_t2", "lokr_w1", "lokr_w1_a",
            "lokr_w1_b", "lokr_w2", "lokr_w2_a", "lokr_w2_b", "lokr_t2", "diff", "diff_b", "weight", "on_input");

    /** Whether a module with these tensor names is of a known type. */
    static boolean recognizes(java.util.Set<String> names) {
        return kindOf(names) != null;
    }

    private static Kind kindOf(java.util.Set<String> names) {
        if (names.contains("lora_down.weight") && names.contains("lora_up.weight"))
            return names.contains("lora_mid.weight") ? Kind.TUCKER : Kind.LOW_RANK;
        if (names.containsAll(java.util.List.of("hada_w1_a", "hada_w1_b", "hada_w2_a", "hada_w2_b"))) return Kind.LOHA;
        boolean w1 = names.contains("lokr_w1") || names.contains("lokr_w1_a") && names.contains("lokr_w1_b");
        boolean w2 = names.contains("lokr_w2") || names.contains("lokr_w2_a") && names.contains("lokr_w2_b");
        if (w1 && w2) return Kind.LOKR;
        if (names.contains("diff")) return Kind.FULL;
        if (names.contains("weight") && names.contains("on_input")) return Kind.IA3;
        return null;
    }

    private NetworkType typeOf() {
        StoredTensor d = t.get("dora_scale");
        if (d != null) return doraPerOutput(d) ? NetworkType.DORA_OUT : NetworkType.DORA;
        return switch (kind) {
            case LOW_RANK -> req("lora_down.weight").rank() == 4 ? NetworkType.LOCON : NetworkType.LORA;
            case TUCKER -> NetworkType.LOCON_TUCKER;
            case LOHA -> t.containsKey("hada_t1") ? NetworkType.LOHA_TUCKER : NetworkType.LOHA;
            case LOKR -> t.containsKey("lokr_t2") ? NetworkType.LOKR_TUCKER
                    : t.containsKey("lokr_w1") && t.containsKey("lokr_w2") ? NetworkType.LOKR_FULL : NetworkType.LOKR;
            case FULL -> NetworkType.FULL;
            case IA3 -> NetworkType.IA3;
        };
    }

    /** LyCORIS wd_on_out: d is [out, 1, ...]; A1111's per-input form is [1, in, ...]. */
    private boolean doraPerOutput(StoredTensor d) {
        return d.rank() >= 2 && d.dim(0) == target.out() && d.dim(1) == 1 && !(target.out() == 1);
    }

    // ---- accessors -----------------------------------------------------------------------

    public String key() {
        return key;
    }

    public Target target() {
        return target;
    }

    public NetworkType type() {
        return type;
    }

    /** Rank, or null for types without one (full, (IA)^3, LoKr with both factors full). */
    public Integer rank() {
        return rank;
    }

    /** The module's alpha (its tensor, or PEFT metadata), or null. */
    public Float alpha() {
        return alpha;
    }

    /** alpha / rank (1 without either). */
    public float scale() {
        return scale;
    }

    /** Whether the update can run as a factored side path ({@link LowRank}) instead of a merged weight. */
    public boolean isLowRank() {
        if (kind != Kind.LOW_RANK || t.containsKey("dora_scale")) return false;
        StoredTensor up = t.get("lora_up.weight");
        return up.rank() == 2 || up.rank() == 4 && up.dim(2) == 1 && up.dim(3) == 1;
    }

    /** The side path at user weight {@code m}; only for {@link #isLowRank()} modules. */
    public LowRank lowRank(float m) {
        if (!isLowRank()) throw new IllegalStateException(key + " is not a plain low-rank module");
        StoredTensor down = t.get("lora_down.weight"), up = t.get("lora_up.weight");
        int r = rank;
        down = target.isConv() ? down.reshape(r, target.in(), target.shape()[2], target.shape()[3]) : down.reshape(r, target.rowSize());
        return new LowRank(down, up.reshape(target.out(), r), m * scale);
    }

    // ---- merging -------------------------------------------------------------------------

    /**
     * Applies this module at user weight {@code m} to the current weight (and bias) in place:
     * {@code W += m·s·ΔW} for LoRA-family updates, {@code W += m·diff} (and the bias) for full,
     * the (IA)^3 and DoRA rules otherwise (see the fixture README and A1111 {@code network.py}).
     *
     * @param w    the weight as [out, rowSize] floats
     * @param bias the bias, or null when the layer has none
     */
    void mergeInto(float[] w, float[] bias, float m) {
        switch (kind) {
            case IA3 -> ia3(w, m);
            case FULL -> {
                float[] diff = req("diff").toFloats();
                for (int i = 0; i < w.length; i++) w[i] += m * diff[i];
                StoredTensor db = t.get("diff_b");
                if (db != null) {
                    float[] b = db.toFloats();
                    for (int i = 0; i < b.length; i++) bias[i] += m * b[i];
                }
            }
            default -> {
                float[] d = update();
                StoredTensor dora = t.get("dora_scale");
                if (dora == null) {
                    for (int i = 0; i < w.length; i++) w[i] += m * (scale * d[i]);
                } else if (type == NetworkType.DORA_OUT) {
                    doraPerOutput(w, d, dora.toFloats(), m);
                } else {
                    doraPerInput(w, d, dora.toFloats(), m);
                }
            }
        }
    }

    /** ΔW before scale, flat in the target's shape. */
    float[] update() {
        int out = target.out(), row = target.rowSize(), kk = target.kernelSize(), in = row / kk;
        return switch (kind) {
            case LOW_RANK -> {
                StoredTensor down = req("lora_down.weight");
                yield Deltas.matmul(req("lora_up.weight").toFloats(), out, rank, down.toFloats(), row);
            }
            case TUCKER -> {
                StoredTensor mid = req("lora_mid.weight");
                yield Deltas.tucker(mid.toFloats(), (int) mid.dim(0), (int) mid.dim(1), kk, req("lora_up.weight").toFloats(), out,
                        req("lora_down.weight").toFloats(), in);
            }
            case LOHA -> Deltas.hadamard(hadaFactor("1", out, row, kk, in), hadaFactor("2", out, row, kk, in));
            case LOKR -> lokr(out, row, kk);
            default -> throw new IllegalStateException(kind + " has no factored update");
        };
    }

    private float[] hadaFactor(String j, int out, int row, int kk, int in) {
        StoredTensor a = req("hada_w" + j + "_a"), b = req("hada_w" + j + "_b"), core = t.get("hada_t" + j);
        if (core == null) return Deltas.matmul(a.toFloats(), out, (int) a.dim(1), b.toFloats(), row);
        int r = (int) a.dim(0);
        return Deltas.tucker(core.toFloats(), (int) core.dim(0), (int) core.dim(1), kk, Deltas.transpose(a.toFloats(), r, out), out,
                b.toFloats(), in);
    }

    private float[] lokr(int out, int row, int kk) {
        float[] w1;
        int pr, pc;
        if (t.containsKey("lokr_w1")) {
            StoredTensor x = t.get("lokr_w1");
            pr = (int) x.dim(0);
            pc = (int) (x.numel() / x.dim(0));
            w1 = x.toFloats();
        } else {
            StoredTensor a = req("lokr_w1_a"), b = req("lokr_w1_b");
            pr = (int) a.dim(0);
            pc = (int) (b.numel() / b.dim(0));
            w1 = Deltas.matmul(a.toFloats(), pr, (int) a.dim(1), b.toFloats(), pc);
        }
        float[] w2;
        int qr, qc, qk;
        if (t.containsKey("lokr_w2")) {
            StoredTensor x = t.get("lokr_w2");
            qr = (int) x.dim(0);
            qc = (int) x.dim(1);
            qk = (int) (x.numel() / qr / qc);
            w2 = x.toFloats();
        } else if (t.containsKey("lokr_t2")) {
            StoredTensor core = t.get("lokr_t2"), a = req("lokr_w2_a"), b = req("lokr_w2_b");
            qr = (int) a.dim(1);
            qc = (int) b.dim(1);
            qk = (int) (core.numel() / core.dim(0) / core.dim(1));
            w2 = Deltas.tucker(core.toFloats(), (int) core.dim(0), (int) core.dim(1), qk, Deltas.transpose(a.toFloats(), (int) a.dim(0), qr), qr,
                    b.toFloats(), qc);
        } else {
            StoredTensor a = req("lokr_w2_a"), b = req("lokr_w2_b");
            qr = (int) a.dim(0);
            qk = 1;
            qc = (int) (b.numel() / b.dim(0)); // 2-D even for a convolution: [r, in_n·kh·kw]
            w2 = Deltas.matmul(a.toFloats(), qr, (int) a.dim(1), b.toFloats(), qc);
        }
        if ((long) pr * qr != out || (long) pc * qc * qk != row)
            throw bad("kron of [" + pr + ", " + pc + "] and [" + qr + ", " + qc + (qk > 1 ? ", " + qk : "") + "] does not fit "
                    + Arrays.toString(target.shape()));
        return Deltas.kron(w1, pr, pc, w2, qr, qc, qk);
    }

    private void ia3(float[] w, float m) {
        float[] v = req("weight").toFloats();
        boolean onInput = req("on_input").getFloat(0) != 0;
        int out = target.out(), row = target.rowSize(), kk = target.kernelSize();
        for (int o = 0; o < out; o++)
            for (int j = 0; j < row; j++) {
                float f = onInput ? v[j / kk] : v[o];
                int i = o * row + j;
                w[i] += m * (w[i] * f);
            }
    }

    /** A1111 {@code apply_weight_decompose}: V = W + s·ΔW, W_d = V·d / ‖V[:, i]‖, W += m·(W_d − W). */
    private void doraPerInput(float[] w, float[] d, float[] mag, float m) {
        int out = target.out(), row = target.rowSize(), kk = target.kernelSize(), in = row / kk;
        float[] v = new float[w.length];
        for (int i = 0; i < w.length; i++) v[i] = w[i] + scale * d[i];
        double[] norm = new double[in];
        for (int o = 0; o < out; o++)
            for (int j = 0; j < row; j++) norm[j / kk] += (double) v[o * row + j] * v[o * row + j];
        for (int o = 0; o < out; o++)
            for (int j = 0; j < row; j++) {
                int i = o * row + j;
                float wd = (float) (v[i] * (mag[j / kk] / Math.sqrt(norm[j / kk])));
                w[i] += m * (wd - w[i]);
            }
    }

    /** LyCORIS {@code wd_on_out}: V = W + s·ΔW, W' = V·(1 + m·(d / (‖V[o]‖ + ε) − 1)). */
    private void doraPerOutput(float[] w, float[] d, float[] mag, float m) {
        int out = target.out(), row = target.rowSize();
        for (int o = 0; o < out; o++) {
            double n = 0;
            for (int j = 0; j < row; j++) {
                int i = o * row + j;
                w[i] = w[i] + scale * d[i];
                n += (double) w[i] * w[i];
            }
            double f = 1 + m * (mag[o] / (Math.sqrt(n) + 0x1p-23) - 1);
            for (int j = 0; j < row; j++) w[o * row + j] = (float) (w[o * row + j] * f);
        }
    }

    // ---- validation ----------------------------------------------------------------------

    private void checkShapes() {
        int out = target.out(), row = target.rowSize();
        long numel = (long) out * row;
        switch (kind) {
            case LOW_RANK, TUCKER -> {
                StoredTensor up = req("lora_up.weight"), down = req("lora_down.weight");
                if (up.dim(0) != out || up.numel() != (long) out * rank)
                    throw mismatch(up);
                long perRank = kind == Kind.TUCKER ? target.in() : row;
                if (down.numel() != (long) rank * perRank) throw mismatch(down);
                if (kind == Kind.TUCKER) {
                    StoredTensor mid = req("lora_mid.weight");
                    if (mid.rank() != 4 || mid.dim(0) != rank || mid.dim(1) != rank || mid.dim(2) * mid.dim(3) != target.kernelSize())
                        throw mismatch(mid);
                }
            }
            case LOHA -> {
                for (String j : new String[] {"1", "2"}) {
                    StoredTensor a = req("hada_w" + j + "_a"), b = req("hada_w" + j + "_b");
                    StoredTensor core = t.get("hada_t" + j);
                    if (core == null ? a.numel() != (long) out * a.dim(1) || a.dim(0) != out || b.dim(0) != a.dim(1) || b.numel() != b.dim(0) * row
                            : a.dim(1) != out || b.dim(1) != target.in() || core.dim(0) != a.dim(0) || core.dim(1) != b.dim(0))
                        throw mismatch(a);
                }
            }
            case LOKR -> {
                // checked when the Kronecker product is built (the factor split comes from the shapes)
            }
            case FULL -> {
                if (req("diff").numel() != numel) throw mismatch(req("diff"));
                StoredTensor db = t.get("diff_b");
                if (db != null && (db.numel() != out || !target.hasBias()))
                    throw bad("diff_b " + Arrays.toString(db.shape()) + " does not fit the bias of a layer with "
                            + (target.hasBias() ? out + " outputs" : "no bias"));
            }
            case IA3 -> {
                StoredTensor v = req("weight");
                boolean onInput = req("on_input").getFloat(0) != 0;
                if (v.numel() != (onInput ? target.in() : out)) throw mismatch(v);
            }
        }
        StoredTensor d = t.get("dora_scale");
        if (d != null && d.numel() != (type == NetworkType.DORA_OUT ? out : target.in())) throw mismatch(d);
    }

    private StoredTensor req(String name) {
        StoredTensor x = t.get(name);
        if (x == null) throw bad("tensor '" + name + "' is missing");
        return x;
    }

    private AnimagineException mismatch(StoredTensor x) {
        return bad("'" + x.name() + "' " + Arrays.toString(x.shape()) + " does not fit the model's '" + target.weightName() + "' "
                + Arrays.toString(target.shape()) + " (an adapter for another model?)");
    }

    private AnimagineException bad(String what) {
        return new AnimagineException(origin + ": module '" + key + "': " + what);
    }

    @Override
    public String toString() {
        return key + " -> " + target.component().folder() + "/" + target.module() + " (" + type.label() + ")";
    }
}
