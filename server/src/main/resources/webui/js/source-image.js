// img2img and inpaint: the mode tabs, the source image (uploaded or sent from the gallery) and
// the A1111 img2img fields (init_images, denoising_strength, resize_mode, mask, mask_blur, ...).
import {$, showError} from './dom.js';
import {MaskPainter} from './mask-painter.js';

export class SourceImage {
  constructor(sizes) {
    this.sizes = sizes;
    this.mode = 'txt2img';
    this.canvas = $('init-canvas');
    this.loaded = false;
    this.mask = new MaskPainter();
    for (const tab of document.querySelectorAll('.tab')) {
      tab.addEventListener('click', () => this.setMode(tab.dataset.tab));
    }
    $('init-file').addEventListener('change', () => {
      const file = $('init-file').files[0];
      if (file) this.load(URL.createObjectURL(file), true);
    });
    $('init-clear').addEventListener('click', () => this.clear());
    $('denoise').addEventListener('input', () => { $('denoise-value').value = $('denoise').value; });
  }

  setMode(mode) {
    this.mode = mode;
    for (const tab of document.querySelectorAll('.tab')) {
      const on = tab.dataset.tab === mode;
      tab.classList.toggle('active', on);
      tab.setAttribute('aria-selected', String(on));
    }
    $('init-group').hidden = mode === 'txt2img';
    $('init-group').open = true;
    $('mask-tools').hidden = mode !== 'inpaint';
    this.mask.canvas.hidden = mode !== 'inpaint' || !this.loaded;
  }

  /** Loads an image (same-origin URL or blob URL) as the source; its size becomes the output size. */
  load(url, revoke = false) {
    return new Promise((resolve) => {
      const image = new Image();
      image.onload = () => {
        this.canvas.width = image.naturalWidth;
        this.canvas.height = image.naturalHeight;
        this.canvas.getContext('2d').drawImage(image, 0, 0);
        if (revoke) URL.revokeObjectURL(url);
        this.loaded = true;
        this.canvas.hidden = false;
        $('init-empty').hidden = true;
        this.mask.reset(image.naturalWidth, image.naturalHeight);
        this.sizes.set(image.naturalWidth - image.naturalWidth % 8, image.naturalHeight - image.naturalHeight % 8);
        this.setMode(this.mode);
        resolve(true);
      };
      image.onerror = () => {
        showError('That file is not an image the browser can read.');
        resolve(false);
      };
      image.src = url;
    });
  }

  clear() {
    this.loaded = false;
    this.canvas.hidden = true;
    this.mask.canvas.hidden = true;
    $('init-empty').hidden = false;
    $('init-file').value = '';
  }

  /** The img2img fields for the current mode; null in txt2img mode. Throws when the mode lacks its inputs. */
  collect() {
    if (this.mode === 'txt2img') return null;
    if (!this.loaded) throw new Error(`${this.mode} needs a source image: upload one or send one from the history`);
    const body = {
      init_images: [this.canvas.toDataURL('image/png')],
      denoising_strength: Number($('denoise').value),
      resize_mode: Number($('resize-mode').value),
    };
    if (this.mode === 'inpaint') {
      if (!this.mask.hasMask()) throw new Error('inpaint needs a mask: paint over the part of the image to redraw');
      body.mask = this.mask.toDataUrl();
      body.mask_blur = Number($('mask-blur').value);
      body.inpainting_fill = Number($('inpaint-fill').value);
      body.inpaint_full_res = false;
      body.inpainting_mask_invert = 0;
    }
    return body;
  }
}
