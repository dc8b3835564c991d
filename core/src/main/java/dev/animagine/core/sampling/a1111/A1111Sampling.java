package dev.animagine.core.sampling.a1111;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One A1111 txt2img sampling run end to end ({@code processing.py} + {@code sd_samplers*}): the image
 * RNG's initial noise, the sigmas (or timesteps) of the sampler and schedule, the CFG denoiser around
 * the UNet, the sampler's noise (image RNG, or Brownian trees for the SDE samplers) and the sampler.
 * The caller supplies the UNet as a {@link ConditionedModel}: ε for the scaled input at a (fractional)
 * timestep, for the rows [prompt, negative] (or [prompt] alone) of every image in x.
 */
public final class A1111Sampling {
    private A1111Sampling() {}

    /**
     * @param latents      the final latents (batch, C, H, W), before 1/scaling factor and the VAE
     * @param initialNoise the unscaled first draw of the image RNG
     * @param sigmas       the sigmas run (empty for DDIM/UniPC)
     * @param timesteps    the timesteps run (DDIM/UniPC; empty otherwise)
     * @param infotext     what A1111 adds to the infotext for these choices (Schedule type, Eta, NGMS, …)
     * @param unetCalls    model evaluations (each one UNet batch)
     */
    public record Result(float[] latents, float[] initialNoise, float[] sigmas, int[] timesteps, Map<String, Object> infotext,
                         int unetCalls) {}

    /**
     * @param unetEps       the UNet: ε(x_in, t) per conditioning row
     * @param alphasCumprod the model's ᾱ table ({@link DiscreteSchedule#sdxlAlphasCumprod()} for SDXL, as A1111 has it)
     * @param channels      latent channels (4)
     * @param height        latent height (pixels / 8)
     * @param width         latent width (pixels / 8)
     * @param callback      per step, may stop the run; null for none
     */
    public static Result run(ConditionedModel unetEps, float[] alphasCumprod, int channels, int height, int width,
                             A1111Request r, StepCallback callback) {
        ImageRng rng = new ImageRng(r.rng(), channels, height, width, r.seeds(), r.subseeds(), r.subseedStrength(),
                r.resizeFromH(), r.resizeFromW(), r.ensd());
        float[] noise = rng.next();
        Map<String, Object> info = new LinkedHashMap<>();
        A1111Sampler s = r.sampler();
        if (s.timestepBased()) {
            CfgDenoiser cfg = new CfgDenoiser(unetEps, r.cfgScale(), r.sMinUncond(), r.sMinUncondAll());
            boolean discard = r.scheduleOptions().alwaysDiscardNextToLastSigma();
            if (discard) info.put("Discard penultimate sigma", true);
            int[] ts = TimestepSampler.timesteps(r.steps(), alphasCumprod.length, discard);
            if (s == A1111Sampler.DDIM && r.ddimEta() != 0) info.put("Eta DDIM", r.ddimEta());
            addNgms(info, r);
            float[] out = TimestepSampler.sample(s, cfg, noise, ts, alphasCumprod, r.ddimEta(), NoiseSampler.of(rng), callback);
            return new Result(out, noise, new float[0], ts, info, cfg.calls());
        }
        SigmaModel schedule;
        ConditionedModel denoiser;
        if (s == A1111Sampler.LCM) {
            LcmSchedule lcm = LcmSchedule.of(alphasCumprod);
            schedule = lcm;
            denoiser = new LcmDenoiser(unetEps, lcm);
        } else {
            schedule = new DiscreteSchedule(alphasCumprod);
            denoiser = new CompVisDenoiser(unetEps, schedule);
        }
        CfgDenoiser cfg = new CfgDenoiser(denoiser, r.cfgScale(), r.sMinUncond(), r.sMinUncondAll());
        SamplerSigmas sigmas = SamplerSigmas.of(s, r.schedule(), r.steps(), schedule, r.scheduleOptions());
        info.putAll(sigmas.infotext());
        SamplerOptions o = passedOptions(s, r.samplerOptions(), info);
        addNgms(info, r);
        float[] sig = sigmas.sigmas();
        float[] x = new float[noise.length];
        for (int i = 0; i < x.length; i++) x[i] = noise[i] * sig[0];
        NoiseSampler ns = s.brownianNoise()
                ? new BrownianTreeNoiseSampler(sig, r.seeds(), channels * height * width, r.rng())
                : NoiseSampler.of(rng);
        float[] out = KSampler.sample(s, cfg, x, sig, o, ns, callback);
        return new Result(out, noise, sig, new int[0], info, cfg.calls());
    }

    /**
     * The options A1111 actually hands the sampler function ({@code sampler_extra_params} and the functions'
     * signatures): eta to the ancestral and SDE samplers; churn, tmin and tmax to Euler, Heun and DPM2; s_noise
     * to those and to DPM2 a, DPM++ 2S a and the SDE samplers (not to Euler a, Restart or LCM, which keep 1).
     * Non-default values go into the infotext as A1111 names them.
     */
    static SamplerOptions passedOptions(A1111Sampler s, SamplerOptions o, Map<String, Object> info) {
        boolean eta = switch (s) {
            case EULER_A, DPM2_A, DPMPP_2S_A, DPMPP_SDE, DPMPP_2M_SDE, DPMPP_2M_SDE_HEUN, DPMPP_3M_SDE -> true;
            default -> false;
        };
        boolean churn = s == A1111Sampler.EULER || s == A1111Sampler.HEUN || s == A1111Sampler.DPM2;
        boolean noise = churn || switch (s) {
            case DPM2_A, DPMPP_2S_A, DPMPP_SDE, DPMPP_2M_SDE, DPMPP_2M_SDE_HEUN, DPMPP_3M_SDE -> true;
            default -> false;
        };
        if (eta && o.eta() != 1) info.put("Eta", o.eta());
        if (churn && o.sChurn() != 0) info.put("Sigma churn", o.sChurn());
        if (churn && o.sTmin() != 0) info.put("Sigma tmin", o.sTmin());
        if (churn && o.sTmax() != 0) info.put("Sigma tmax", o.sTmax());
        if (noise && o.sNoise() != 1) info.put("Sigma noise", o.sNoise());
        return new SamplerOptions(eta ? o.eta() : 1, noise ? o.sNoise() : 1, churn ? o.sChurn() : 0, churn ? o.sTmin() : 0,
                churn ? o.sTmax() : 0);
    }

    private static void addNgms(Map<String, Object> info, A1111Request r) {
        if (r.sMinUncond() != 0) info.put("NGMS", r.sMinUncond());
        if (r.sMinUncondAll()) info.put("NGMS all steps", true);
    }
}
