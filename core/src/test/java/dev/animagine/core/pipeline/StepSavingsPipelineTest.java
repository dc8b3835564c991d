package dev.animagine.core.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.animagine.core.InvalidArgumentException;
import dev.animagine.core.sampling.ConditionedEpsModel;
import dev.animagine.core.sampling.DenoisingSampler;
import dev.animagine.core.sampling.EpsModel;
import dev.animagine.core.sampling.TorchGenerator;
import dev.animagine.core.sampling.a1111.A1111DenoisingSampler;
import dev.animagine.core.sampling.a1111.A1111Request;
import dev.animagine.core.sampling.a1111.A1111Sampler;
import dev.animagine.core.sampling.a1111.DiscreteSchedule;
import dev.animagine.core.sampling.a1111.RngSource;
import dev.animagine.core.tensor.BufferPool;
import dev.animagine.core.tensor.Buffers;
import dev.animagine.core.tensor.FlopCounter;
import dev.animagine.core.tensor.Tensor;
import dev.animagine.core.testing.Fixtures;
import dev.animagine.core.unet.UNet2DConditionModel;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * DeepCache and the CFG cutoff through the pipeline's denoising loop, on every case of
 * pipeline/index.json (diffusers schedulers) and with A1111 samplers on the same requests:
 * DeepCache 1 and cutoff 1 leave the latents bit-identical; DeepCache 3 alternates full and shallow
 * evaluations (FLOPs counted per evaluation); a cutoff R runs one prompt-only evaluation on every
 * step after int(steps * R) and equals a reference loop that turns guidance off there as diffusers'
 * SDXLCFGCutoffCallback does (A1111: as a model that returns the prompt's output for the negative).
 */
class StepSavingsPipelineTest {
    private static final SamplerKind DIFFUSERS = (p, r, g) -> p.diffusersSampler(r, g);

    @FunctionalInterface
    interface SamplerKind {
        DenoisingSampler create(StableDiffusionXLPipeline p, GenerationRequest r, TorchGenerator g);
    }

    private static SamplerKind a1111(A1111Sampler s) {
        return (p, r, g) -> new A1111DenoisingSampler(A1111Request.of(s, null, RngSource.CPU, r.seed(), r.steps(), r.cfgScale()),
                DiscreteSchedule.sdxlAlphasCumprod()).cfgCutoff(r.savings().cfgCutoff());
    }

    /** One denoising pass: the final latents, and the FLOPs of each UNet evaluation in order. */
    private record Run(float[] latents, List<Long> flops, List<Integer> rows) {}

    private static Run run(StableDiffusionXLPipeline p, GenerationRequest req, SamplerKind kind, UnaryOperator<EpsModel> wrap) {
        TextConditioning tc = p.encodePrompts(req);
        TorchGenerator g = new TorchGenerator(req.seed());
        DenoisingSampler s = kind.create(p, req, g);
        float[] x = p.prepareLatents(s, s.initialNoise(p.latentShape(req), g));
        List<Long> marks = new ArrayList<>();
        List<Integer> rows = new ArrayList<>();
        RunHooks hooks = new RunHooks() {
            @Override
            public void beforeEvaluation() {
                marks.add(FlopCounter.total());
            }
        };
        UnaryOperator<EpsModel> recording = m -> wrap.apply(recordRows((ConditionedEpsModel) m, rows));
        float[] out = Buffers.withPool(new BufferPool(), () -> p.denoise(req, tc, s, x, 0, hooks, recording));
        marks.add(FlopCounter.total());
        List<Long> flops = new ArrayList<>();
        for (int i = 1; i < marks.size(); i++) flops.add(marks.get(i) - marks.get(i - 1));
        return new Run(out, flops, rows);
    }

    /** Records the rows asked of every evaluation (0 for a guided {@code eps}) and passes it on. */
    private static ConditionedEpsModel recordRows(ConditionedEpsModel m, List<Integer> rows) {
        return new ConditionedEpsModel() {
            @Override
            public float[] eps(float[] xIn, float t) {
                rows.add(0);
                return m.eps(xIn, t);
            }

            @Override
            public float[][] rows(float[] xIn, float t, int n) {
                rows.add(n);
                return m.rows(xIn, t, n);
            }
        };
    }

    private static List<JsonNode> cases() {
        List<JsonNode> cases = Fixtures.cases("pipeline");
        assertThat(cases).isNotEmpty();
        return cases;
    }

    @TestFactory
    List<DynamicTest> intervalOneAndCutoffOneChangeNothing() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : cases()) {
            tests.add(DynamicTest.dynamicTest(c.get("id").asText(), () -> identity(c, DIFFUSERS)));
            tests.add(DynamicTest.dynamicTest(c.get("id").asText() + " A1111 DPM++ 2M", () -> identity(c, a1111(A1111Sampler.DPMPP_2M))));
        }
        return tests;
    }

    private static void identity(JsonNode c, SamplerKind kind) {
        StableDiffusionXLPipeline p = PipelineTest.pipeline(c.get("model").get("path").asText());
        GenerationRequest req = PipelineTest.request(c);
        float[] plain = run(p, req, kind, UnaryOperator.identity()).latents;
        assertThat(run(p, req.withSavings(new StepSavings(1, 1)), kind, UnaryOperator.identity()).latents).isEqualTo(plain);
        Run both = run(p, req.withSavings(new StepSavings(1, 1.0)), kind, UnaryOperator.identity());
        assertThat(both.latents).isEqualTo(plain);
    }

    @TestFactory
    List<DynamicTest> deepCacheThreeAlternatesFullAndShallowEvaluations() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : cases()) {
            tests.add(DynamicTest.dynamicTest(c.get("id").asText(), () -> deepCache(c, DIFFUSERS)));
            tests.add(DynamicTest.dynamicTest(c.get("id").asText() + " A1111 Euler a", () -> deepCache(c, a1111(A1111Sampler.EULER_A))));
        }
        return tests;
    }

    private static void deepCache(JsonNode c, SamplerKind kind) {
        StableDiffusionXLPipeline p = PipelineTest.pipeline(c.get("model").get("path").asText());
        GenerationRequest req = PipelineTest.request(c);
        Run plain = run(p, req, kind, UnaryOperator.identity());
        Run cached = run(p, req.withSavings(new StepSavings(3, 1)), kind, UnaryOperator.identity());
        int calls = plain.flops.size();
        assertThat(cached.flops).hasSize(calls);
        assertThat(cached.flops.getFirst()).isEqualTo(plain.flops.getFirst()); // the first call is always full
        if (calls < 2) return;
        long full = plain.flops.get(1), shallow = cached.flops.get(1);
        assertThat(shallow).isLessThan(full);
        for (int i = 1; i < calls; i++) assertThat(cached.flops.get(i)).as("call " + i).isEqualTo(i % 3 == 0 ? full : shallow);
        assertThat(cached.latents).isNotEqualTo(plain.latents);
        for (float v : cached.latents) assertThat(Float.isFinite(v)).isTrue();
    }

    @TestFactory
    List<DynamicTest> cfgCutoffRunsThePromptAloneAfterTheCutoffStep() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : cases()) {
            if (c.get("pipeline_args").get("guidance_scale").asDouble() <= 1) continue;
            for (double r : new double[] {0, 0.5}) {
                tests.add(DynamicTest.dynamicTest(c.get("id").asText() + " R=" + r, () -> cutoffDiffusers(c, r)));
                tests.add(DynamicTest.dynamicTest(c.get("id").asText() + " A1111 Euler a R=" + r, () -> cutoffA1111(c, r)));
            }
        }
        assertThat(tests).isNotEmpty();
        return tests;
    }

    /** diffusers: a reference loop with the callback's arithmetic (guidance off after step int(steps * R)). */
    private static void cutoffDiffusers(JsonNode c, double ratio) {
        StableDiffusionXLPipeline p = PipelineTest.pipeline(c.get("model").get("path").asText());
        GenerationRequest req = PipelineTest.request(c);
        int steps = req.steps(), cutoff = (int) (steps * ratio);
        Run cut = run(p, req.withSavings(new StepSavings(0, ratio)), DIFFUSERS, UnaryOperator.identity());

        TextConditioning tc = p.encodePrompts(req);
        TorchGenerator g = new TorchGenerator(req.seed());
        DenoisingSampler s = p.diffusersSampler(req, g);
        int[] shape = p.latentShape(req);
        float[] x = p.prepareLatents(s, s.initialNoise(shape, g));
        UNet2DConditionModel unet = p.unet();
        var both = StableDiffusionXLPipeline.unetConditioning(tc, req);
        var prompt = StableDiffusionXLPipeline.unetConditioning(new TextConditioning(tc.positive(), null, tc.positiveTokens(), null), req);
        boolean[] guided = {true};
        long f0 = FlopCounter.total();
        float[] expected = Buffers.withPool(new BufferPool(), () -> s.sample((xIn, t) -> guided[0]
                        ? StableDiffusionXLPipeline.guidedNoise(unet, xIn, shape, t, both, req.cfgScale())
                        : unet.forward(new Tensor(xIn, shape), new float[] {t}, prompt).data().clone(),
                x, 0, (done, total, sigma, t, latents) -> {
                    if (done - 1 == cutoff) guided[0] = false; // diffusers' callback at the end of step_index == cutoff_step
                }));
        long referenceFlops = FlopCounter.total() - f0;
        assertThat(cut.latents).isEqualTo(expected);
        assertThat(cut.flops.stream().mapToLong(Long::longValue).sum()).isEqualTo(referenceFlops);
        assertThat(cut.rows).hasSize(steps).containsOnly(0);
        if (cutoff + 1 < steps) {
            // the prompt-only evaluations cost one row: strictly less than a guided one
            assertThat(cut.flops.get(cutoff + 1)).isLessThan(cut.flops.get(0));
            assertThat(cut.flops.getLast()).isLessThan(cut.flops.get(0));
        }
    }

    /** A1111: calls after int(steps * R) ask for one row; the result equals guidance with the prompt standing in for the negative. */
    private static void cutoffA1111(JsonNode c, double ratio) {
        StableDiffusionXLPipeline p = PipelineTest.pipeline(c.get("model").get("path").asText());
        GenerationRequest req = PipelineTest.request(c);
        int steps = req.steps(), cutoff = (int) (steps * ratio);
        SamplerKind kind = a1111(A1111Sampler.EULER_A);
        Run cut = run(p, req.withSavings(new StepSavings(0, ratio)), kind, UnaryOperator.identity());
        List<Integer> expectedRows = new ArrayList<>();
        for (int i = 0; i < steps; i++) expectedRows.add(i <= cutoff ? 2 : 1);
        assertThat(cut.rows).isEqualTo(expectedRows);

        int[] calls = {0};
        UnaryOperator<EpsModel> promptForNegative = m -> new ConditionedEpsModel() {
            @Override
            public float[] eps(float[] xIn, float t) {
                throw new AssertionError("A1111 samplers ask for rows");
            }

            @Override
            public float[][] rows(float[] xIn, float t, int n) {
                if (calls[0]++ <= cutoff) return ((ConditionedEpsModel) m).rows(xIn, t, n);
                float[] prompt = ((ConditionedEpsModel) m).rows(xIn, t, 1)[0];
                return new float[][] {prompt, prompt.clone()};
            }
        };
        assertThat(cut.latents).isEqualTo(run(p, req, kind, promptForNegative).latents);
    }

    /** A hires run: each pass starts with a full call (a fresh cache), then full/shallow as in one pass. */
    @Test
    void everyPassOfAHiresRunStartsWithAFullCall() {
        JsonNode c = cases().stream().filter(x -> x.get("pipeline_args").get("guidance_scale").asDouble() > 1).findFirst().orElseThrow();
        StableDiffusionXLPipeline p = PipelineTest.pipeline(c.get("model").get("path").asText());
        GenerationRequest req = PipelineTest.request(c);
        var hires = new ImageToImageRequest.Hires(1.5, 0, 0, 0.6, 0, LatentUpscaler.LATENT, null, null, null, false);
        ImageToImageRequest in = new ImageToImageRequest(true, null, null, 0.6, dev.animagine.core.image.A1111Resize.JUST_RESIZE,
                dev.animagine.core.image.A1111InpaintInputs.Options.DEFAULTS, A1111Img2Img.MaskedContent.ORIGINAL, hires);
        List<List<Long>> plain = passes(p, req, in), cached = passes(p, req.withSavings(new StepSavings(3, 1)), in);
        assertThat(cached).hasSize(2);
        for (int pass = 0; pass < 2; pass++) {
            List<Long> a = plain.get(pass), b = cached.get(pass);
            assertThat(b).hasSameSizeAs(a).isNotEmpty();
            for (int i = 0; i < a.size(); i++) {
                if (i % 3 == 0) assertThat(b.get(i)).as("pass %d call %d", pass, i).isEqualTo(a.get(i));
                else assertThat(b.get(i)).as("pass %d call %d", pass, i).isLessThan(a.get(i));
            }
        }
    }

    /** The FLOPs of each UNet evaluation, per denoising pass (a new pass at the hires stage). */
    private static List<List<Long>> passes(StableDiffusionXLPipeline p, GenerationRequest req, ImageToImageRequest in) {
        List<List<Long>> passes = new ArrayList<>();
        long[] last = {-1};
        RunHooks hooks = new RunHooks() {
            @Override
            public void stageStarted(Stage stage) {
                close();
                if (stage == Stage.DENOISING || stage == Stage.HIRES) passes.add(new ArrayList<>());
            }

            @Override
            public void beforeEvaluation() {
                close();
                last[0] = FlopCounter.total();
            }

            private void close() {
                if (last[0] >= 0) passes.getLast().add(FlopCounter.total() - last[0]);
                last[0] = -1;
            }
        };
        new ImageToImage(p).generate(req, in, p::diffusersSampler, hooks);
        return passes;
    }

    @Test
    void thePassReleasesItsDeepCacheFeature() {
        JsonNode c = cases().getFirst();
        StableDiffusionXLPipeline p = PipelineTest.pipeline(c.get("model").get("path").asText());
        GenerationRequest req = PipelineTest.request(c).withSavings(new StepSavings(2, 1));
        TextConditioning tc = p.encodePrompts(req);
        int[] shape = p.latentShape(req);
        ConditionedUnet u = new ConditionedUnet(p.unet(), tc, StableDiffusionXLPipeline.unetConditioning(tc, req), req, shape, RunHooks.NONE);
        float[] x = new float[shape[1] * shape[2] * shape[3]];
        BufferPool pool = new BufferPool();
        Buffers.withPool(pool, () -> {
            u.eps(x, 500);
            u.rows(x, 400, 1);
            assertThat(u.deepCache().shallowCalls()).isEqualTo(1);
            assertThat(u.deepCache().holdsFeature()).isTrue();
            u.release();
            assertThat(u.deepCache().holdsFeature()).isFalse();
            return null;
        });
    }

    @Test
    void badValuesAreRejectedNamingTheSetting() {
        assertThatThrownBy(() -> new StepSavings(-1, 1)).isInstanceOf(InvalidArgumentException.class).hasMessageContaining("DeepCache");
        assertThatThrownBy(() -> new StepSavings(0, 1.5)).isInstanceOf(InvalidArgumentException.class).hasMessageContaining("CFG cutoff");
        assertThatThrownBy(() -> new StepSavings(0, Double.NaN)).isInstanceOf(InvalidArgumentException.class).hasMessageContaining("CFG cutoff");
        assertThat(new StepSavings(0, 0.5).lastGuidedStep(28)).isEqualTo(14);
        assertThat(new StepSavings(0, 0).unguided(0, 28)).isFalse();
        assertThat(new StepSavings(0, 0).unguided(1, 28)).isTrue();
        assertThat(new StepSavings(0, 1).unguided(27, 28)).isFalse();
    }
}
