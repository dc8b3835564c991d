package dev.animagine.core.sampling.a1111;

import dev.animagine.core.InvalidArgumentException;
import dev.animagine.core.sampling.ConditionedEpsModel;
import dev.animagine.core.sampling.DenoisingSampler;
import dev.animagine.core.sampling.EpsModel;
import dev.animagine.core.sampling.Img2ImgTimesteps;
import dev.animagine.core.sampling.KDenoiser;
import dev.animagine.core.sampling.NormalNoise;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One image, or one batch of images (A1111's batch size: one seed per image), of an A1111 run ({@link A1111Sampling#run}'s parts) behind the pipeline's sampler contract:
 * the initial noise and the sampler's draws come from A1111's image RNG (not the run's torch
 * generator), the sigmas or timesteps from the sampler and schedule, and the UNet is wrapped as
 * A1111 wraps it (CompVis/LCM denoiser inside the CFG denoiser). The pipeline's model must be a
 * {@link ConditionedEpsModel}, since A1111 guides the denoised estimates of the two rows itself.
 * <p>
 * The a1111 package calls back before each step with the step's input; the pipeline's callback is
 * told after each step, so step i's result is reported when step i + 1 starts (or the loop ends).
 * <p>
 * img2img, inpainting and the hires pass ({@code sample_img2img}): {@link #img2imgStart} noises the init
 * latents for the plan of {@code setup_img2img_steps} and remembers the plan (and the inpainting blend);
 * {@link #sample} then runs the tail of the schedule from the plan's first step.
 */
public final class A1111DenoisingSampler implements DenoisingSampler {
    private final A1111Request request;
    private final float[] alphasCumprod;
    private final SigmaModel schedule;
    private final float[] sigmas;
    private final int[] timesteps;
    private final SamplerOptions options;
    private final Map<String, Object> infotext = new LinkedHashMap<>();
    private ImageRng rng;
    private Img2Img img2img;
    private int unetCalls;
    private double cfgCutoff = 1;

    /** {@code sample_img2img}'s run: the first sigma index ({@code steps - t_enc - 1}), {@code t_enc}, the inpainting blend or null. */
    private record Img2Img(int firstStep, int tEnc, LatentMaskBlend blend) {}

    /** Sets the CFG cutoff ratio (1 = off): see {@link CfgDenoiser}. */
    public A1111DenoisingSampler cfgCutoff(double ratio) {
        if (!(ratio >= 0 && ratio <= 1)) throw new InvalidArgumentException("CFG cutoff must be in [0, 1] (got " + ratio + ")");
        this.cfgCutoff = ratio;
        return this;
    }

    /**
     * @param request       the request of one image or batch (a seed per image, and a subseed per image with a variation seed)
     * @param alphasCumprod the model's ᾱ as A1111 has it ({@link DiscreteSchedule#sdxlAlphasCumprod()})
     */
    public A1111DenoisingSampler(A1111Request request, float[] alphasCumprod) {
        this.request = request;
        this.alphasCumprod = alphasCumprod.clone();
        A1111Sampler s = request.sampler();
        if (s.timestepBased()) {
            schedule = null;
            boolean discard = request.scheduleOptions().alwaysDiscardNextToLastSigma();
            if (discard) infotext.put("Discard penultimate sigma", true);
            timesteps = TimestepSampler.timesteps(request.steps(), alphasCumprod.length, discard);
            sigmas = null;
            if (s == A1111Sampler.DDIM && request.ddimEta() != 0) infotext.put("Eta DDIM", request.ddimEta());
            options = request.samplerOptions();
        } else {
            schedule = s == A1111Sampler.LCM ? LcmSchedule.of(alphasCumprod) : new DiscreteSchedule(alphasCumprod);
            SamplerSigmas ss = SamplerSigmas.of(s, request.schedule(), request.steps(), schedule, request.scheduleOptions());
            infotext.putAll(ss.infotext());
            sigmas = ss.sigmas();
            timesteps = null;
            options = A1111Sampling.passedOptions(s, request.samplerOptions(), infotext);
        }
        if (request.sMinUncond() != 0) infotext.put("NGMS", request.sMinUncond());
        if (request.sMinUncondAll()) infotext.put("NGMS all steps", true);
    }

    public A1111Request request() {
        return request;
    }

    /** What A1111 adds to the infotext for this sampler and schedule (Schedule type, Eta, NGMS, …). */
    public Map<String, Object> infotext() {
        return java.util.Collections.unmodifiableMap(infotext);
    }

    /** UNet evaluations so far (each one batch). */
    public int unetCalls() {
        return unetCalls;
    }

    @Override
    public float[] timesteps() {
        if (timesteps != null) {
            // DDIM/UniPC evaluate from the last timestep down
            float[] t = new float[timesteps.length];
            for (int i = 0; i < t.length; i++) t[i] = timesteps[timesteps.length - 1 - i];
            return t;
        }
        int n = sigmas.length - 1;
        float[] t = new float[n];
        for (int i = 0; i < n; i++) t[i] = schedule.sigmaToT(sigmas[i]);
        return t;
    }

    @Override
    public float[] sigmas() {
        if (sigmas != null) return sigmas.clone();
        float[] out = new float[timesteps.length + 1];
        for (int i = 0; i < timesteps.length; i++) {
            float a = alphasCumprod[timesteps[timesteps.length - 1 - i]];
            out[i] = (float) Math.sqrt((1 - a) / a);
        }
        return out;
    }

    /** A1111's image RNG ({@code p.rng}): its first draw, with subseed, seed resize and ENSD as requested. */
    @Override
    public float[] initialNoise(int[] shape, NormalNoise generator) {
        if (shape[0] != request.seeds().length)
            throw new InvalidArgumentException("a batch of " + shape[0] + " latents for " + request.seeds().length + " seeds");
        rng = new ImageRng(request.rng(), shape[1], shape[2], shape[3], request.seeds(), request.subseeds(), request.subseedStrength(),
                request.resizeFromH(), request.resizeFromW(), request.ensd());
        return rng.next();
    }

    /**
     * The seed's own noise at a latent size, without variation seed or seed resize: A1111's
     * {@code create_random_tensors(shape, seeds)}, which the "latent noise" masked content fills with.
     */
    public float[] seedNoise(int[] shape) {
        return new ImageRng(request.rng(), shape[1], shape[2], shape[3], request.seeds(), null, 0, 0, 0, request.ensd()).next();
    }

    /**
     * A1111's {@code sample_img2img} start for the plan of {@code setup_img2img_steps} (this sampler's schedule must
     * be the plan's {@code steps} long): k-diffusion samplers {@code x + noise · sigmas[steps - t_enc - 1]}; the
     * timestep samplers {@code x · sqrt(ᾱ) + noise · sqrt(1 − ᾱ)} at {@code timesteps[t_enc]} (ascending). Remembers
     * the plan for {@link #sample}, which must then start at {@code plan.firstStep()}.
     *
     * @param initLatent the init latents (after a masked-content fill), also the blend target
     * @param noise      the image RNG's first draw ({@link #initialNoise})
     * @param nmask      the latent mask (1 = repaint, [h × w]) for inpainting, or null
     */
    public float[] img2imgStart(float[] initLatent, float[] noise, Img2ImgTimesteps.A1111Steps plan, float[] nmask) {
        if (plan.scheduleSteps() != request.steps())
            throw new IllegalArgumentException("a sampler of " + request.steps() + " steps for an img2img schedule of " + plan.scheduleSteps());
        if (noise.length != initLatent.length) throw new IllegalArgumentException("noise has " + noise.length + " values, latents " + initLatent.length);
        int tEnc = plan.scheduleSteps() - plan.firstStep() - 1;
        img2img = new Img2Img(plan.firstStep(), tEnc, nmask == null ? null : new LatentMaskBlend(initLatent, nmask));
        float[] out = new float[initLatent.length];
        if (sigmas != null) {
            float sigma = sigmas[plan.firstStep()];
            for (int i = 0; i < out.length; i++) out[i] = initLatent[i] + noise[i] * sigma;
            return out;
        }
        float a = alphasCumprod[timesteps[tEnc]];
        float sa = (float) Math.sqrt(a), sb = (float) Math.sqrt(1f - a);
        for (int i = 0; i < out.length; i++) out[i] = initLatent[i] * sa + noise[i] * sb;
        return out;
    }

    @Override
    public float[] startFromNoise(float[] noise) {
        if (sigmas == null) return noise.clone();
        float[] x = new float[noise.length];
        for (int i = 0; i < x.length; i++) x[i] = noise[i] * sigmas[0];
        return x;
    }

    @Override
    public float[] addNoise(float[] original, float[] noise, int step) {
        float[] out = new float[original.length];
        if (sigmas != null) {
            float sigma = sigmas[step];
            for (int i = 0; i < out.length; i++) out[i] = original[i] + noise[i] * sigma;
            return out;
        }
        float a = alphasCumprod[timesteps[timesteps.length - 1 - step]];
        float sa = (float) Math.sqrt(a), sb = (float) Math.sqrt(1 - a);
        for (int i = 0; i < out.length; i++) out[i] = sa * original[i] + sb * noise[i];
        return out;
    }

    @Override
    public float[] sample(EpsModel model, float[] x, int fromStep, dev.animagine.core.sampling.StepCallback callback) {
        if (!(model instanceof ConditionedEpsModel rows))
            throw new IllegalStateException("A1111 sampling needs the prompt's and negative's outputs apart (a ConditionedEpsModel)");
        if (rng == null) throw new IllegalStateException("initialNoise first: the sampler's noise continues the image RNG");
        ConditionedModel unet = (xIn, level, n) -> {
            unetCalls++;
            return rows.rows(xIn, level, n);
        };
        A1111Sampler s = request.sampler();
        int[] reported = {0};
        float[] last = {0, 0};
        StepCallback before = (i, total, sigma, sigmaHat, xi, denoised) -> {
            if (i > 0) callback.afterStep(i, total, last[0], last[1], xi);
            reported[0] = total;
            last[0] = sigma;
            last[1] = schedule == null ? 0 : schedule.sigmaToT(sigmaHat);
            return true;
        };
        float[] out;
        Img2Img i2i = img2img;
        if (i2i != null && fromStep != i2i.firstStep())
            throw new IllegalArgumentException("img2img planned from step " + i2i.firstStep() + ", asked to start at " + fromStep);
        LatentMaskBlend blend = i2i == null ? null : i2i.blend();
        if (s.timestepBased()) {
            if (fromStep != 0 && i2i == null) throw new InvalidArgumentException("sampler " + s.label() + " starts from noise only here");
            // img2img runs timesteps[:t_enc]; inpainting blends the model's input (mask_before_denoising)
            int[] ts = i2i == null ? timesteps : Arrays.copyOf(timesteps, i2i.tEnc());
            CfgDenoiser cfg = new CfgDenoiser(unet, request.cfgScale(), request.sMinUncond(), request.sMinUncondAll(), cfgCutoff, ts.length);
            EpsModel eps = blend == null ? cfg : (xIn, t) -> cfg.eps(blend.apply(xIn), t);
            StepCallback timed = (i, total, sigma, sigmaHat, xi, denoised) -> {
                if (i > 0) callback.afterStep(i, total, 0, ts[ts.length - i], xi);
                reported[0] = total;
                last[1] = ts[Math.max(0, ts.length - 1 - i)];
                return true;
            };
            out = TimestepSampler.sample(s, eps, x, ts, alphasCumprod, request.ddimEta(), NoiseSampler.of(rng), i2i != null, timed);
        } else {
            ConditionedModel denoiser = s == A1111Sampler.LCM ? new LcmDenoiser(unet, (LcmSchedule) schedule) : new CompVisDenoiser(unet, schedule);
            if (fromStep < 0 || fromStep >= sigmas.length - 1)
                throw new IllegalArgumentException("start step " + fromStep + " outside 0.." + (sigmas.length - 2));
            CfgDenoiser cfg = new CfgDenoiser(denoiser, request.cfgScale(), request.sMinUncond(), request.sMinUncondAll(), cfgCutoff,
                    sigmas.length - 1 - fromStep);
            // inpainting blends every denoised prediction after CFG
            KDenoiser guided = blend == null ? cfg : (xIn, sigma) -> blend.apply(cfg.denoise(xIn, sigma));
            float[] sig = Arrays.copyOfRange(sigmas, fromStep, sigmas.length);
            // A1111 spans the Brownian tree over the whole schedule, also when img2img runs its tail
            NoiseSampler ns = s.brownianNoise()
                    ? new BrownianTreeNoiseSampler(sigmas, request.seeds(), x.length / request.seeds().length, request.rng())
                    : NoiseSampler.of(rng);
            out = KSampler.sample(s, guided, x, sig, options, ns, before);
        }
        int total = Math.max(reported[0], 1);
        callback.afterStep(total, total, last[0], last[1], out);
        return out;
    }
}
