package dev.animagine.core.sampling;

/**
 * The one sampler contract, k-diffusion style: a sampler walks its list of noise levels from the
 * latents it is given, calling the noise-predicting model at each, and returns the clean latents.
 * The diffusers schedulers ({@link DiffusersSampler}) and the k-diffusion samplers
 * ({@link KDiffusionSampler}) both implement it, so the pipeline has one loop for every sampler.
 * <p>
 * An instance serves one run of one image or of a batch (latents concatenated along the first axis;
 * the update math is element-wise, so a batch gives each image what a run of its own would):
 * multistep samplers remember earlier model outputs, ancestral ones draw noise from the run's
 * generator(s).
 */
public interface DenoisingSampler {
    /** The model timestep of each step. */
    float[] timesteps();

    /**
     * The noise level of each step followed by the final one (k-diffusion's sigma list); for DDIM,
     * the σ equivalent of each step's ᾱ.
     */
    float[] sigmas();

    /** Steps of the whole schedule. */
    default int steps() {
        return timesteps().length;
    }

    /**
     * The unit-variance noise of a txt2img run, shape [batch, channels, height, width]: by default drawn
     * from the run's generator (per image from its own for {@link BatchGenerators}); samplers with their
     * own noise source (A1111's image RNG) override it.
     */
    default float[] initialNoise(int[] shape, NormalNoise generator) {
        float[] noise = new float[Math.multiplyExact(Math.multiplyExact(shape[0], shape[1]), Math.multiplyExact(shape[2], shape[3]))];
        generator.fillNormal(noise);
        return noise;
    }

    /** txt2img: the starting latents for unit-variance noise (noise · the first step's scale). */
    float[] startFromNoise(float[] noise);

    /**
     * img2img: clean latents noised to the level of step {@code step}, as the sampler's library does it
     * (diffusers' {@code add_noise} at {@code timesteps[step]}; k-diffusion's x0 + noise · σ).
     */
    float[] addNoise(float[] original, float[] noise, int step);

    /**
     * Runs steps {@code fromStep} .. {@code steps() - 1} on {@code x} (which is not modified) and
     * returns the final latents. {@code fromStep > 0} starts part-way, as img2img does (diffusers'
     * {@code set_begin_index}).
     */
    float[] sample(EpsModel model, float[] x, int fromStep, StepCallback callback);
}
