/**
 * Noise, schedules and samplers: everything between the seed and the denoiser, as pure float32 math.
 *
 * <ul>
 *   <li>{@link dev.animagine.core.sampling.TorchGenerator}: PyTorch's CPU {@code randn}/{@code rand} for a seed.</li>
 *   <li>{@link dev.animagine.core.sampling.Sampler} and {@link dev.animagine.core.sampling.ScheduleType}: the
 *       user-facing choices (ids, A1111 names), each creating a diffusers-compatible
 *       {@link dev.animagine.core.sampling.Scheduler} from a model's {@code scheduler_config.json}
 *       ({@link dev.animagine.core.sampling.SchedulerConfig}).</li>
 *   <li>The schedulers themselves, named after diffusers' classes (v0.27.2 semantics), on the shared
 *       training schedule {@link dev.animagine.core.sampling.NoiseSchedule}.</li>
 *   <li>{@link dev.animagine.core.sampling.KDiffusionSampling} and
 *       {@link dev.animagine.core.sampling.DiscreteEpsDDPMDenoiser}: k-diffusion's samplers (A1111/ComfyUI).</li>
 *   <li>{@link dev.animagine.core.sampling.Seeds}: seeds as users type them.</li>
 *   <li>{@code sampling.a1111}: AUTOMATIC1111's whole sampler stack (NV/CPU noise, schedule types, the
 *       k-diffusion samplers, DDIM/UniPC, CFG denoiser, Brownian tree) for A1111-compatible generation.</li>
 * </ul>
 */
package dev.animagine.core.sampling;
