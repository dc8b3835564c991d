// Sampling, seed, batch and hires fields: filled from the server's lists, read into A1111 request
// fields, and set from parameters read from an image.
import {$, el} from './dom.js';
import {api} from './api.js';

// The Animagine space's upscale: latents x1.5, nearest-exact, strength 0.55.
// The sampler every Animagine card recommends.
const DEFAULT_SAMPLER = 'Euler a';
const ANIMAGINE_UPSCALE = {scale: 1.5, upscaler: 'Latent (nearest-exact)', denoisingStrength: 0.55};
// The extras' "off" values: what an infotext without their keys means.
const EXTRAS_OFF = {deepCache: 0, cfgCutoff: 1, subseed: -1, subseedStrength: 0, seedResizeWidth: 0, seedResizeHeight: 0};
const EXTRAS_IDS = {batchSize: 'batch-size', deepCache: 'deepcache', cfgCutoff: 'cfg-cutoff', subseed: 'subseed',
  subseedStrength: 'subseed-strength', seedResizeWidth: 'seed-resize-w', seedResizeHeight: 'seed-resize-h'};

export class Parameters {
  /** lastSeed() gives the newest image's seed for the seed's reuse button. */
  constructor(sizes, lastSeed) {
    this.sizes = sizes;
    $('seed-random').addEventListener('click', () => { $('seed').value = -1; });
    $('seed-reuse').addEventListener('click', () => {
      const seed = lastSeed();
      if (seed != null) $('seed').value = seed;
    });
    $('hr-preset').addEventListener('click', () => this.applyHires(ANIMAGINE_UPSCALE, true));
  }

  async load() {
    const [samplers, schedulers, upscalers, latentModes] = await Promise.all([
      api.samplers(), api.schedulers(), api.upscalers().catch(() => []), api.latentUpscaleModes().catch(() => []),
    ]);
    fill($('sampler'), samplers.map((s) => [s.name, s.name]));
    selectByText($('sampler'), DEFAULT_SAMPLER);
    fill($('scheduler'), schedulers.map((s) => [s.name, s.label ?? s.name]));
    // A1111's hires choices: the latent modes, then the image upscalers (None = a plain Lanczos resize)
    const hires = [...latentModes.map((m) => m.name), ...upscalers.map((u) => u.name)];
    if (!hires.includes(ANIMAGINE_UPSCALE.upscaler)) hires.unshift(ANIMAGINE_UPSCALE.upscaler);
    fill($('hr-upscaler'), [...new Set(hires)].map((n) => [n, n]));
    $('hr-upscaler').value = ANIMAGINE_UPSCALE.upscaler;
  }

  /** The values of these controls; requests.js turns them into native or A1111 fields. */
  collect() {
    const hires = $('hr-enabled').checked ? {
      scale: Number($('hr-scale').value),
      upscaler: $('hr-upscaler').value,
      steps: Number($('hr-steps').value),
      denoisingStrength: Number($('hr-denoise').value),
    } : null;
    return {
      sampler: $('sampler').value,
      scheduler: $('scheduler').value,
      steps: Number($('steps').value),
      cfgScale: Number($('cfg').value),
      seed: Number($('seed').value),
      batchCount: Number($('batch-count').value),
      hires,
      extras: collectExtras(),
    };
  }

  /** Sets the controls from parsed parameters (see infotext.js); fields not given stay as they are. */
  apply(p) {
    if (p.sampler) selectByText($('sampler'), p.sampler);
    if (p.scheduler) selectByText($('scheduler'), p.scheduler);
    if (p.steps != null) $('steps').value = p.steps;
    if (p.cfgScale != null) $('cfg').value = p.cfgScale;
    if (p.seed != null) $('seed').value = p.seed;
    if (p.width && p.height) this.sizes.set(p.width, p.height);
    if (p.hires) this.applyHires(p.hires, true);
    else $('hr-enabled').checked = false;
    this.applyExtras(p);
  }

  /** Infotext writes DeepCache, CFG cutoff, variation seed and seed resize only when on: absent means off. */
  applyExtras(p) {
    let on = false;
    for (const [key, off] of Object.entries(EXTRAS_OFF)) {
      const value = p[key] ?? off;
      $(EXTRAS_IDS[key]).value = value;
      if (value !== off) on = true;
    }
    if (on) $('extras-group').open = true;
  }

  applyHires(h, enable) {
    if (h.scale != null) $('hr-scale').value = h.scale;
    if (h.upscaler) selectByText($('hr-upscaler'), h.upscaler, true);
    if (h.steps != null) $('hr-steps').value = h.steps;
    if (h.denoisingStrength != null) $('hr-denoise').value = h.denoisingStrength;
    $('hr-enabled').checked = enable;
    $('hires-group').open = true;
  }
}

/** The extras' values; a value outside its field's range stops the request with the field's label. */
function collectExtras() {
  const extras = {};
  for (const [key, id] of Object.entries(EXTRAS_IDS)) {
    const input = $(id);
    const v = input.validity;
    // a fraction off the spinner's step (CFG cutoff 0.33 from an infotext) is fine; a fractional count is not
    const bad = input.value === '' || v.badInput || v.rangeUnderflow || v.rangeOverflow || (v.stepMismatch && !input.step.includes('.'));
    if (bad) {
      const label = input.parentElement.firstChild.textContent.trim();
      throw new Error(`${label}: ${input.validationMessage || 'a number is required'} (got '${input.value}')`);
    }
    extras[key] = Number(input.value);
  }
  return extras;
}

function fill(select, entries) {
  select.replaceChildren(...entries.map(([value, text]) => el('option', {value, textContent: text})));
}

/** Selects the option whose value or label is `text` (case-insensitive); adds it when asked. */
function selectByText(select, text, add = false) {
  const wanted = String(text).toLowerCase();
  const option = [...select.options].find((o) => o.value.toLowerCase() === wanted || o.text.toLowerCase() === wanted);
  if (option) {
    select.value = option.value;
  } else if (add) {
    select.append(el('option', {value: text, textContent: text}));
    select.value = text;
  }
}
