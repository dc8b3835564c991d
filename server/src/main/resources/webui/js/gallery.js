// The session's images: thumbnails, the selected image with its infotext, and what to do with it
// (reuse all parameters, reuse the seed, send to img2img or inpaint, download).
import {$, el} from './dom.js';
import {readPngText, parametersText} from './png.js';
import {parseParameters} from './infotext.js';

const STORAGE_KEY = 'animagine.gallery';
const LIMIT = 200;

export class Gallery {
  /** actions: {reuseAll(params), reuseSeed(seed), sendTo(mode, url)} */
  constructor(actions) {
    this.actions = actions;
    this.items = load();
    this.selected = null;
    $('reuse-all').addEventListener('click', () => this.withParameters((p) => this.actions.reuseAll(p)));
    $('reuse-seed').addEventListener('click', () => this.withParameters((p) => this.actions.reuseSeed(p.seed)));
    $('send-img2img').addEventListener('click', () => this.send('img2img'));
    $('send-inpaint').addEventListener('click', () => this.send('inpaint'));
    $('gallery-clear').addEventListener('click', (event) => {
      event.preventDefault();
      this.items = [];
      save(this.items);
      this.select(null);
      this.render();
    });
    this.render();
    if (this.items.length) this.select(this.items[0]);
  }

  /** The newest image's seed, for the seed's reuse button. */
  lastSeed() {
    return this.items[0]?.seed ?? null;
  }

  /** Adds images one at a time, so that a batch's images keep their order while their infotexts load. */
  add(image) {
    this.adding = (this.adding ?? Promise.resolve()).then(() => this.addNow(image));
    return this.adding;
  }

  async addNow(image) {
    const item = {url: image.url, seed: image.seed ?? null, infotext: image.infotext ?? null, jobId: image.jobId ?? null};
    if (!item.infotext) item.infotext = await infotextOf(item.url);
    if (item.seed == null) item.seed = parseParameters(item.infotext)?.seed ?? null;
    this.items.unshift(item);
    this.items.length = Math.min(this.items.length, LIMIT);
    save(this.items);
    this.render();
    this.select(item);
  }

  render() {
    const thumbs = this.items.map((item) => el('button', {
      type: 'button',
      className: 'thumb' + (item === this.selected ? ' active' : ''),
      title: item.infotext ?? item.url,
      dataset: {url: item.url},
      onclick: () => this.select(item),
    }, el('img', {src: item.url, alt: 'Generated image', loading: 'lazy'})));
    $('gallery').replaceChildren(...(thumbs.length ? thumbs : [el('p', {className: 'hint'}, 'Generated images appear here.')]));
  }

  select(item) {
    this.selected = item;
    $('viewer').hidden = !item;
    if (item) {
      $('viewer-image').src = item.url;
      $('viewer-infotext').textContent = item.infotext ?? '';
      $('download').href = item.url;
      $('download').download = item.url.split('/').pop();
    }
    for (const thumb of $('gallery').children) {
      thumb.classList.toggle('active', thumb.dataset.url === item?.url);
    }
  }

  /** Like A1111's send-to buttons: the image becomes the source and its parameters are loaded. */
  send(mode) {
    if (this.selected) this.actions.sendTo(mode, this.selected.url, parseParameters(this.selected.infotext));
  }

  withParameters(action) {
    const params = this.selected && parseParameters(this.selected.infotext);
    if (params) action(params);
  }
}

/** The infotext an image file carries in its "parameters" chunk. */
async function infotextOf(url) {
  try {
    const response = await fetch(url);
    return parametersText(await readPngText(await response.arrayBuffer()));
  } catch {
    return null;
  }
}

function load() {
  try {
    const items = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? '[]');
    return Array.isArray(items) ? items.filter((i) => typeof i?.url === 'string') : [];
  } catch {
    return [];
  }
}

function save(items) {
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(items));
}
