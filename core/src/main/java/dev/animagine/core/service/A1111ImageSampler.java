package dev.animagine.core.service;

import dev.animagine.core.pipeline.GenerationRequest;
import dev.animagine.core.pipeline.Infotext;
import dev.animagine.core.pipeline.StableDiffusionXLPipeline;
import dev.animagine.core.sampling.DenoisingSampler;
import dev.animagine.core.sampling.BatchGenerators;
import dev.animagine.core.sampling.NormalNoise;
import dev.animagine.core.sampling.a1111.A1111DenoisingSampler;
import dev.animagine.core.sampling.a1111.A1111Request;
import dev.animagine.core.sampling.a1111.A1111Sampler;
import dev.animagine.core.sampling.a1111.DiscreteSchedule;
import dev.animagine.core.sampling.a1111.ImageRng;
import dev.animagine.core.sampling.a1111.RngSource;
import dev.animagine.core.sampling.a1111.SamplerOptions;
import dev.animagine.core.sampling.a1111.ScheduleOptions;

import java.util.List;
import java.util.Map;

/**
 * The A1111-mode sampler of one image, or of one batch of images, of a request: A1111's sampler and schedule, CFG denoiser,
 * image RNG (subseed, seed resize, ENSD) with A1111's batch numbering (image i: seed + i, or with a
 * variation strength seed and subseed + i), and the infotext entries A1111 writes for them.
 */
final class A1111ImageSampler implements StableDiffusionXLPipeline.SamplerFactory {
    private final ImageRequest request;
    private final ImageRequest.Resolved resolved;
    private final int index;
    private final A1111Sampler.Choice choice;
    private A1111DenoisingSampler last;

    private A1111ImageSampler(ImageRequest request, ImageRequest.Resolved resolved, int index, A1111Sampler.Choice choice) {
        this.request = request;
        this.resolved = resolved;
        this.index = index;
        this.choice = choice;
    }

    /** The factory for image {@code index} (or the batch starting there), or null in diffusers mode. */
    static A1111ImageSampler forImage(ImageRequest request, int index) {
        ImageRequest.Resolved r = request.resolve();
        return r.a1111() == null ? null : new A1111ImageSampler(request, r, index, r.a1111());
    }

    /**
     * The hires pass's factory ({@code sample_hr_pass}): the hires sampler if one is given, with the request's
     * schedule type (A1111's "Use same scheduler"), else the first pass's sampler; same seeds and RNG.
     */
    A1111ImageSampler hires() {
        HiresSettings h = request.hires();
        A1111Sampler.Choice c = h == null || h.sampler() == null ? choice : A1111Sampler.parse(h.sampler(), choice.schedule().label());
        return new A1111ImageSampler(request, resolved, index, c);
    }

    /** A1111's seed of image {@code index} (all_seeds): the same seed for every image when a variation strength is set. */
    static long imageSeed(ImageRequest request, long seed, int index) {
        return request.compat() == Compat.A1111 && request.sampling().subseedStrength() > 0 ? seed : seed + index;
    }

    @Override
    public DenoisingSampler create(GenerationRequest req, NormalNoise generator) {
        return createBatch(List.of(req), null);
    }

    /** The batch's sampler: A1111's image RNG and Brownian trees over the batch's seeds (and subseeds + i). */
    @Override
    public DenoisingSampler createBatch(List<GenerationRequest> batch, BatchGenerators generators) {
        GenerationRequest req = batch.getFirst();
        SamplingOptions o = request.sampling();
        A1111Sampler s = choice.sampler();
        boolean timesteps = s.timestepBased();
        double eta = o.eta() == null ? (timesteps ? 0 : 1) : o.eta();
        long[] seeds = batch.stream().mapToLong(GenerationRequest::seed).toArray();
        long[] subseeds = o.subseedStrength() == 0 ? null : ImageRng.batchSubseeds(o.subseed() + index, batch.size());
        A1111Request r = new A1111Request(s, choice.schedule(), resolved.rngSource(), seeds, subseeds,
                o.subseedStrength(), o.seedResizeFromH(), o.seedResizeFromW(), o.ensd(), req.steps(), req.cfgScale(), o.sMinUncond(),
                o.sMinUncondAll(), new SamplerOptions(timesteps ? 1 : eta, o.sNoise(), o.sChurn(), o.sTmin(), o.sTmax()),
                new ScheduleOptions(o.sigmaMin(), o.sigmaMax(), o.rho(), o.discardPenultimateSigma(), false, o.betaAlpha(), o.betaBeta()),
                timesteps ? eta : 0);
        last = new A1111DenoisingSampler(r, DiscreteSchedule.sdxlAlphasCumprod()).cfgCutoff(req.savings().cfgCutoff());
        return last;
    }

    /**
     * A1111's infotext for this image: its sampler and schedule names (no Schedule type when the sampler's
     * own sigmas ran), Variation seed, Seed resize from, ENSD and RNG as A1111 writes them (RNG omitted for
     * GPU, A1111's default), and the sampler's non-default settings.
     */
    void addInfotext(Infotext t) {
        addInfotext(t, 0);
    }

    /** The infotext of image {@code offset} of the batch. */
    void addInfotext(Infotext t, int offset) {
        Map<String, String> p = t.params();
        A1111Sampler s = choice.sampler();
        t.put("Sampler", s.label());
        Map<String, Object> info = last == null ? Map.of() : last.infotext();
        if (info.containsKey("Schedule type")) t.put("Schedule type", info.get("Schedule type"));
        else p.remove("Schedule type");
        String version = p.remove("Version");
        p.remove("RNG");
        SamplingOptions o = request.sampling();
        if (o.subseedStrength() != 0) {
            t.put("Variation seed", o.subseed() + index + offset);
            t.put("Variation seed strength", o.subseedStrength());
        }
        if (o.seedResizeFromW() > 0 && o.seedResizeFromH() > 0) t.put("Seed resize from", o.seedResizeFromW() + "x" + o.seedResizeFromH());
        if (o.ensd() != 0 && s.usesEnsd()) t.put("ENSD", o.ensd());
        if (resolved.rngSource() != RngSource.GPU) t.put("RNG", resolved.rngSource().a1111Name());
        info.forEach((k, v) -> {
            if (!k.equals("Schedule type")) t.put(k, v instanceof Boolean b ? (b ? "True" : "False") : v);
        });
        if (version != null) t.put("Version", version);
    }
}
