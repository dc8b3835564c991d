// Reads shared generation parameters into one shape the form understands:
// A1111/Forge infotext ("prompt\nNegative prompt: ...\nSteps: 28, Sampler: Euler a, ...")
// and the Animagine space's JSON ({"prompt", "resolution": "832 x 1216", "use_upscaler": {...}}).

// One "Key: value" pair of the last line; values with ',' ':' or newlines are JSON-quoted.
const PAIR = /\s*(\w[\w \-/+]*):\s*("(?:\\.|[^\\"])*"|[^,]*)(?:,|$)/g;
const SIZE = /^(\d+)\s*x\s*(\d+)$/;

/** The parameters of an infotext or space JSON; null when the text holds neither. */
export function parseParameters(text) {
  if (text == null) return null;
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      return fromSpaceJson(JSON.parse(trimmed));
    } catch {
      // Not JSON after all: read it as infotext.
    }
  }
  return fromInfotext(text);
}

/** A1111's layout: prompt lines, "Negative prompt:" lines, then one line of at least three pairs. */
export function fromInfotext(text) {
  const lines = text.trim().split('\n');
  let pairs = {};
  if (lines.length > 0) {
    const last = parsePairs(lines[lines.length - 1]);
    if (Object.keys(last).length >= 3) {
      pairs = last;
      lines.pop();
    }
  }
  const promptLines = [];
  const negativeLines = [];
  let inNegative = false;
  for (const line of lines) {
    if (!inNegative && line.startsWith('Negative prompt:')) {
      inNegative = true;
      negativeLines.push(line.slice('Negative prompt:'.length).trim());
    } else {
      (inNegative ? negativeLines : promptLines).push(line);
    }
  }
  const result = {
    source: 'infotext',
    prompt: promptLines.join('\n').trim(),
    negativePrompt: negativeLines.join('\n').trim(),
    raw: pairs,
  };
  Object.assign(result, fromPairs(pairs));
  return result;
}

export function parsePairs(line) {
  const pairs = {};
  for (const match of line.matchAll(PAIR)) {
    const key = match[1].trim();
    let value = match[2].trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) {
      try {
        value = JSON.parse(value);
      } catch {
        value = value.slice(1, -1);
      }
    }
    pairs[key] = value;
  }
  return pairs;
}

function number(value) {
  if (value == null || value === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

function size(value) {
  const match = value == null ? null : SIZE.exec(String(value).trim());
  return match ? {width: Number(match[1]), height: Number(match[2])} : {};
}

function fromPairs(p) {
  const {width, height} = firstPassSize(p);
  const {sampler, scheduler} = samplerAndSchedule(p.Sampler, p['Schedule type']);
  const out = {
    steps: number(p.Steps),
    sampler,
    scheduler,
    cfgScale: number(p['CFG scale']),
    seed: number(p.Seed),
    width,
    height,
    model: p.Model,
    denoisingStrength: number(p['Denoising strength']),
    maskBlur: number(p['Mask blur']),
    // this engine's step savings and A1111's variation seed, written only when on
    deepCache: number(p.DeepCache),
    cfgCutoff: number(p['CFG cutoff']),
    subseed: number(p['Variation seed']),
    subseedStrength: number(p['Variation seed strength']),
  };
  const seedResize = size(p['Seed resize from']);
  if (seedResize.width > 0 && seedResize.height > 0) {
    out.seedResizeWidth = seedResize.width;
    out.seedResizeHeight = seedResize.height;
  }
  if (p['Hires upscale'] != null || p['Hires upscaler'] != null || p['Hires resize'] != null) {
    out.hires = {
      scale: number(p['Hires upscale']),
      upscaler: p['Hires upscaler'],
      steps: number(p['Hires steps']),
      denoisingStrength: number(p['Denoising strength']),
    };
  }
  return out;
}

/**
 * The image size. A1111's first hires fix (2022) wrote the final size as Size and the first pass as
 * "First pass size", 0x0 meaning the size of about 512x512 pixels of the same shape that it picked.
 */
function firstPassSize(p) {
  const final = size(p.Size);
  if (p['First pass size'] == null || final.width == null) return final;
  const first = size(p['First pass size']);
  if (first.width > 0 && first.height > 0) return first;
  const scale = Math.sqrt((512 * 512) / (final.width * final.height));
  return {
    width: Math.ceil((scale * final.width) / 64) * 64,
    height: Math.ceil((scale * final.height) / 64) * 64,
  };
}

/**
 * A1111's schedule type labels. Before "Schedule type" existed (1.9), the schedule was part of the
 * sampler's name: "DPM++ 2M Karras" is DPM++ 2M on the Karras schedule.
 */
const SCHEDULE_LABELS = ['Automatic', 'Uniform', 'Karras', 'Exponential', 'Polyexponential', 'SGM Uniform',
  'KL Optimal', 'Align Your Steps', 'Simple', 'Normal', 'DDIM', 'Beta'].sort((a, b) => b.length - a.length);

export function samplerAndSchedule(sampler, schedule) {
  if (!sampler) return {sampler, scheduler: schedule};
  if (schedule) return {sampler, scheduler: schedule};
  for (const label of SCHEDULE_LABELS) {
    if (sampler.endsWith(' ' + label)) return {sampler: sampler.slice(0, -label.length - 1), scheduler: label};
  }
  return {sampler, scheduler: 'Automatic'};
}

/** The Animagine space writes its settings as JSON (see the space's utils.save_image). */
export function fromSpaceJson(json) {
  if (json == null || typeof json !== 'object' || !('prompt' in json)) return null;
  const {width, height} = size(String(json.resolution ?? '').replace(/\s/g, ''));
  const {sampler, scheduler} = samplerAndSchedule(json.sampler, null);
  const out = {
    source: 'animagine-space',
    prompt: json.prompt ?? '',
    negativePrompt: json.negative_prompt ?? '',
    steps: number(json.num_inference_steps),
    sampler,
    scheduler,
    cfgScale: number(json.guidance_scale),
    seed: number(json.seed),
    width,
    height,
    model: json.Model?.Model,
    raw: json,
  };
  const up = json.use_upscaler;
  if (up && typeof up === 'object') {
    out.hires = {
      scale: number(up.upscale_by),
      upscaler: up.upscale_method ? `Latent (${up.upscale_method})` : undefined,
      denoisingStrength: number(up.upscaler_strength),
    };
  }
  return out;
}
