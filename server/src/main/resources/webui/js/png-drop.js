// Drop or paste a PNG anywhere on the page (or paste its parameters text) to read its generation parameters (this server's,
// A1111's, the Animagine space's JSON) and load them into the form.
import {$, showError} from './dom.js';
import {readPngText, parametersText} from './png.js';
import {parseParameters} from './infotext.js';

export class PngDrop {
  /** onLoad(params) applies parsed parameters to the form. */
  constructor(onLoad) {
    this.onLoad = onLoad;
    this.params = null;
    let depth = 0;
    const overlay = $('drop-overlay');
    document.addEventListener('dragenter', (e) => {
      if (!hasFiles(e)) return;
      depth++;
      overlay.hidden = false;
    });
    document.addEventListener('dragleave', () => {
      depth = Math.max(0, depth - 1);
      if (depth === 0) overlay.hidden = true;
    });
    document.addEventListener('dragover', (e) => {
      if (hasFiles(e)) e.preventDefault();
    });
    document.addEventListener('drop', (e) => {
      depth = 0;
      overlay.hidden = true;
      const file = e.dataTransfer?.files?.[0];
      if (!file || e.target?.type === 'file') return;
      e.preventDefault();
      this.read(file);
    });
    // a pasted PNG, or pasted parameters text (A1111's infotext, the space's JSON), opens the same dialog
    document.addEventListener('paste', (e) => {
      const file = [...(e.clipboardData?.files ?? [])].find((f) => f.type === 'image/png');
      if (file) {
        e.preventDefault();
        this.read(file);
        return;
      }
      const text = e.clipboardData?.getData('text/plain');
      if (isParameters(text)) this.show(text, parseParameters(text));
    });
    $('png-load').addEventListener('click', () => {
      if (this.params) this.onLoad(this.params);
      $('png-dialog').close();
    });
  }

  async read(file) {
    try {
      const text = parametersText(await readPngText(await file.arrayBuffer()));
      this.show(text ?? `${file.name} carries no generation parameters.`, parseParameters(text));
    } catch (error) {
      showError(`${file.name}: ${error.message}`);
    }
  }

  show(text, params) {
    this.params = params;
    $('png-text').textContent = text;
    $('png-load').disabled = !this.params;
    if (!$('png-dialog').open) $('png-dialog').showModal();
  }
}

/** Whether pasted text is generation parameters rather than a prompt: the space's JSON, or an infotext's line of settings. */
function isParameters(text) {
  const p = text ? parseParameters(text) : null;
  return p != null && (p.source === 'animagine-space' || (p.steps != null && Object.keys(p.raw).length >= 3));
}

function hasFiles(event) {
  return [...(event.dataTransfer?.types ?? [])].includes('Files');
}
