/**
 * AUTOMATIC1111's sampling stack (v1.10.1, with the k-diffusion and torchsde versions it pins) as library
 * code: seeded noise, schedule types, samplers and the CFG denoiser, numerically faithful to A1111.
 *
 * <ul>
 *   <li>Noise: {@link dev.animagine.core.sampling.a1111.RngSource} (cpu / gpu / nv),
 *       {@link dev.animagine.core.sampling.a1111.PhiloxGenerator} (NV), and
 *       {@link dev.animagine.core.sampling.a1111.ImageRng} (variation seeds, resize-from, ENSD, batch seeds).</li>
 *   <li>Schedules: {@link dev.animagine.core.sampling.a1111.SigmaSchedule} over a model wrapper
 *       ({@link dev.animagine.core.sampling.a1111.DiscreteSchedule}, {@link dev.animagine.core.sampling.a1111.LcmSchedule}),
 *       and {@link dev.animagine.core.sampling.a1111.SamplerSigmas} (A1111's {@code get_sigmas}).</li>
 *   <li>Samplers: {@link dev.animagine.core.sampling.a1111.A1111Sampler} (names and options),
 *       {@link dev.animagine.core.sampling.a1111.KSampler} (σ samplers over a
 *       {@link dev.animagine.core.sampling.KDenoiser}), {@link dev.animagine.core.sampling.a1111.TimestepSampler}
 *       (DDIM, UniPC), {@link dev.animagine.core.sampling.a1111.BrownianTreeNoiseSampler} (SDE noise).</li>
 *   <li>Guidance: {@link dev.animagine.core.sampling.a1111.CfgDenoiser} around
 *       {@link dev.animagine.core.sampling.a1111.CompVisDenoiser} / {@link dev.animagine.core.sampling.a1111.LcmDenoiser}.</li>
 *   <li>All of it composed: {@link dev.animagine.core.sampling.a1111.A1111Sampling#run}.</li>
 * </ul>
 */
package dev.animagine.core.sampling.a1111;
