// The Animagine prompt builder: builder fields beside the prompts, the server's prompt preview
// (POST /api/v1/prompt) as the user types: final prompt and negative, lint warnings, token counts.
import {$, el, debounce} from './dom.js';
import {api} from './api.js';

const CHUNK = 75;

/** "79/150": tokens over the capacity of the 75-token chunks they fill (A1111's counter). */
export function tokenLabel(count) {
  if (count == null) return '?';
  return `${count}/${Math.max(1, Math.ceil(count / CHUNK)) * CHUNK}`;
}

export class PromptBuilder {
  constructor(sizes) {
    this.sizes = sizes;
    this.modelVersion = null;
    this.result = null;
    this.sequence = 0;
    this.field = {
      prompt: $('prompt'),
      negative: $('negative'),
      enabled: $('anim-enabled'),
      version: $('anim-version'),
      rating: $('anim-rating'),
      year: $('anim-year'),
      character: $('anim-character'),
      series: $('anim-series'),
      quality: $('anim-quality'),
      defaultNegative: $('anim-default-negative'),
    };
    this.refresh = debounce(() => this.preview(), 250);
    for (const input of Object.values(this.field)) {
      input.addEventListener('input', () => this.changed());
      input.addEventListener('change', () => this.changed());
    }
    this.changed();
  }

  /** The version the checkpoint's name states (null when it states none): what "auto" then means. */
  setModelVersion(version, label) {
    this.modelVersion = version;
    $('model-version').textContent = version ? label : '';
    this.field.version.options[0].textContent = `auto (${version ?? '4.0'})`;
    this.changed();
  }

  changed() {
    const off = !this.field.enabled.checked;
    for (const key of ['version', 'rating', 'year', 'character', 'series', 'quality', 'defaultNegative']) {
      this.field[key].disabled = off;
    }
    this.refresh();
  }

  /**
   * The prompt part of a native request (POST /api/v1/prompt and /api/v1/jobs take the same body):
   * the user's tags, and either the Animagine settings or verbatim.
   */
  request() {
    const f = this.field;
    const {width, height} = this.sizes.value();
    const body = {prompt: f.prompt.value, negative_prompt: f.negative.value, width, height};
    if (!f.enabled.checked) {
      body.verbatim = true;
      return body;
    }
    body.animagine = this.settings();
    return body;
  }

  /** The "animagine" object of the native and A1111 APIs. */
  settings() {
    const f = this.field;
    const settings = {quality: f.quality.checked, default_negative: f.defaultNegative.checked};
    const version = f.version.value || this.modelVersion;
    if (version) settings.version = version;
    if (f.rating.value) settings.rating = f.rating.value;
    if (f.year.value) settings.year = Number(f.year.value);
    if (f.character.value.trim()) settings.character = f.character.value.trim();
    if (f.series.value.trim()) settings.series = f.series.value.trim();
    return settings;
  }

  enabled() {
    return this.field.enabled.checked;
  }

  async preview() {
    const body = this.request();
    const problem = localProblem(body);
    if (problem) {
      this.sequence++;
      this.result = null;
      this.renderWarnings([{code: 'error', message: problem}]);
      return;
    }
    // Answers can overtake each other (the first one waits for the model to load): keep the newest only.
    const sequence = ++this.sequence;
    try {
      const result = await api.promptPreview(body);
      if (sequence !== this.sequence) return;
      this.result = {body: JSON.stringify(body), ...result};
      this.render(result);
    } catch (error) {
      if (sequence !== this.sequence) return;
      this.result = null;
      this.renderWarnings([{code: 'error', message: error.message}]);
    }
  }

  /** Waits for the preview of the current fields; throws when the server refused them. */
  async check() {
    await this.refresh.flush();
    if (!this.result || this.result.body !== JSON.stringify(this.request())) await this.preview();
    if (!this.result) throw new Error('the prompt was refused; see the messages under the builder');
    return this.result;
  }

  render(result) {
    $('final-prompt').textContent = result.prompt ?? '';
    $('final-negative').textContent = result.negative_prompt ?? '';
    const tokens = result.token_counts ?? {};
    $('prompt-tokens').textContent = tokenLabel(tokens.prompt);
    $('negative-tokens').textContent = tokenLabel(tokens.negative_prompt);
    this.renderWarnings(result.warnings ?? []);
  }

  renderWarnings(warnings) {
    const items = warnings.map((w) => {
      const message = typeof w === 'string' ? w : w.message;
      const code = typeof w === 'string' ? '' : (w.code ?? '');
      const kind = code === 'error' ? 'error' : w.note ? 'note' : 'warning';
      return el('li', {className: kind, title: code, dataset: {code}}, message);
    });
    $('lint').replaceChildren(...items);
  }

  /** Loads prompts read from an image: used as written, so the builder adds nothing twice. */
  loadVerbatim(prompt, negative) {
    this.field.prompt.value = prompt ?? '';
    this.field.negative.value = negative ?? '';
    this.field.enabled.checked = false;
    this.changed();
  }
}

/** What the server would refuse, caught here so that typing "2024" does not send year 2, 20, 202. */
function localProblem(body) {
  const sides = [body.width, body.height];
  if (sides.some((v) => !Number.isInteger(v) || v < 8 || v % 8 !== 0)) return 'Width and height must be multiples of 8.';
  const year = body.animagine?.year;
  if (year != null && (year < 1900 || year > 2100)) return `Year ${year}: expected 1900 to 2100.`;
  return null;
}
