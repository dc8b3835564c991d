// Turns the form into request bodies. Every request goes to the native job API (queued at once,
// followed through server-sent events, survives a page reload), which takes A1111's img2img,
// inpainting and hires-fix fields as they are. a1111Request builds the same request for A1111's
// /sdapi/v1 routes, as a script would send it.

/** The native job body: the prompt part from the builder, the sampling fields, hires or the source image fields. */
export function nativeJob(promptPart, p, source) {
  const body = {
    ...promptPart,
    sampler: p.sampler,
    schedule: p.scheduler,
    steps: p.steps,
    cfg_scale: p.cfgScale,
    seed: p.seed,
    batch_count: p.batchCount,
  };
  Object.assign(body, extraFields(p.extras));
  if (p.hires && !source) Object.assign(body, hiresFields(p.hires));
  if (source) Object.assign(body, source);
  return body;
}

/**
 * Batch size, DeepCache, CFG cutoff, variation seed and seed resize: sent only when on, so that a
 * request with them off is the one it was before they existed. Both APIs take the same names.
 */
export function extraFields(extras) {
  const fields = {};
  if (!extras) return fields;
  if (extras.batchSize > 1) fields.batch_size = extras.batchSize;
  if (extras.deepCache > 0) fields.deepcache_interval = extras.deepCache;
  if (extras.cfgCutoff < 1) fields.cfg_cutoff = extras.cfgCutoff;
  if (extras.subseedStrength > 0) {
    fields.subseed = extras.subseed;
    fields.subseed_strength = extras.subseedStrength;
  }
  if (extras.seedResizeWidth > 0 && extras.seedResizeHeight > 0) {
    fields.seed_resize_from_w = extras.seedResizeWidth;
    fields.seed_resize_from_h = extras.seedResizeHeight;
  }
  return fields;
}

function hiresFields(hires) {
  return {
    enable_hr: true,
    hr_scale: hires.scale,
    hr_upscaler: hires.upscaler,
    hr_second_pass_steps: hires.steps,
    denoising_strength: hires.denoisingStrength,
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
  Object.assign(body, extraFields(p.extras));
  // A1111's API uses the prompt as sent unless the animagine object asks for the conventions.
  if (promptPart.animagine) body.animagine = promptPart.animagine;
  if (p.hires && !source) Object.assign(body, hiresFields(p.hires));
  if (source) Object.assign(body, source);
  return {path: source ? '/sdapi/v1/img2img' : '/sdapi/v1/txt2img', body};
}

/** True when the native job API can run the request: always, since it takes img2img, inpainting and hires. */
export function isNative(p, source) {
  return true;
}
