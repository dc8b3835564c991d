package dev.animagine.core.lora;

import com.fasterxml.jackson.databind.JsonNode;
import dev.animagine.core.io.Checkpoint;
import dev.animagine.core.io.Component;
import dev.animagine.core.io.SafetensorsWriter;
import dev.animagine.core.nn.Linear;
import dev.animagine.core.tensor.Conv2d;
import dev.animagine.core.tensor.DType;
import dev.animagine.core.tensor.Tensor;
import dev.animagine.core.tensor.Weights;
import dev.animagine.core.testing.Close;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each adapter type on hand-made tiny modules: the merged weight equals the formula written out
 * here with plain loops, and the low-rank side paths give the same layer output as the merged weight.
 */
class AdapterFormulaTest {
    static final String LIN = "down_blocks.1.attentions.0.transformer_blocks.0.attn1.to_q";
    static final String KOHYA_LIN = "lora_unet_" + LIN.replace('.', '_');
    static final String CONV = "down_blocks.0.resnets.0.conv1";
    static final String KOHYA_CONV = "lora_unet_" + CONV.replace('.', '_');

    @TempDir
    Path dir;
    final Random rnd = new Random(7);
    int files;

    Checkpoint ckpt() {
        return LoraFixtureTest.model();
    }

    float[] w(String module) {
        return ckpt().unet().get(module + ".weight").toFloats();
    }

    long[] shape(String module) {
        return ckpt().unet().get(module + ".weight").shape();
    }

    float[] rand(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) rnd.nextGaussian() * 0.1f;
        return a;
    }

    Path write(Consumer<SafetensorsWriter> fill) {
        Path p = dir.resolve("a" + (files++) + ".safetensors");
        SafetensorsWriter wr = new SafetensorsWriter(p);
        fill.accept(wr);
        wr.write();
        return p;
    }

    static SafetensorsWriter put(SafetensorsWriter w, String name, float[] v, long... shape) {
        return w.add(name, DType.F32, shape, v);
    }

    Map<String, float[]> merged(Path p, float m, String weight) {
        try (LoraStack s = LoraStack.open(ckpt().architecture(), List.of(new LoraStack.Request(p, m, m)))) {
            return s.merged(ckpt().unet(), Component.UNET, weight);
        }
    }

    static float[] mm(float[] a, int m, int k, float[] b, int n) {
        float[] c = new float[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) s += (double) a[i * k + p] * b[p * n + j];
                c[i * n + j] = (float) s;
            }
        return c;
    }

    /** out[o, i, y] = Σ_a Σ_b core[a, b, y] · up[o, a] · down[b, i]. */
    static float[] cp(float[] core, int r, int kk, float[] up, int out, float[] down, int in) {
        float[] c = new float[out * in * kk];
        for (int o = 0; o < out; o++)
            for (int i = 0; i < in; i++)
                for (int y = 0; y < kk; y++) {
                    double s = 0;
                    for (int a = 0; a < r; a++)
                        for (int b = 0; b < r; b++) s += (double) core[(a * r + b) * kk + y] * up[o * r + a] * down[b * in + i];
                    c[(o * in + i) * kk + y] = (float) s;
                }
        return c;
    }

    static float[] plus(float[] w, float k, float[] d) {
        float[] r = w.clone();
        for (int i = 0; i < r.length; i++) r[i] += k * d[i];
        return r;
    }

    static float[] transposeOf(float[] a, int m, int k) {
        float[] t = new float[a.length];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < k; j++) t[j * m + i] = a[i * k + j];
        return t;
    }

    @Test
    void loraLinearIsWPlusMTimesAlphaOverRankUpDown() {
        long[] s = shape(LIN);
        int out = (int) s[0], in = (int) s[1], r = 3;
        float[] up = rand(out * r), down = rand(r * in);
        Path p = write(x -> put(put(put(x, KOHYA_LIN + ".lora_up.weight", up, out, r), KOHYA_LIN + ".lora_down.weight", down, r, in),
                KOHYA_LIN + ".alpha", new float[] {1.5f}));
        Close.assertClose("lora", merged(p, 0.7f, LIN + ".weight").get(LIN + ".weight"), plus(w(LIN), 0.7f * 1.5f / r, mm(up, out, r, down, in)), 1e-6, 0);
        Path noAlpha = write(x -> put(put(x, KOHYA_LIN + ".lora_up.weight", up, out, r), KOHYA_LIN + ".lora_down.weight", down, r, in));
        Close.assertClose("lora without alpha", merged(noAlpha, 1f, LIN + ".weight").get(LIN + ".weight"), plus(w(LIN), 1f, mm(up, out, r, down, in)), 1e-6, 0);
    }

    @Test
    void loconTuckerIsTheCpReconstruction() {
        long[] s = shape(CONV);
        int out = (int) s[0], in = (int) s[1], r = 2, kk = 9;
        float[] up = rand(out * r), down = rand(r * in), mid = rand(r * r * kk);
        Path p = write(x -> put(put(put(put(x, KOHYA_CONV + ".lora_up.weight", up, out, r, 1, 1), KOHYA_CONV + ".lora_down.weight", down, r, in, 1, 1),
                KOHYA_CONV + ".lora_mid.weight", mid, r, r, 3, 3), KOHYA_CONV + ".alpha", new float[] {1f}));
        Close.assertClose("tucker", merged(p, 1f, CONV + ".weight").get(CONV + ".weight"), plus(w(CONV), 0.5f, cp(mid, r, kk, up, out, down, in)), 1e-6, 0);
    }

    @Test
    void lohaIsTheHadamardProductOfTwoLowRankProducts() {
        long[] s = shape(CONV);
        int out = (int) s[0], in = (int) s[1], r = 2, kk = 9;
        float[] a1 = rand(out * r), b1 = rand(r * in * kk), a2 = rand(out * r), b2 = rand(r * in * kk);
        Path p = write(x -> put(put(put(put(put(x, KOHYA_CONV + ".hada_w1_a", a1, out, r), KOHYA_CONV + ".hada_w1_b", b1, r, in * kk),
                KOHYA_CONV + ".hada_w2_a", a2, out, r), KOHYA_CONV + ".hada_w2_b", b2, r, in * kk), KOHYA_CONV + ".alpha", new float[] {1f}));
        float[] p1 = mm(a1, out, r, b1, in * kk), p2 = mm(a2, out, r, b2, in * kk), d = new float[p1.length];
        for (int i = 0; i < d.length; i++) d[i] = p1[i] * p2[i];
        Close.assertClose("loha", merged(p, 0.8f, CONV + ".weight").get(CONV + ".weight"), plus(w(CONV), 0.8f * 0.5f, d), 1e-6, 0);

        // Tucker cores: hada_wj_a is [r, out], hada_wj_b [r, in]
        float[] t1 = rand(r * r * kk), t2 = rand(r * r * kk), ta1 = rand(r * out), tb1 = rand(r * in), ta2 = rand(r * out), tb2 = rand(r * in);
        Path q = write(x -> put(put(put(put(put(put(x, KOHYA_CONV + ".hada_w1_a", ta1, r, out), KOHYA_CONV + ".hada_w1_b", tb1, r, in),
                KOHYA_CONV + ".hada_w2_a", ta2, r, out), KOHYA_CONV + ".hada_w2_b", tb2, r, in), KOHYA_CONV + ".hada_t1", t1, r, r, 3, 3),
                KOHYA_CONV + ".hada_t2", t2, r, r, 3, 3));
        float[] c1 = cp(t1, r, kk, transposeOf(ta1, r, out), out, tb1, in), c2 = cp(t2, r, kk, transposeOf(ta2, r, out), out, tb2, in);
        float[] dt = new float[c1.length];
        for (int i = 0; i < dt.length; i++) dt[i] = c1[i] * c2[i];
        Close.assertClose("loha tucker", merged(q, 1f, CONV + ".weight").get(CONV + ".weight"), plus(w(CONV), 1f, dt), 1e-6, 0);
    }

    @Test
    void lokrIsTheKroneckerProduct() {
        long[] s = shape(LIN);
        int out = (int) s[0], in = (int) s[1], pr = 4, pc = 8, qr = out / pr, qc = in / pc, r = 2;
        float[] w1 = rand(pr * pc), a = rand(qr * r), b = rand(r * qc);
        Path p = write(x -> put(put(put(put(x, KOHYA_LIN + ".lokr_w1", w1, pr, pc), KOHYA_LIN + ".lokr_w2_a", a, qr, r),
                KOHYA_LIN + ".lokr_w2_b", b, r, qc), KOHYA_LIN + ".alpha", new float[] {4f}));
        float[] w2 = mm(a, qr, r, b, qc), k = new float[out * in];
        for (int i = 0; i < pr; i++)
            for (int j = 0; j < pc; j++)
                for (int c = 0; c < qr; c++)
                    for (int d = 0; d < qc; d++) k[(i * qr + c) * in + j * qc + d] = w1[i * pc + j] * w2[c * qc + d];
        Close.assertClose("lokr", merged(p, 1f, LIN + ".weight").get(LIN + ".weight"), plus(w(LIN), 4f / r, k), 1e-6, 0);
        // both factors full: scale 1 whatever alpha says
        Path full = write(x -> put(put(put(x, KOHYA_LIN + ".lokr_w1", w1, pr, pc), KOHYA_LIN + ".lokr_w2", w2, qr, qc), KOHYA_LIN + ".alpha", new float[] {4f}));
        Close.assertClose("lokr full", merged(full, 1f, LIN + ".weight").get(LIN + ".weight"), plus(w(LIN), 1f, k), 1e-6, 0);
    }

    @Test
    void fullAddsDiffAndDiffB() {
        long[] s = shape(CONV);
        int out = (int) s[0], n = (int) (s[1] * s[2] * s[3]);
        float[] diff = rand(out * n), diffB = rand(out);
        Path p = write(x -> put(put(x, KOHYA_CONV + ".diff", diff, s), KOHYA_CONV + ".diff_b", diffB, out));
        Map<String, float[]> m = merged(p, 0.5f, CONV + ".weight");
        Close.assertClose("full", m.get(CONV + ".weight"), plus(w(CONV), 0.5f, diff), 1e-6, 0);
        Close.assertClose("full bias", m.get(CONV + ".bias"), plus(ckpt().unet().get(CONV + ".bias").toFloats(), 0.5f, diffB), 1e-6, 0);
    }

    @Test
    void ia3ScalesRowsOrColumns() {
        long[] s = shape(LIN);
        int out = (int) s[0], in = (int) s[1];
        float[] vOut = rand(out), vIn = rand(in), base = w(LIN);
        Path rows = write(x -> put(put(x, KOHYA_LIN + ".weight", vOut, out), KOHYA_LIN + ".on_input", new float[] {0f}));
        Path cols = write(x -> put(put(x, KOHYA_LIN + ".weight", vIn, in), KOHYA_LIN + ".on_input", new float[] {1f}));
        float[] er = base.clone(), ec = base.clone();
        for (int o = 0; o < out; o++)
            for (int i = 0; i < in; i++) {
                er[o * in + i] += 0.9f * base[o * in + i] * vOut[o];
                ec[o * in + i] += 0.9f * base[o * in + i] * vIn[i];
            }
        Close.assertClose("ia3 per output", merged(rows, 0.9f, LIN + ".weight").get(LIN + ".weight"), er, 1e-6, 0);
        Close.assertClose("ia3 per input", merged(cols, 0.9f, LIN + ".weight").get(LIN + ".weight"), ec, 1e-6, 0);
    }

    @Test
    void doraNormalizesPerInputOrPerOutput() {
        long[] s = shape(LIN);
        int out = (int) s[0], in = (int) s[1], r = 2;
        float[] up = rand(out * r), down = rand(r * in), dIn = rand(in), dOut = rand(out), base = w(LIN);
        float[] v = plus(base, 2f / r, mm(up, out, r, down, in));
        Path perIn = write(x -> put(put(put(put(x, KOHYA_LIN + ".lora_up.weight", up, out, r), KOHYA_LIN + ".lora_down.weight", down, r, in),
                KOHYA_LIN + ".alpha", new float[] {2f}), KOHYA_LIN + ".dora_scale", dIn, 1, in));
        Path perOut = write(x -> put(put(put(put(x, KOHYA_LIN + ".lora_up.weight", up, out, r), KOHYA_LIN + ".lora_down.weight", down, r, in),
                KOHYA_LIN + ".alpha", new float[] {2f}), KOHYA_LIN + ".dora_scale", dOut, out, 1));
        float[] ei = new float[base.length], eo = new float[base.length];
        for (int i = 0; i < in; i++) {
            double n = 0;
            for (int o = 0; o < out; o++) n += (double) v[o * in + i] * v[o * in + i];
            for (int o = 0; o < out; o++) ei[o * in + i] = base[o * in + i] + 0.6f * (float) (v[o * in + i] * dIn[i] / Math.sqrt(n) - base[o * in + i]);
        }
        for (int o = 0; o < out; o++) {
            double n = 0;
            for (int i = 0; i < in; i++) n += (double) v[o * in + i] * v[o * in + i];
            for (int i = 0; i < in; i++) eo[o * in + i] = (float) (v[o * in + i] * dOut[o] / (Math.sqrt(n) + 0x1p-23));
        }
        Close.assertClose("dora per input", merged(perIn, 0.6f, LIN + ".weight").get(LIN + ".weight"), ei, 1e-6, 0);
        Close.assertClose("dora per output", merged(perOut, 1f, LIN + ".weight").get(LIN + ".weight"), eo, 1e-6, 0);
    }

    @Test
    void peftAndAttentionProcessorNamesReachTheSameModule() {
        long[] s = shape(LIN);
        int out = (int) s[0], in = (int) s[1], r = 2;
        float[] up = rand(out * r), down = rand(r * in);
        float[] expected = plus(w(LIN), 0.5f * 3f / r, mm(up, out, r, down, in));
        Path peft = write(x -> put(put(put(x, "unet." + LIN + ".lora_B.weight", up, out, r), "unet." + LIN + ".lora_A.weight", down, r, in),
                "unet." + LIN + ".alpha", new float[] {3f}));
        Close.assertClose("peft .alpha", merged(peft, 0.5f, LIN + ".weight").get(LIN + ".weight"), expected, 1e-6, 0);
        Path meta = write(x -> put(put(x, "unet." + LIN + ".lora_B.weight", up, out, r), "unet." + LIN + ".lora_A.weight", down, r, in)
                .metadata("lora_adapter_metadata", "{\"unet.r\": 2, \"unet.lora_alpha\": 3.0}"));
        Close.assertClose("peft metadata", merged(meta, 0.5f, LIN + ".weight").get(LIN + ".weight"), expected, 1e-6, 0);
        String block = LIN.substring(0, LIN.length() - ".to_q".length());
        Path procs = write(x -> put(put(x, block + ".processor.to_q_lora.up.weight", up, out, r), block + ".processor.to_q_lora.down.weight", down, r, in));
        Close.assertClose("attention processors", merged(procs, 1f, LIN + ".weight").get(LIN + ".weight"), plus(w(LIN), 1f, mm(up, out, r, down, in)), 1e-6, 0);
    }

    /** The side paths in Linear and Conv2d give what the merged weight gives, stacked LoRAs add, and base weights stay shared. */
    @Test
    void sidePathsEqualMergedWeights() {
        long[] sl = shape(LIN), sc = shape(CONV);
        int out = (int) sl[0], in = (int) sl[1], co = (int) sc[0], ci = (int) sc[1], r = 3;
        float[] up = rand(out * r), down = rand(r * in), up2 = rand(out * r), down2 = rand(r * in), cu = rand(co * r), cd = rand(r * ci * 9);
        Path a = write(x -> put(put(put(put(x, KOHYA_LIN + ".lora_up.weight", up, out, r), KOHYA_LIN + ".lora_down.weight", down, r, in),
                KOHYA_CONV + ".lora_up.weight", cu, co, r, 1, 1), KOHYA_CONV + ".lora_down.weight", cd, r, ci, 3, 3));
        Path b = write(x -> put(put(put(x, KOHYA_LIN + ".lora_up.weight", up2, out, r), KOHYA_LIN + ".lora_down.weight", down2, r, in),
                KOHYA_LIN + ".alpha", new float[] {1f}));
        Checkpoint ck = ckpt();
        try (LoraStack s = LoraStack.open(ck.architecture(), List.of(new LoraStack.Request(a, 1f, 0.7f), new LoraStack.Request(b, 1f, -0.4f)))) {
            Weights adapted = s.apply(ck.unet(), Component.UNET);
            assertThat(adapted.get(LIN + ".weight")).isSameAs(ck.unet().get(LIN + ".weight"));
            assertThat(adapted.lowRank(LIN + ".weight")).hasSize(2);
            assertThat(ck.unet().lowRank(LIN + ".weight")).isEmpty();
            float[] mergedLin = s.merged(ck.unet(), Component.UNET, LIN + ".weight").get(LIN + ".weight");
            float[] expected = plus(plus(w(LIN), 0.7f, mm(up, out, r, down, in)), -0.4f / r, mm(up2, out, r, down2, in));
            Close.assertClose("stacked merge", mergedLin, expected, 1e-6, 0);
            int rows = 5;
            float[] x = rand(rows * in);
            float[] side = Linear.load(adapted, LIN, false).forward(x, rows);
            float[] ref = mm(x, rows, in, transposeOf(expected, out, in), out);
            Close.assertClose("linear side path", side, ref, 1e-5, 0);

            float[] mergedConv = s.merged(ck.unet(), Component.UNET, CONV + ".weight").get(CONV + ".weight");
            float[] bias = ck.unet().get(CONV + ".bias").toFloats();
            Conv2d sideConv = dev.animagine.core.nn.ResnetBlock2D.conv(adapted, CONV, 1, 1);
            Conv2d mergedConvLayer = new Conv2d(new dev.animagine.core.tensor.StoredTensor("m", DType.F32, sc,
                    java.lang.foreign.MemorySegment.ofArray(mergedConv), "test"), bias, 1, 1);
            float[] img = rand(2 * ci * 6 * 5);
            Tensor t1 = sideConv.forward(new Tensor(img.clone(), 2, ci, 6, 5)), t2 = mergedConvLayer.forward(new Tensor(img.clone(), 2, ci, 6, 5));
            Close.assertClose("conv side path", t1.data(), t2.data(), 1e-5, 0);
        }
    }

    @Test
    void unknownModulesAreReportedOnceAndSkipped() {
        long[] s = shape(LIN);
        int out = (int) s[0], in = (int) s[1], r = 2;
        Path p = write(x -> put(put(put(put(x, KOHYA_LIN + ".lora_up.weight", rand(out * r), out, r), KOHYA_LIN + ".lora_down.weight", rand(r * in), r, in),
                "lora_unet_no_such_module.lora_up.weight", rand(4), 2, 2), "lora_unet_no_such_module.lora_down.weight", rand(4), 2, 2));
        try (LoraStack st = LoraStack.open(ckpt().architecture(), List.of(new LoraStack.Request(p, 1f, 1f)))) {
            assertThat(st.warnings()).singleElement().asString()
                    .contains("1 module (2 keys)").contains("lora_unet_no_such_module").doesNotContain("\n");
            assertThat(st.entries().getFirst().file().modules()).hasSize(1);
        }
    }

    @Test
    void unsupportedTypesAndForeignFilesFailInOneLine() {
        long[] s = shape(LIN);
        Path oft = write(x -> put(x, KOHYA_LIN + ".oft_blocks", rand(8), 2, 2, 2));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> LoraStack.open(ckpt().architecture(), List.of(new LoraStack.Request(oft, 1f, 1f))))
                .isInstanceOf(dev.animagine.core.InvalidArgumentException.class).hasMessageContaining("not supported").hasMessageContaining("oft_blocks");
        Path flux = write(x -> put(x, "lora_unet_double_blocks_0_img_attn_qkv.lora_down.weight", rand(8), 2, 4));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> LoraStack.open(ckpt().architecture(), List.of(new LoraStack.Request(flux, 1f, 1f))))
                .isInstanceOf(dev.animagine.core.InvalidArgumentException.class).hasMessageContaining("Flux").hasMessageContaining(flux.toString());
        Path wrongShape = write(x -> put(put(x, KOHYA_LIN + ".lora_up.weight", rand((int) s[0] * 2), s[0], 2), KOHYA_LIN + ".lora_down.weight", rand(2 * 7), 2, 7));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> LoraStack.open(ckpt().architecture(), List.of(new LoraStack.Request(wrongShape, 1f, 1f))))
                .isInstanceOf(dev.animagine.core.AnimagineException.class).hasMessageContaining(KOHYA_LIN + ".lora_down.weight").hasMessageContaining("does not fit");
    }

    /** Switching adapters leaves nothing behind: the base weights give the base output after an adapted model ran. */
    @Test
    void baseModelIsUnchangedAfterAnAdaptedRun() {
        JsonNode index = LoraFixtureTest.index();
        JsonNode base = null;
        for (JsonNode c : index.get("unet_cases")) if (c.get("loras").isEmpty()) base = c;
        assertThat(base).isNotNull();
        Checkpoint ck = ckpt();
        java.util.Map<String, dev.animagine.core.tensor.StoredTensor> before = new java.util.HashMap<>(ck.unet().asMap());
        long[] s = shape(LIN);
        int out = (int) s[0], in = (int) s[1], r = 2;
        Path merged = write(x -> put(put(x, KOHYA_LIN + ".hada_w1_a", rand(out * r), out, r), KOHYA_LIN + ".hada_w1_b", rand(r * in), r, in)
                .add(KOHYA_LIN + ".hada_w2_a", DType.F32, new long[] {out, r}, rand(out * r)).add(KOHYA_LIN + ".hada_w2_b", DType.F32, new long[] {r, in}, rand(r * in)));
        try (LoraStack st = LoraStack.open(ck.architecture(), List.of(new LoraStack.Request(merged, 1f, 1f),
                new LoraStack.Request(dev.animagine.core.testing.Fixtures.path("lora/kohya_lora_sgm.safetensors"), 1f, 1f)))) {
            Weights adapted = st.apply(ck.unet(), Component.UNET);
            assertThat(adapted.get(LIN + ".weight")).isNotSameAs(ck.unet().get(LIN + ".weight"));
            runUnet(new dev.animagine.core.unet.UNet2DConditionModel(ck.architecture().unet(), adapted), index);
        }
        assertThat(ck.unet().asMap()).isEqualTo(before);
        assertThat(ck.unet().lowRankPaths()).isEmpty();
        float[] y = runUnet(new dev.animagine.core.unet.UNet2DConditionModel(ck.architecture().unet(), ck.unet()), index);
        Close.assertClose("base after adapted", y, LoraFixtureTest.tensor(base.get("expected").get("output").asText()), 1e-4, 0);
    }

    private static float[] runUnet(dev.animagine.core.unet.UNet2DConditionModel unet, JsonNode index) {
        JsonNode in = index.get("unet_inputs"), params = index.get("unet_input_params");
        float[] sample = LoraFixtureTest.tensor(in.get("sample").asText()), ehs = LoraFixtureTest.tensor(in.get("encoder_hidden_states").asText());
        int h = params.get("h").asInt(), w = params.get("w").asInt(), ctx = unet.config().crossAttentionDim();
        var cond = new dev.animagine.core.unet.UNet2DConditionModel.Conditioning(ehs, ehs.length / ctx,
                LoraFixtureTest.tensor(in.get("text_embeds").asText()), LoraFixtureTest.tensor(in.get("time_ids").asText()));
        float t = LoraFixtureTest.tensor(in.get("timestep").asText())[0];
        return unet.forward(new Tensor(sample, 1, sample.length / (h * w), h, w), new float[] {t}, cond).data();
    }

    @Test
    void mergedWeightsCanBeKeptInTheStoredDtype() {
        long[] s = shape(LIN);
        int out = (int) s[0], in = (int) s[1];
        float[] diff = rand(out * in);
        Path p = write(x -> put(x, KOHYA_LIN + ".diff", diff, s));
        Checkpoint ck = ckpt();
        try (LoraStack st = LoraStack.open(ck.architecture(), List.of(new LoraStack.Request(p, 1f, 1f)))) {
            float[] exact = st.merged(ck.unet(), Component.UNET, LIN + ".weight").get(LIN + ".weight");
            var fp32 = st.apply(ck.unet(), Component.UNET).get(LIN + ".weight");
            var stored = st.apply(ck.unet(), Component.UNET, LoraStack.MergedPrecision.STORED).get(LIN + ".weight");
            assertThat(fp32.dtype()).isEqualTo(DType.F32);
            assertThat(stored.dtype()).isEqualTo(ck.unet().get(LIN + ".weight").dtype());
            float[] rounded = new float[exact.length];
            for (int i = 0; i < exact.length; i++) rounded[i] = stored.dtype() == DType.F16 ? Float.float16ToFloat(Float.floatToFloat16(exact[i])) : exact[i];
            assertThat(fp32.toFloats()).containsExactly(exact);
            assertThat(stored.toFloats()).containsExactly(rounded);
        }
    }

    /** A tensor no type uses (here PEFT's DoRA magnitude) is reported, never silently dropped. */
    @Test
    void unusedTensorsAreReported() {
        long[] s = shape(LIN);
        int out = (int) s[0], in = (int) s[1], r = 2;
        Path p = write(x -> put(put(put(x, "unet." + LIN + ".lora_B.weight", rand(out * r), out, r), "unet." + LIN + ".lora_A.weight", rand(r * in), r, in),
                "unet." + LIN + ".lora_magnitude_vector", rand(out), out));
        try (LoraStack st = LoraStack.open(ckpt().architecture(), List.of(new LoraStack.Request(p, 1f, 1f)))) {
            assertThat(st.warnings()).singleElement().asString().contains("1 key").contains("lora_magnitude_vector");
        }
    }

    /** A LoRA on the token embedding table is merged (a side path would never be read by the lookup). */
    @Test
    void embeddingTablesAreMerged() {
        String name = "text_model.embeddings.token_embedding.weight";
        Checkpoint ck = ckpt();
        long[] s = ck.textEncoder().get(name).shape();
        int rows = (int) s[0], width = (int) s[1], r = 2;
        float[] up = rand(rows * r), down = rand(r * width);
        Path p = write(x -> put(put(x, "lora_te1_text_model_embeddings_token_embedding.lora_up.weight", up, rows, r),
                "lora_te1_text_model_embeddings_token_embedding.lora_down.weight", down, r, width));
        try (LoraStack st = LoraStack.open(ck.architecture(), List.of(new LoraStack.Request(p, 1f, 1f)))) {
            Weights adapted = st.apply(ck.textEncoder(), Component.TEXT_ENCODER);
            assertThat(adapted.lowRank(name)).isEmpty();
            Close.assertClose("merged embedding", adapted.get(name).toFloats(), plus(ck.textEncoder().get(name).toFloats(), 1f, mm(up, rows, r, down, width)), 1e-6, 0);
        }
    }
}
