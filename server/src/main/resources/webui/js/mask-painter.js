// Paints an inpainting mask over the source image: brush with a size, eraser, invert, clear.
// The mask canvas has the image's own pixel size; the page shows it scaled over the image.
import {$} from './dom.js';

const PAINT = 'rgba(255, 40, 90, 1)';

export class MaskPainter {
  constructor() {
    this.canvas = $('mask-canvas');
    this.context = this.canvas.getContext('2d');
    this.painted = false;
    this.last = null;
    $('brush-size').addEventListener('input', () => { $('brush-size-value').value = $('brush-size').value; });
    $('mask-invert').addEventListener('click', () => this.invert());
    $('mask-clear').addEventListener('click', () => this.clear());
    this.canvas.addEventListener('pointerdown', (e) => this.down(e));
    this.canvas.addEventListener('pointermove', (e) => this.move(e));
    for (const type of ['pointerup', 'pointercancel', 'pointerleave']) {
      this.canvas.addEventListener(type, () => { this.last = null; });
    }
  }

  /** A blank mask of the image's size. */
  reset(width, height) {
    this.canvas.width = width;
    this.canvas.height = height;
    this.clear();
  }

  clear() {
    this.context.clearRect(0, 0, this.canvas.width, this.canvas.height);
    this.painted = false;
  }

  /** True when some pixel is masked. */
  hasMask() {
    return this.painted;
  }

  down(event) {
    event.preventDefault();
    this.canvas.setPointerCapture?.(event.pointerId);
    this.last = this.point(event);
    this.stroke(this.last, this.last);
  }

  move(event) {
    if (!this.last) return;
    const point = this.point(event);
    this.stroke(this.last, point);
    this.last = point;
  }

  /** Pointer position in mask pixels (the canvas is shown scaled). */
  point(event) {
    const box = this.canvas.getBoundingClientRect();
    return {
      x: (event.clientX - box.left) * (this.canvas.width / box.width),
      y: (event.clientY - box.top) * (this.canvas.height / box.height),
    };
  }

  stroke(from, to) {
    const c = this.context;
    const scale = this.canvas.width / this.canvas.getBoundingClientRect().width;
    c.save();
    c.globalCompositeOperation = $('eraser').checked ? 'destination-out' : 'source-over';
    c.strokeStyle = PAINT;
    c.lineCap = 'round';
    c.lineJoin = 'round';
    c.lineWidth = Number($('brush-size').value) * scale;
    c.beginPath();
    c.moveTo(from.x, from.y);
    c.lineTo(to.x + 0.01, to.y);
    c.stroke();
    c.restore();
    this.painted = this.painted || !$('eraser').checked;
  }

  invert() {
    const {width, height} = this.canvas;
    if (!width || !height) return;
    const data = this.context.getImageData(0, 0, width, height);
    const px = data.data;
    let any = false;
    for (let i = 0; i < px.length; i += 4) {
      const alpha = 255 - px[i + 3];
      px[i] = 255;
      px[i + 1] = 40;
      px[i + 2] = 90;
      px[i + 3] = alpha;
      any = any || alpha > 0;
    }
    this.context.putImageData(data, 0, 0);
    this.painted = any;
  }

  /** The mask as A1111 takes it: a PNG data URL, white where the image is repainted, black elsewhere. */
  toDataUrl() {
    const {width, height} = this.canvas;
    const white = document.createElement('canvas');
    white.width = width;
    white.height = height;
    const w = white.getContext('2d');
    w.drawImage(this.canvas, 0, 0);
    w.globalCompositeOperation = 'source-in';
    w.fillStyle = '#fff';
    w.fillRect(0, 0, width, height);
    const out = document.createElement('canvas');
    out.width = width;
    out.height = height;
    const o = out.getContext('2d');
    o.fillStyle = '#000';
    o.fillRect(0, 0, width, height);
    o.drawImage(white, 0, 0);
    return out.toDataURL('image/png');
  }
}
