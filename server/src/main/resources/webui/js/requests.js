// Turns the form into request bodies. Plain txt2img goes to the native job API (queued at once,
// followed through server-sent events, survives a page reload). What the native API does not take
// (img2img, inpainting, hires fix) goes to A1111's /sdapi/v1 routes with the same A1111 fields a
// script would send, under a task id of our choosing so it can be followed and cancelled like a job.

/** The native job body: the prompt part from the builder plus the sampling fields. */
export function nativeJob(promptPart, p) {
  return {
    ...promptPart,
    sampler: p.sampler,
    schedule: p.scheduler,
    steps: p.steps,
    cfg_scale: p.cfgScale,
    seed: p.seed,
    batch_count: p.batchCount,
  };
}

/** {path, body} of the A1111 request for the same prompt part, parameters and source image fields. */
export function a1111Request(promptPart, p, source) {
  const body = {
    prompt: promptPart.prompt,
    negative_prompt: promptPart.negative_prompt,
    width: promptPart.width,
    height: promptPart.height,
    sampler_name: p.sampler,
    scheduler: p.scheduler,
    steps: p.steps,
    cfg_scale: p.cfgScale,
    seed: p.seed,
    batch_size: 1,
    n_iter: p.batchCount,
    send_images: false,
    save_images: true,
  };
  // A1111's API uses the prompt as sent unless the animagine object asks for the conventions.
  if (promptPart.animagine) body.animagine = promptPart.animagine;
  if (p.hires && !source) {
    body.enable_hr = true;
    body.hr_scale = p.hires.scale;
    body.hr_upscaler = p.hires.upscaler;
    body.hr_second_pass_steps = p.hires.steps;
    body.denoising_strength = p.hires.denoisingStrength;
  }
  if (source) Object.assign(body, source);
  return {path: source ? '/sdapi/v1/img2img' : '/sdapi/v1/txt2img', body};
}

/** True when the native job API can run the request. */
export function isNative(p, source) {
  return !source && !p.hires;
}
