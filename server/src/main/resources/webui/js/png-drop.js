// Drop a PNG anywhere on the page (or paste one) to read its generation parameters (this server's,
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
    $('png-load').addEventListener('click', () => {
      if (this.params) this.onLoad(this.params);
      $('png-dialog').close();
    });
  }

  async read(file) {
    try {
      const text = parametersText(await readPngText(await file.arrayBuffer()));
      this.params = parseParameters(text);
      $('png-text').textContent = text ?? `${file.name} carries no generation parameters.`;
      $('png-load').disabled = !this.params;
      $('png-dialog').showModal();
    } catch (error) {
      showError(`${file.name}: ${error.message}`);
    }
  }
}

function hasFiles(event) {
  return [...(event.dataTransfer?.types ?? [])].includes('Files');
}
