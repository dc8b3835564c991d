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
  const {width, height} = size(p.Size);
  const out = {
    steps: number(p.Steps),
    sampler: p.Sampler,
    scheduler: p['Schedule type'],
    cfgScale: number(p['CFG scale']),
    seed: number(p.Seed),
    width,
    height,
    model: p.Model,
    denoisingStrength: number(p['Denoising strength']),
    maskBlur: number(p['Mask blur']),
  };
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

/** The Animagine space writes its settings as JSON (see the space's utils.save_image). */
export function fromSpaceJson(json) {
  if (json == null || typeof json !== 'object' || !('prompt' in json)) return null;
  const {width, height} = size(String(json.resolution ?? '').replace(/\s/g, ''));
  const out = {
    source: 'animagine-space',
    prompt: json.prompt ?? '',
    negativePrompt: json.negative_prompt ?? '',
    steps: number(json.num_inference_steps),
    sampler: json.sampler,
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

/**
 * Splits an old combined sampler name ("DPM++ 2M Karras") into sampler and schedule, given the
 * schedules the server knows; a name without such a suffix is returned as it is.
 */
export function splitSampler(name, schedulerLabels) {
  if (!name) return {sampler: name};
  for (const label of schedulerLabels) {
    if (label && label !== 'Automatic' && name.endsWith(' ' + label)) {
      return {sampler: name.slice(0, -label.length - 1), scheduler: label};
    }
  }
  return {sampler: name};
}
