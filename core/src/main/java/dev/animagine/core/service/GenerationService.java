package dev.animagine.core.service;

import dev.animagine.core.InvalidRequestException;
import dev.animagine.core.animagine.PromptBuilder;
import dev.animagine.core.animagine.PromptRequest;
import dev.animagine.core.animagine.PromptResult;
import dev.animagine.core.animagine.TokenCounter;
import dev.animagine.core.animagine.Wildcards;
import dev.animagine.core.io.Checkpoint;
import dev.animagine.core.io.CheckpointOptions;
import dev.animagine.core.lora.LoraStack;
import dev.animagine.core.pipeline.GenerationRequest;
import dev.animagine.core.pipeline.StepSavings;
import dev.animagine.core.pipeline.ImageOutput;
import dev.animagine.core.pipeline.ImageResult;
import dev.animagine.core.pipeline.ImageToImage;
import dev.animagine.core.pipeline.ImageToImageRequest;
import dev.animagine.core.pipeline.RunHooks;
import dev.animagine.core.pipeline.Stage;
import dev.animagine.core.pipeline.StableDiffusionXLPipeline;
import dev.animagine.core.sampling.Sampler;
import dev.animagine.core.sampling.ScheduleType;
import dev.animagine.core.sampling.Seeds;
import dev.animagine.core.text.A1111Settings;
import dev.animagine.core.text.EmphasisMode;
import dev.animagine.core.text.PromptMode;
import dev.animagine.core.text.SdxlTokenizers;
import dev.animagine.core.text.TokenizerLocator;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The engine behind every front end: one loaded checkpoint, and {@link #generate} turning a complete
 * {@link ImageRequest} into images with their infotext. The Animagine conventions (template, quality
 * tags, default negative, trained sizes) are applied here, so the command line, the HTTP APIs and the
 * batch jobs make the same image from the same request.
 * <p>
 * <b>Concurrency.</b> The loaded model is immutable and shared; everything a run owns (activation
 * buffers, generator, text K/V cache, sampler state) is created per image and dropped after it. One
 * run computes at a time, using every core; a second caller of {@code generate} waits, in arrival
 * order, until the running request has finished (its {@link RunControl} can cancel it meanwhile).
 * {@link #prepare} needs no lock and answers at once.
 */
public final class GenerationService implements AutoCloseable {
    private final Checkpoint checkpoint;
    private final boolean ownsCheckpoint;
    private final StableDiffusionXLPipeline pipeline;
    private final ReentrantLock running = new ReentrantLock(true);
    /** A1111 short hashes of adapter files by path, size and modification time (hashing 200 MB takes a while). */
    private final Map<String, String> loraHashes = new ConcurrentHashMap<>();

    /** A service over an open checkpoint the caller keeps ownership of. */
    public GenerationService(Checkpoint checkpoint, SdxlTokenizers tokenizers) {
        this(checkpoint, tokenizers, false);
    }

    private GenerationService(Checkpoint checkpoint, SdxlTokenizers tokenizers, boolean owns) {
        this.checkpoint = checkpoint;
        this.ownsCheckpoint = owns;
        this.pipeline = new StableDiffusionXLPipeline(checkpoint, tokenizers);
    }

    /**
     * Opens a checkpoint and finds its CLIP vocabulary (beside the model, {@code tokenizerDir}, the
     * {@code --config} folder, {@code $ANIMAGINE_TOKENIZER}, the Hugging Face cache, then the copy
     * shipped with the engine). Closing the service closes the checkpoint.
     */
    public static GenerationService open(Path model, CheckpointOptions options, Path tokenizerDir) {
        Checkpoint ckpt = Checkpoint.open(model, options);
        try {
            Path dir = tokenizerDir == null && options.configDirectory() != null && TokenizerLocator.hasTokenizer(options.configDirectory())
                    ? options.configDirectory() : tokenizerDir;
            return new GenerationService(ckpt, TokenizerLocator.find(ckpt.path(), dir), true);
        } catch (RuntimeException e) {
            ckpt.close();
            throw e;
        }
    }

    public Checkpoint checkpoint() {
        return checkpoint;
    }

    public StableDiffusionXLPipeline pipeline() {
        return pipeline;
    }

    public SdxlTokenizers tokenizers() {
        return pipeline.tokenizers();
    }

    /** CLIP token count of a text with the first tokenizer (the A1111 counter's basis). */
    public TokenCounter tokenCounter() {
        SdxlTokenizers tok = pipeline.tokenizers();
        return text -> tok.first().encode(text).length;
    }

    /**
     * Resolves a request without computing anything: validates every field (errors name the field,
     * e.g. {@code steps must be at least 1 (got 0)}), applies the Animagine conventions, picks the
     * seed. The result can be shown to the user and then passed to {@link #generate(PreparedRequest, RunControl)}.
     */
    public PreparedRequest prepare(ImageRequest request) {
        ImageRequest.Resolved r = request.validate().resolve();
        Sampler sampler = r.sampler();
        ScheduleType schedule = r.schedule();
        EmphasisMode emphasis = r.emphasis();
        boolean diffusers = request.compat() == Compat.DIFFUSERS;
        boolean seedPicked = request.randomSeed();
        long seed = seedPicked ? Seeds.resolve("-1") : request.seed();
        if (request.sampling().subseed() == -1 && request.sampling().subseedStrength() != 0)
            request = request.toBuilder().sampling(request.sampling().withSubseed(Seeds.resolve("-1"))).build();

        ImageInputs.Decoded decoded = ImageInputs.decode(request);
        PromptResult built = new PromptBuilder(tokenCounter()).build(promptRequest(request, seed, decoded.defaultSize()));
        int w = built.width(), h = built.height();
        ImageRequest.checkSize("size", new dev.animagine.core.animagine.ImageSize(w, h));
        int ow = request.originalWidth() == 0 ? w : request.originalWidth();
        int oh = request.originalHeight() == 0 ? h : request.originalHeight();
        int tw = request.targetWidth() == 0 ? w : request.targetWidth();
        int th = request.targetHeight() == 0 ? h : request.targetHeight();
        String negative = built.negativePrompt().isEmpty() && request.negativePrompt() == null ? null : built.negativePrompt();
        A1111Settings a1111 = new A1111Settings(emphasis, A1111Settings.DEFAULTS.commaPaddingBacktrack());
        RequestLoras.Resolved loras = RequestLoras.resolve(request, built.prompt(), checkpoint.path());
        List<String> loraWarnings = RequestLoras.check(checkpoint.architecture(), loras.loras());
        List<GenerationRequest> images = new ArrayList<>();
        for (int i = 0; i < request.imageCount(); i++) {
            images.add(new GenerationRequest(loras.prompt(), negative, w, h, request.steps(), request.cfgScale(), sampler, schedule,
                    A1111ImageSampler.imageSeed(request, seed, i), diffusers ? PromptMode.DIFFUSERS : PromptMode.A1111, a1111, request.clipSkip(), ow, oh,
                    request.cropTop(), request.cropLeft(), tw, th).withSavings(new StepSavings(request.deepCacheInterval(), request.cfgCutoff())));
        }
        ImageToImageRequest inputs = ImageInputs.toPipeline(request, decoded);
        return new PreparedRequest(request, built, seed, seedPicked, images, inputs, loras.loras(), loraWarnings);
    }

    /**
     * The Animagine prompt request: conventions always apply in A1111 mode; in diffusers mode (which
     * reproduces diffusers, prompts as sent) only when an Animagine option is given explicitly; never
     * for a verbatim request.
     */
    private PromptRequest promptRequest(ImageRequest r, long seed, dev.animagine.core.animagine.ImageSize initSize) {
        boolean diffusers = r.compat() == Compat.DIFFUSERS;
        AnimagineSettings a = r.animagine();
        boolean conventions = !r.verbatim() && (!diffusers || a.anyGiven() || Wildcards.hasPlaceholder(r.prompt()));
        return PromptRequest.builder()
                .tags(r.prompt())
                .version(a.version())
                .model(checkpoint.path().toString())
                .quality(a.quality() == null ? !diffusers : a.quality())
                .defaultNegative(a.defaultNegative() == null ? !diffusers : a.defaultNegative())
                .negative(r.negativePrompt())
                .rating(a.rating())
                .year(a.year())
                .character(a.character())
                .series(a.series())
                .wildcards(a.wildcards() == null ? Wildcards.none() : a.wildcards())
                .seed(seed)
                .aspect(a.aspect())
                .size(r.size() == null && a.aspect() == null ? initSize : r.size())
                .diffusersCompat(diffusers)
                .verbatim(!conventions)
                .build();
    }

    /** {@link #prepare} then {@link #generate(PreparedRequest, RunControl)}. */
    public GenerationResult generate(ImageRequest request, RunControl control) {
        return generate(prepare(request), control);
    }

    /**
     * Makes the request's images, {@code batchSize} at a time through each UNet evaluation, batch after
     * batch. Waits while another request runs. Returns when every image is done or skipped (a skip ends
     * the current batch, as in A1111), or when the run was cancelled (with the images finished before).
     * img2img, inpainting and hires make their images one at a time whatever the batch size (the same
     * images, not faster).
     */
    public GenerationResult generate(PreparedRequest prepared, RunControl control) {
        running.lock();
        // the request's adapters over the shared base models, for this request only (closed below)
        LoraStack loras = null;
        try {
            loras = RequestLoras.open(checkpoint.architecture(), prepared.loras());
            StableDiffusionXLPipeline run = loras == null ? pipeline : pipeline.withAdapters(loras);
            String hashes = RequestLoras.infotextHashes(loras, prepared.loras(), loraHashes);
            List<GeneratedImage> done = new ArrayList<>();
            int n = prepared.images().size();
            int size = prepared.imageInputs() == null ? prepared.request().batchSize() : 1;
            for (int start = 0; start < n; start += size) {
                if (control.cancelled()) {
                    control.emit(new GenerationEvent.RunCancelled(start, n));
                    return new GenerationResult(done, prepared, GenerationResult.Status.CANCELLED);
                }
                List<GenerationRequest> batch = prepared.images().subList(start, Math.min(n, start + size));
                try {
                    Hooks hooks = new Hooks(control, start, n);
                    // A1111's samplers and seeds in A1111 mode (txt2img, img2img, inpainting, hires); diffusers' schedulers otherwise
                    A1111ImageSampler a1111 = A1111ImageSampler.forImage(prepared.request(), start);
                    StableDiffusionXLPipeline.SamplerFactory samplers = a1111 != null ? a1111 : run::diffusersSampler;
                    StableDiffusionXLPipeline.SamplerFactory hiresSamplers = a1111 != null ? a1111.hires() : run::diffusersSampler;
                    // img2img, inpainting and hires: one image at a time (a batch of 1)
                    List<ImageResult> results = prepared.imageInputs() != null
                            ? List.of(new ImageToImage(run).generate(batch.getFirst(), prepared.imageInputs(), samplers, hiresSamplers, hooks))
                            : run.generateBatch(batch, samplers, hooks);
                    control.checkpoint(); // a cancel or skip during the VAE decode drops the batch too
                    for (int k = 0; k < results.size(); k++) {
                        ImageResult r = results.get(k);
                        GenerationRequest req = batch.get(k);
                        dev.animagine.core.pipeline.Infotext info = ImageOutput.infotext(r, checkpoint);
                        if (a1111 != null) a1111.addInfotext(info, k);
                        String parameters = RequestLoras.withHashes(ImageInputs.infotext(info, prepared.request(), prepared.imageInputs()), hashes).format();
                        GeneratedImage image = new GeneratedImage(start + k, req.seed(), req.prompt(),
                                req.negativePrompt() == null ? "" : req.negativePrompt(), parameters, r);
                        done.add(image);
                        control.emit(new GenerationEvent.ImageFinished(start + k, n, image));
                    }
                } catch (RunControl.RunInterruptedException e) {
                    if (e.cancel) {
                        control.emit(new GenerationEvent.RunCancelled(start, n));
                        return new GenerationResult(done, prepared, GenerationResult.Status.CANCELLED);
                    }
                    for (int k = 0; k < batch.size(); k++) control.emit(new GenerationEvent.ImageSkipped(start + k, n));
                }
            }
            return new GenerationResult(done, prepared, GenerationResult.Status.DONE);
        } finally {
            if (loras != null) loras.close();
            running.unlock();
        }
    }

    /**
     * The A1111 short hash of each LoRA a prepared request applies, by the name its prompt uses (for
     * checking pasted parameters' {@code Lora hashes} against what is loaded).
     */
    public Map<String, String> loraHashes(PreparedRequest prepared) {
        return RequestLoras.hashesByName(prepared.loras(), loraHashes);
    }

    /** Whether a request is computing now. */
    public boolean busy() {
        return running.isLocked();
    }

    @Override
    public void close() {
        if (ownsCheckpoint) checkpoint.close();
    }

    /** Turns the pipeline's hooks into the caller's events and checks for cancel / skip. */
    private static final class Hooks implements RunHooks {
        private final RunControl control;
        private final int image, images;
        private long stepStart = System.nanoTime();
        private long loopStart;

        Hooks(RunControl control, int image, int images) {
            this.control = control;
            this.image = image;
            this.images = images;
        }

        @Override
        public void stageStarted(Stage stage) {
            // a cancel during the last evaluation (or a VAE encode) must not be followed by the next stage
            if (stage != Stage.TEXT_ENCODING) control.checkpoint();
            if (stage == Stage.DENOISING || stage == Stage.HIRES) loopStart = stepStart = System.nanoTime();
            control.emit(new GenerationEvent.PhaseStarted(image, images, stage));
        }

        @Override
        public void beforeEvaluation() {
            control.checkpoint();
        }

        @Override
        public void afterStep(int step, int total, float sigma, float timestep, float[] latents, int[] shape) {
            long now = System.nanoTime();
            double perStep = (now - stepStart) / 1e9;
            double mean = (now - loopStart) / 1e9 / step;
            stepStart = now;
            control.emit(new GenerationEvent.StepDone(image, images, step, total, sigma, timestep, perStep, mean * (total - step),
                    new GenerationEvent.LatentSnapshot(latents, shape[1], shape[2], shape[3])));
        }
    }
}
