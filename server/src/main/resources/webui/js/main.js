// The page: wires the feature modules together and to the server's APIs.
import {$, el, notify, showError} from './dom.js';
import {api} from './api.js';
import {SizePicker} from './sizes.js';
import {PromptBuilder} from './prompt-builder.js';
import {Parameters} from './parameters.js';
import {SourceImage} from './source-image.js';
import {LoraList} from './loras.js';
import {Gallery} from './gallery.js';
import {Jobs} from './jobs.js';
import {QueuePanel} from './queue.js';
import {PngDrop} from './png-drop.js';
import {a1111Request, isNative, nativeJob} from './requests.js';

let builder = null;
const sizes = new SizePicker(() => builder?.refresh());
builder = new PromptBuilder(sizes);
const source = new SourceImage(sizes);
const loras = new LoraList();
const gallery = new Gallery({
  reuseAll: (p) => applyParameters(p),
  reuseSeed: (seed) => {
    if (seed != null) $('seed').value = seed;
  },
  sendTo: async (mode, url, params) => {
    if (params) applyParameters(params);
    source.setMode(mode);
    await source.load(url);
    $('init-group').scrollIntoView({block: 'start'});
  },
});
const parameters = new Parameters(sizes, () => gallery.lastSeed());
let queue = null;
const jobs = new Jobs({
  onImage: (image) => gallery.add(image),
  onChange: () => queue?.refresh(),
});
queue = new QueuePanel(jobs);
new PngDrop((p) => applyParameters(p));

/** Loads parameters read from an image: prompts as written, sampling, size, hires. */
function applyParameters(p) {
  builder.loadVerbatim(p.prompt, p.negativePrompt);
  parameters.apply(p);
  const current = $('model').selectedOptions[0]?.textContent ?? '';
  if (p.model && !current.toLowerCase().includes(String(p.model).toLowerCase())) {
    notify(`Parameters loaded; the image was made with ${p.model}`);
  } else {
    notify('Parameters loaded');
  }
}

async function generate() {
  showError('');
  const button = $('generate');
  button.disabled = true;
  try {
    await builder.check();
    const promptPart = builder.request();
    const values = parameters.collect();
    const img2img = source.collect();
    if (isNative(values, img2img)) {
      await jobs.submit(nativeJob(promptPart, values, img2img));
    } else {
      // An A1111 call waits for its images: let the user queue more meanwhile.
      button.disabled = false;
      await jobs.runA1111(a1111Request(promptPart, values, img2img));
    }
  } catch (error) {
    showError(error.message);
  } finally {
    button.disabled = false;
  }
}

/** The loaded checkpoint's Animagine version, as the server reads it from the file name. */
async function loadModelVersion() {
  const model = await api.model();
  builder.setModelVersion(model.animagine_version_from_file_name ? model.animagine_version : null, model.label);
}

async function loadModels() {
  const [models, options] = await Promise.all([api.sdModels(), api.options()]);
  const select = $('model');
  select.replaceChildren(...models.map((m) => el('option', {value: m.title ?? m.model_name, textContent: m.model_name ?? m.title})));
  const current = options.sd_model_checkpoint;
  const match = models.find((m) => m.title === current || m.model_name === current);
  if (match) select.value = match.title ?? match.model_name;
  select.addEventListener('change', async () => {
    notify('Loading checkpoint…');
    try {
      await api.setOptions({sd_model_checkpoint: select.value});
      await loadModelVersion();
      notify('Checkpoint loaded');
    } catch (error) {
      showError(error.message);
    }
  });
}

$('generate').addEventListener('click', generate);
document.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    generate();
  }
});

async function start() {
  try {
    await Promise.all([loadModels(), loadModelVersion(), parameters.load(), loras.load()]);
  } catch (error) {
    showError(`The server did not answer: ${error.message}`);
  }
  queue.start();
  await jobs.resume().catch((error) => showError(error.message));
  document.body.dataset.ready = 'true';
}

start();
