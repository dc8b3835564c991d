package dev.animagine.core.sampling.a1111;

import dev.animagine.core.sampling.ConditionedEpsModel;
import dev.animagine.core.sampling.Img2ImgTimesteps;
import dev.animagine.core.sampling.StepCallback;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A1111's {@code sample_img2img} ({@code sd_samplers_kdiffusion}, {@code sd_samplers_timesteps}) behind
 * {@link A1111DenoisingSampler}, with a stand-in ε model that records its timesteps: the plan of
 * {@code setup_img2img_steps}, the sigmas run ({@code sigmas[steps - t_enc - 1:]} of the full schedule),
 * the model evaluations per sampler, the start latents from the image RNG, the Brownian tree over the
 * whole schedule, DDIM on {@code timesteps[:t_enc]}, and the inpainting blends.
 */
class A1111Img2ImgSamplingTest {
    static final int C = 4, H = 3, W = 5;
    static final float[] AC = DiscreteSchedule.sdxlAlphasCumprod();

    /** ε = 0.05·x + 1e-4·t for the prompt, 0.03·x for the negative; records every timestep. */
    static final class Recording implements ConditionedEpsModel {
        final List<Float> ts = new ArrayList<>();

        @Override
        public float[][] rows(float[] xIn, float t, int rows) {
            ts.add(t);
            float[] c = new float[xIn.length], u = new float[xIn.length];
            for (int i = 0; i < c.length; i++) {
                c[i] = 0.05f * xIn[i] + 1e-4f * t;
                u[i] = 0.03f * xIn[i];
            }
            return rows == 1 ? new float[][] {c} : new float[][] {c, u};
        }

        @Override
        public float[] eps(float[] xIn, float t) {
            throw new AssertionError("A1111 sampling asks for the rows");
        }
    }

    static float[] init() {
        float[] x = new float[C * H * W];
        for (int i = 0; i < x.length; i++) x[i] = (float) Math.sin(i * 0.7) * 0.8f;
        return x;
    }

    static A1111DenoisingSampler sampler(A1111Sampler s, SigmaSchedule schedule, int steps) {
        return new A1111DenoisingSampler(A1111Request.of(s, schedule, RngSource.CPU, 1234, steps, 6), AC);
    }

    /** {@code setup_img2img_steps} with img2img_fix_steps off, written out: t_enc = int(min(d, 0.999) * steps). */
    static int tEnc(int steps, double d) {
        return (int) (Math.min(d, 0.999) * steps);
    }

    record Ran(float[] out, List<Float> ts, float[] start, float[] noise) {}

    static Ran run(A1111DenoisingSampler a, Img2ImgTimesteps.A1111Steps plan, float[] nmask) {
        float[] noise = a.initialNoise(new int[] {1, C, H, W}, null);
        float[] x = a.img2imgStart(init(), noise, plan, nmask);
        Recording m = new Recording();
        float[] out = a.sample(m, x, plan.firstStep(), StepCallback.NONE);
        return new Ran(out, m.ts, x, noise);
    }

    @Test
    void runsTheTailOfTheFullScheduleWithTheRightNumberOfEvaluations() {
        Object[][] cases = {
                {A1111Sampler.EULER_A, SigmaSchedule.AUTOMATIC, 10, 0.55, 1},
                {A1111Sampler.EULER, SigmaSchedule.KARRAS, 8, 0.75, 1},
                {A1111Sampler.DPMPP_2M, SigmaSchedule.KARRAS, 20, 0.3, 1},
                {A1111Sampler.DPMPP_2M, SigmaSchedule.EXPONENTIAL, 7, 1.0, 1},
                {A1111Sampler.LMS, SigmaSchedule.AUTOMATIC, 12, 0.4, 1},
                {A1111Sampler.HEUN, SigmaSchedule.AUTOMATIC, 9, 0.5, 2},
                {A1111Sampler.DPM2, SigmaSchedule.AUTOMATIC, 10, 0.6, 2}, // discards the penultimate sigma
                {A1111Sampler.DPMPP_2S_A, SigmaSchedule.KARRAS, 6, 0.7, 2},
                {A1111Sampler.DPMPP_SDE, SigmaSchedule.KARRAS, 8, 0.5, 2},
                {A1111Sampler.DPMPP_2M_SDE, SigmaSchedule.EXPONENTIAL, 9, 0.45, 1},
        };
        DiscreteSchedule model = new DiscreteSchedule(AC);
        for (Object[] c : cases) {
            A1111Sampler s = (A1111Sampler) c[0];
            SigmaSchedule sched = (SigmaSchedule) c[1];
            int steps = (int) c[2];
            double d = (double) c[3];
            int order = (int) c[4];
            int tEnc = tEnc(steps, d);
            float[] full = SamplerSigmas.of(s, sched, steps, model).sigmas();
            float[] tail = Arrays.copyOfRange(full, steps - tEnc - 1, full.length);
            Img2ImgTimesteps.A1111Steps plan = Img2ImgTimesteps.a1111(steps, d, false, null);
            assertThat(plan.scheduleSteps()).isEqualTo(steps);
            assertThat(plan.firstStep()).isEqualTo(steps - tEnc - 1);
            Ran r = run(sampler(s, sched, steps), plan, null);
            String what = s.label() + " " + sched.label() + " " + steps + " steps, d " + d;
            // t_enc + 1 steps; second-order samplers evaluate twice except on the last step into σ = 0
            int n = tail.length - 1;
            assertThat(n).as(what).isEqualTo(tEnc + 1);
            assertThat(r.ts()).as(what).hasSize(order == 1 ? n : 2 * n - 1);
            // every step's first evaluation is at the step's σ (no churn)
            List<Float> firsts = new ArrayList<>();
            for (int i = 0; i < n; i++) firsts.add(model.sigmaToT(tail[i]));
            List<Float> seen = order == 1 ? r.ts() : everyOther(r.ts());
            assertThat(seen).as(what).containsExactlyElementsOf(firsts);
        }
    }

    private static List<Float> everyOther(List<Float> ts) {
        List<Float> out = new ArrayList<>();
        for (int i = 0; i < ts.size(); i += 2) out.add(ts.get(i));
        return out;
    }

    @Test
    void hiresPassUsesTheFixStepsBranch() {
        // sample_hr_pass passes steps: schedule int(S / min(d, 0.999)), t_enc = S - 1, exactly S steps
        int[][] cases = {{4, 70, 5}, {12, 55, 21}, {28, 55, 50}, {10, 100, 10}};
        DiscreteSchedule model = new DiscreteSchedule(AC);
        for (int[] c : cases) {
            double d = c[1] / 100.0;
            int schedule = (int) (c[0] / Math.min(d, 0.999));
            assertThat(schedule).isEqualTo(c[2]);
            Img2ImgTimesteps.A1111Steps plan = Img2ImgTimesteps.a1111(20, d, true, c[0]);
            assertThat(plan.scheduleSteps()).isEqualTo(schedule);
            assertThat(plan.firstStep()).isEqualTo(schedule - (c[0] - 1) - 1);
            Ran r = run(sampler(A1111Sampler.EULER_A, SigmaSchedule.AUTOMATIC, schedule), plan, null);
            float[] full = SamplerSigmas.of(A1111Sampler.EULER_A, SigmaSchedule.AUTOMATIC, schedule, model).sigmas();
            assertThat(r.ts()).hasSize(c[0]);
            assertThat(r.ts().getFirst()).isEqualTo(model.sigmaToT(full[schedule - c[0]]));
        }
    }

    @Test
    void startLatentsAreInitPlusImageRngNoiseTimesTheFirstSigma() {
        int steps = 10;
        double d = 0.6;
        Img2ImgTimesteps.A1111Steps plan = Img2ImgTimesteps.a1111(steps, d, false, null);
        float[] full = SamplerSigmas.of(A1111Sampler.EULER_A, SigmaSchedule.AUTOMATIC, steps, new DiscreteSchedule(AC)).sigmas();
        float sigma0 = full[steps - tEnc(steps, d) - 1];
        for (RngSource source : RngSource.values()) {
            // with a variation seed and seed resize, as p.rng has them
            A1111Request req = new A1111Request(A1111Sampler.EULER_A, SigmaSchedule.AUTOMATIC, source, new long[] {99}, new long[] {7}, 0.3,
                    16, 24, 0, steps, 5, 0, false, null, null, 0);
            A1111DenoisingSampler a = new A1111DenoisingSampler(req, AC);
            float[] noise = a.initialNoise(new int[] {1, C, H, W}, null);
            float[] expected = new ImageRng(source, C, H, W, new long[] {99}, new long[] {7}, 0.3, 16, 24, 0).next();
            assertThat(noise).as(source.name()).containsExactly(expected);
            float[] x = a.img2imgStart(init(), noise, plan, null);
            float[] in = init();
            for (int i = 0; i < x.length; i++) assertThat(x[i]).isEqualTo(in[i] + noise[i] * sigma0);
            // the "latent noise" fill: the seed's noise alone (create_random_tensors without subseed or resize)
            assertThat(a.seedNoise(new int[] {1, C, H, W})).containsExactly(new ImageRng(source, C, H, W, new long[] {99}, null, 0, 0, 0, 0).next());
        }
    }

    @Test
    void ancestralNoiseContinuesTheImageRngAndTheBrownianTreeSpansTheWholeSchedule() {
        int steps = 8;
        double d = 0.5;
        Img2ImgTimesteps.A1111Steps plan = Img2ImgTimesteps.a1111(steps, d, false, null);
        DiscreteSchedule model = new DiscreteSchedule(AC);
        for (A1111Sampler s : List.of(A1111Sampler.EULER_A, A1111Sampler.DPMPP_2M_SDE)) {
            Ran r = run(sampler(s, SigmaSchedule.AUTOMATIC, steps), plan, null);
            float[] full = SamplerSigmas.of(s, SigmaSchedule.AUTOMATIC, steps, model).sigmas();
            float[] tail = Arrays.copyOfRange(full, plan.firstStep(), full.length);
            ImageRng rng = new ImageRng(RngSource.CPU, C, H, W, new long[] {1234}, null, 0, 0, 0, 0);
            assertThat(rng.next()).containsExactly(r.noise());
            CfgDenoiser cfg = new CfgDenoiser(new CompVisDenoiser(new Recording()::rows, model), 6);
            NoiseSampler noise = s.brownianNoise() ? new BrownianTreeNoiseSampler(full, new long[] {1234}, C * H * W, RngSource.CPU) : NoiseSampler.of(rng);
            float[] expected = KSampler.sample(s, cfg, r.start(), tail, SamplerOptions.DEFAULTS, noise, null);
            assertThat(r.out()).as(s.label()).containsExactly(expected);
            if (s.brownianNoise()) {
                // a tree over the tail alone would differ
                float[] other = KSampler.sample(s, new CfgDenoiser(new CompVisDenoiser(new Recording()::rows, model), 6), r.start(), tail,
                        SamplerOptions.DEFAULTS, new BrownianTreeNoiseSampler(tail, new long[] {1234}, C * H * W, RngSource.CPU), null);
                assertThat(r.out()).isNotEqualTo(other);
            }
        }
    }

    @Test
    void ddimRunsTimestepsUpToTEncFromTheNoisedLatents() {
        for (int[] c : new int[][] {{10, 60}, {20, 35}, {6, 100}}) {
            int steps = c[0];
            double d = c[1] / 100.0;
            int tEnc = tEnc(steps, d);
            Img2ImgTimesteps.A1111Steps plan = Img2ImgTimesteps.a1111(steps, d, false, null);
            Ran r = run(sampler(A1111Sampler.DDIM, SigmaSchedule.AUTOMATIC, steps), plan, null);
            int[] ts = TimestepSampler.timesteps(steps, 1000, false);
            // xi = x · sqrt(ᾱ) + noise · sqrt(1 − ᾱ) at timesteps[t_enc]
            float a = AC[ts[tEnc]];
            float[] in = init();
            for (int i = 0; i < in.length; i++)
                assertThat(r.start()[i]).isEqualTo(in[i] * (float) Math.sqrt(a) + r.noise()[i] * (float) Math.sqrt(1f - a));
            // ddim over timesteps[:t_enc]: t_enc - 1 evaluations, from timesteps[t_enc - 1] down to timesteps[1]
            List<Float> expected = new ArrayList<>();
            for (int i = tEnc - 1; i >= 1; i--) expected.add((float) ts[i]);
            assertThat(r.ts()).as(steps + " steps, d " + d).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void uniPcStartsAtTheLastShortenedTimestep() {
        // t_start = timesteps[-1] / 1000 + 1 / 1000 for timesteps[:t_enc]
        int[] ts = Arrays.copyOf(TimestepSampler.timesteps(10, 1000, false), 6);
        assertThat(TimestepSampler.uniPcStart(ts)).isEqualTo(501f / 1000f + 0.001f);
        Img2ImgTimesteps.A1111Steps plan = Img2ImgTimesteps.a1111(10, 0.65, false, null); // t_enc 6
        Ran r = run(sampler(A1111Sampler.UNIPC, SigmaSchedule.AUTOMATIC, 10), plan, null);
        // six steps from t = 0.502: the first evaluation at (0.502 - 1/1000) · 1000
        assertThat(r.ts()).hasSize(6);
        assertThat(r.ts().getFirst()).isCloseTo(501f, org.assertj.core.data.Offset.offset(1e-3f));
    }

    @Test
    void inpaintingBlendsEachDenoisedPredictionOrTheTimestepInput() {
        float[] nmask = new float[H * W];
        for (int i = 0; i < nmask.length; i++) nmask[i] = i % 3 == 0 ? 1f : i % 3 == 1 ? 0f : 0.25f;
        int steps = 6;
        double d = 0.7;
        Img2ImgTimesteps.A1111Steps plan = Img2ImgTimesteps.a1111(steps, d, false, null);
        DiscreteSchedule model = new DiscreteSchedule(AC);
        float[] in = init();

        Ran k = run(sampler(A1111Sampler.EULER_A, SigmaSchedule.AUTOMATIC, steps), plan, nmask);
        float[] full = SamplerSigmas.of(A1111Sampler.EULER_A, SigmaSchedule.AUTOMATIC, steps, model).sigmas();
        CfgDenoiser cfg = new CfgDenoiser(new CompVisDenoiser(new Recording()::rows, model), 6);
        ImageRng rng = new ImageRng(RngSource.CPU, C, H, W, new long[] {1234}, null, 0, 0, 0, 0);
        rng.next();
        float[] expected = KSampler.sample(A1111Sampler.EULER_A, (x, s) -> blend(cfg.denoise(x, s), in, nmask), k.start(),
                Arrays.copyOfRange(full, plan.firstStep(), full.length), SamplerOptions.DEFAULTS, NoiseSampler.of(rng), null);
        assertThat(k.out()).containsExactly(expected);

        Ran t = run(sampler(A1111Sampler.DDIM, SigmaSchedule.AUTOMATIC, steps), plan, nmask);
        CfgDenoiser cfgT = new CfgDenoiser(new Recording()::rows, 6);
        ImageRng rngT = new ImageRng(RngSource.CPU, C, H, W, new long[] {1234}, null, 0, 0, 0, 0);
        rngT.next();
        int[] ts = Arrays.copyOf(TimestepSampler.timesteps(steps, 1000, false), tEnc(steps, d));
        float[] expectedT = TimestepSampler.sample(A1111Sampler.DDIM, (x, tt) -> cfgT.eps(blend(x, in, nmask), tt), t.start(), ts, AC, 0,
                NoiseSampler.of(rngT), null);
        assertThat(t.out()).containsExactly(expectedT);
    }

    /** current · nmask + init · (1 − nmask), written out. */
    static float[] blend(float[] current, float[] init, float[] nmask) {
        float[] out = new float[current.length];
        for (int i = 0; i < out.length; i++) {
            float n = nmask[i % nmask.length];
            out[i] = current[i] * n + init[i] * (1f - n);
        }
        return out;
    }
}
