package dev.animagine.core.sampling.a1111;

import com.fasterxml.jackson.databind.JsonNode;
import dev.animagine.core.InvalidArgumentException;
import dev.animagine.core.sampling.KDenoiser;
import dev.animagine.core.testing.Close;
import dev.animagine.core.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Properties of the samplers and their parts that hold whatever the model: exactness, stopping, CFG rows, seeds. */
class KSamplerPropertiesTest {
    private static final float[] X0 = {0.3f, -1.2f, 2.5f, 0f, 0.7f, -0.1f, 1.1f, -2f};

    /** With a denoiser that knows the clean sample, every sampler ends on it (all end with a step into σ = 0). */
    @Test
    void oracleDenoiserEndsAtTheCleanSampleForEverySampler() {
        SigmaModel m = DiscreteSchedule.sdxl();
        KDenoiser oracle = (x, s) -> X0.clone();
        int count = 0;
        for (A1111Sampler s : A1111Sampler.values()) {
            if (s.timestepBased()) continue;
            for (int steps : new int[] {4, 20, 40}) {
                float[] sigmas = SamplerSigmas.of(s, SigmaSchedule.AUTOMATIC, steps, m).sigmas();
                ImageRng rng = ImageRng.of(RngSource.NV, 2, 2, 2, 7);
                float[] x = rng.next();
                for (int i = 0; i < x.length; i++) x[i] = X0[i] + x[i] * sigmas[0];
                NoiseSampler noise = s.brownianNoise() ? new BrownianTreeNoiseSampler(sigmas, new long[] {7}, X0.length, RngSource.NV)
                        : NoiseSampler.of(rng);
                float[] out = KSampler.sample(s, oracle, x, sigmas, SamplerOptions.DEFAULTS, noise, null);
                Close.assertClose(s.label() + " " + steps + " steps", out, X0, 2e-4, 1e-4);
                count++;
            }
        }
        assertThat(count).isEqualTo(14 * 3);
    }

    /** DDIM and UniPC with an ε model that knows the noise also land on the clean sample. */
    @Test
    void timestepSamplersRecoverTheCleanSample() {
        float[] ac = DiscreteSchedule.sdxlAlphasCumprod();
        float[] eps0 = ImageRng.of(RngSource.CPU, 2, 2, 2, 3).next();
        // x_t = sqrt(a)·x0 + sqrt(1 − a)·ε: the exact ε for any x_t on that line is (x − sqrt(a)·x0)/sqrt(1 − a)
        for (A1111Sampler s : new A1111Sampler[] {A1111Sampler.DDIM, A1111Sampler.UNIPC}) {
            int[] ts = TimestepSampler.timesteps(10, ac.length, false);
            dev.animagine.core.sampling.EpsModel exact = (x, t) -> {
                double a = interpolateAc(ac, t);
                float[] e = new float[x.length];
                for (int i = 0; i < x.length; i++) e[i] = (float) ((x[i] - Math.sqrt(a) * X0[i]) / Math.sqrt(1 - a));
                return e;
            };
            // DDIM starts at its last timestep, UniPC at t = 1 (model time 999) whatever the timesteps' values
            double aT = s == A1111Sampler.DDIM ? ac[ts[ts.length - 1]] : ac[ac.length - 1];
            float[] x = new float[X0.length];
            for (int i = 0; i < x.length; i++) x[i] = (float) (Math.sqrt(aT) * X0[i] + Math.sqrt(1 - aT) * eps0[i]);
            float[] out = TimestepSampler.sample(s, exact, x, ts, ac, 0, (a, b) -> new float[X0.length], null);
            // both stop short of t = 0 (DDIM at timestep 1, UniPC at model time 0): x there is sqrt(ᾱ)·x0 + sqrt(1 − ᾱ)·ε
            double a1 = s == A1111Sampler.DDIM ? ac[ts[0]] : ac[0];
            float[] want = new float[X0.length];
            for (int i = 0; i < want.length; i++) want[i] = (float) (Math.sqrt(a1) * X0[i] + Math.sqrt(1 - a1) * eps0[i]);
            Close.assertClose(s.label(), out, want, 1e-4, 1e-4);
        }
    }

    /** ᾱ at a fractional timestep, interpolated in ln ᾱ as UniPC's continuous schedule does. */
    private static double interpolateAc(float[] ac, float t) {
        int lo = (int) Math.floor(Math.max(0, Math.min(ac.length - 1, t))), hi = Math.min(lo + 1, ac.length - 1);
        double w = t - lo;
        return Math.exp(Math.log(ac[lo]) * (1 - w) + Math.log(ac[hi]) * w);
    }

    /** A false from the callback stops the run and returns that step's denoised estimate (A1111's interrupt). */
    @Test
    void callbackCanStopTheRun() {
        SigmaModel m = DiscreteSchedule.sdxl();
        float[] sigmas = SamplerSigmas.of(A1111Sampler.DPMPP_2M, SigmaSchedule.AUTOMATIC, 10, m).sigmas();
        int[] calls = {0};
        KDenoiser den = (x, s) -> {
            calls[0]++;
            float[] d = new float[x.length];
            java.util.Arrays.fill(d, s);
            return d;
        };
        List<Integer> steps = new ArrayList<>();
        float[] out = KSampler.sample(A1111Sampler.DPMPP_2M, den, new float[4], sigmas, SamplerOptions.DEFAULTS, null,
                (i, total, sigma, sigmaHat, x, denoised) -> {
                    assertThat(total).isEqualTo(10);
                    steps.add(i);
                    return i < 3;
                });
        assertThat(steps).containsExactly(0, 1, 2, 3);
        assertThat(calls[0]).isEqualTo(4);
        assertThat(out).containsOnly(sigmas[3]);
    }

    /** Without a noise source the deterministic samplers run; a sampler that adds noise says so instead of guessing. */
    @Test
    void missingNoiseIsAnErrorOnlyWhereNoiseIsAdded() {
        float[] sigmas = SamplerSigmas.of(A1111Sampler.EULER, SigmaSchedule.AUTOMATIC, 3, DiscreteSchedule.sdxl()).sigmas();
        KDenoiser oracle = (x, s) -> new float[x.length];
        for (A1111Sampler s : new A1111Sampler[] {A1111Sampler.EULER, A1111Sampler.HEUN, A1111Sampler.DPM2, A1111Sampler.LMS, A1111Sampler.DPMPP_2M})
            assertThat(KSampler.sample(s, oracle, new float[] {1f}, sigmas, SamplerOptions.DEFAULTS, null, null)).hasSize(1);
        assertThatThrownBy(() -> KSampler.sample(A1111Sampler.EULER_A, oracle, new float[] {1f}, sigmas, SamplerOptions.DEFAULTS, null, null))
                .isInstanceOf(InvalidArgumentException.class).hasMessage("sampler Euler a adds noise: give it a noise sampler");
    }

    /** CFG: [cond, uncond] rows combined as u + (c − u)·scale; below NGMS every other call runs the prompt alone. */
    @Test
    void cfgDenoiserCombinesAndSkipsLikeA1111() {
        ConditionedModel fake = (x, level, rows) -> {
            float[][] out = new float[rows][x.length];
            for (int r = 0; r < rows; r++) java.util.Arrays.fill(out[r], r == 0 ? 3f : 1f);
            return out;
        };
        CfgDenoiser cfg = new CfgDenoiser(fake, 5, 2, false);
        assertThat(cfg.forward(new float[2], 5f)).containsExactly(11f, 11f);
        assertThat(cfg.forward(new float[2], 5f)).containsExactly(11f, 11f); // odd call, but above NGMS
        assertThat(cfg.forward(new float[2], 1f)).containsExactly(11f, 11f); // even call below NGMS: still guided
        assertThat(cfg.forward(new float[2], 1f)).containsExactly(3f, 3f); // odd call below NGMS: prompt only
        assertThat(cfg.batchRows()).containsExactly(2, 2, 2, 1);
        CfgDenoiser all = new CfgDenoiser(fake, 5, 2, true);
        assertThat(all.forward(new float[1], 1f)).containsExactly(3f);
        assertThat(all.batchRows()).containsExactly(1);
        CfgDenoiser one = new CfgDenoiser(fake, 1);
        assertThat(one.forward(new float[1], 1f)).containsExactly(3f);
        assertThat(one.batchRows()).containsExactly(2); // no shortcut at scale 1
    }

    /** DDIM/UniPC timesteps: 1000 // steps apart from 1, possibly one more than asked. */
    @Test
    void timestepsFollowA1111() {
        assertThat(TimestepSampler.timesteps(5, 1000, false)).containsExactly(1, 201, 401, 601, 801);
        assertThat(TimestepSampler.timesteps(6, 1000, false)).containsExactly(1, 167, 333, 499, 665, 831, 997);
        assertThat(TimestepSampler.timesteps(1000, 1000, false)).hasSize(1000).endsWith(999, 999);
        assertThatThrownBy(() -> TimestepSampler.timesteps(0, 1000, false)).isInstanceOf(InvalidArgumentException.class);
    }

    /** numpy's SeedSequence gives the seeds torchsde asked A1111's randn_local for (the fixture's first calls). */
    @Test
    void seedSequenceMatchesTheFixturesBrownianSeeds() {
        int checked = 0;
        for (JsonNode c : Fixtures.cases("a1111_sampling")) {
            JsonNode calls = c.get("a1111").get("brownian_randn_calls");
            if (calls.isEmpty()) continue;
            long seed = PhiloxAndImageRngTest.seed(c.get("inputs").get("seed"));
            int[] top = new SeedSequence(seed, new long[0], 24).generateState(3);
            assertThat(top[0] & 0xFFFFFFFFL).isEqualTo(calls.get(0).get(0).asLong()); // W over the whole interval
            assertThat(top[1] & 0xFFFFFFFFL).isEqualTo(calls.get(1).get(0).asLong()); // its space-time Lévy area (unused)
            int[] root = new SeedSequence(seed, new long[] {0, 0}, 24).generateState(4);
            assertThat(root[0] & 0xFFFFFFFFL).isEqualTo(calls.get(2).get(0).asLong()); // the root's bridge draw
            checked++;
        }
        assertThat(checked).isGreaterThan(0);
    }

    @Test
    void pythonRoundingToSixDecimals() {
        assertThat(BrownianTree.round(6.01298141479492)).isEqualTo(6.012981);
        assertThat(BrownianTree.round(6.01298189163208)).isEqualTo(6.012982);
        assertThat(BrownianTree.round(0.0291675366461277)).isEqualTo(0.029168);
        assertThat(BrownianTree.round(2.5e-7)).isEqualTo(0.0);
    }

    /** Brownian noise is unit normal over a step and additive: the increments over two halves sum to the whole. */
    @Test
    void brownianIncrementsAdd() {
        BrownianTree tree = new BrownianTree(0.03, 14.6, 42, 256, RngSource.CPU);
        float[] whole = tree.increment(1.0, 5.0), a = tree.increment(1.0, 2.5), b = tree.increment(2.5, 5.0);
        float[] sum = new float[whole.length];
        for (int i = 0; i < sum.length; i++) sum[i] = a[i] + b[i];
        Close.assertClose("W(1,5) = W(1,2.5) + W(2.5,5)", sum, whole, 1e-5, 1e-5);
        double sq = 0;
        for (float v : whole) sq += v * v;
        assertThat(sq / whole.length / 4.0).isBetween(0.7, 1.3); // variance = interval length
        // the same query again, after others, gives the same numbers (deterministic in the entropy)
        Close.assertClose("repeat", tree.increment(1.0, 5.0), whole, 0, 0);
    }
}
