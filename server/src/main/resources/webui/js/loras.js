// LoRAs of the server's LoRA folder: search, the training tags each file records
// (sd-scripts' ss_tag_frequency) and insertion of <lora:name:weight> into the prompt.
import {$, el, insertTag, showError} from './dom.js';
import {api} from './api.js';

const TAGS_SHOWN = 12;

export class LoraList {
  constructor() {
    this.loras = [];
    $('lora-search').addEventListener('input', () => this.render());
    $('lora-weight').addEventListener('input', () => { $('lora-weight-value').value = $('lora-weight').value; });
    $('lora-refresh').addEventListener('click', async () => {
      try {
        await api.refreshLoras();
        await this.load();
      } catch (error) {
        showError(error.message);
      }
    });
  }

  async load() {
    this.loras = (await api.loras()).map((l) => ({...l, tags: trainingTags(l.metadata)}));
    this.loras.sort((a, b) => a.name.localeCompare(b.name));
    this.render();
  }

  render() {
    const query = $('lora-search').value.trim().toLowerCase();
    const shown = this.loras.filter((l) => !query || [l.name, l.alias, ...l.tags].some((t) => t?.toLowerCase().includes(query)));
    const items = shown.map((l) => el('li', {className: 'lora', dataset: {name: l.name}},
      el('div', {className: 'lora-head'},
        el('span', {className: 'lora-name', title: l.path ?? l.name}, l.name),
        el('button', {type: 'button', className: 'lora-add', title: `Add <lora:${l.name}:weight> to the prompt`,
          onclick: () => insertTag($('prompt'), `<lora:${l.name}:${Number($('lora-weight').value)}>`)}, 'Add')),
      l.tags.length ? el('div', {className: 'lora-tags'}, ...l.tags.slice(0, TAGS_SHOWN).map((tag) => el('button', {
        type: 'button', className: 'chip', title: 'Add this training tag to the prompt',
        onclick: () => insertTag($('prompt'), tag)}, tag))) : null));
    const empty = el('li', {className: 'hint'}, this.loras.length ? 'No LoRA matches.' : 'No LoRA in the LoRA folder.');
    $('lora-list').replaceChildren(...(items.length ? items : [empty]));
  }
}

/** Training tags, most frequent first, summed over the dataset folders of ss_tag_frequency. */
export function trainingTags(metadata) {
  let frequency = metadata?.ss_tag_frequency;
  if (!frequency) return [];
  if (typeof frequency === 'string') {
    try {
      frequency = JSON.parse(frequency);
    } catch {
      return [];
    }
  }
  const totals = new Map();
  for (const folder of Object.values(frequency ?? {})) {
    for (const [tag, count] of Object.entries(folder ?? {})) {
      const name = tag.trim();
      if (name) totals.set(name, (totals.get(name) ?? 0) + Number(count));
    }
  }
  return [...totals].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([tag]) => tag);
}
