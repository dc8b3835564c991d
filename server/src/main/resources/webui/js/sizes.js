// The nine resolutions every Animagine XL version was trained at, as an aspect picker, plus custom
// sizes with a warning when they are not one of them.
import {$, el} from './dom.js';

export const TRAINED = [
  [1024, 1024, '1:1'],
  [1152, 896, '9:7'], [896, 1152, '7:9'],
  [1216, 832, '19:13'], [832, 1216, '13:19'],
  [1344, 768, '7:4'], [768, 1344, '4:7'],
  [1536, 640, '12:5'], [640, 1536, '5:12'],
];
const MAX_AREA = 1024 * 1024;

export function isTrained(width, height) {
  return TRAINED.some(([w, h]) => w === width && h === height);
}

export class SizePicker {
  constructor(onChange) {
    this.onChange = onChange;
    this.width = $('width');
    this.height = $('height');
    this.warning = $('size-warning');
    this.buttons = TRAINED.map(([w, h, ratio]) => el('button', {
      type: 'button',
      className: 'aspect',
      title: `${w}x${h}`,
      dataset: {width: String(w), height: String(h)},
      onclick: () => this.set(w, h),
    }, aspectIcon(w, h), el('span', {}, ratio), el('small', {}, `${w}x${h}`)));
    $('aspects').append(...this.buttons);
    for (const input of [this.width, this.height]) input.addEventListener('input', () => this.changed());
    $('swap-size').addEventListener('click', () => this.set(this.value().height, this.value().width));
    this.changed();
  }

  value() {
    return {width: Number(this.width.value), height: Number(this.height.value)};
  }

  set(width, height) {
    if (!width || !height) return;
    this.width.value = width;
    this.height.value = height;
    this.changed();
  }

  changed() {
    const {width, height} = this.value();
    for (const b of this.buttons) {
      const on = Number(b.dataset.width) === width && Number(b.dataset.height) === height;
      b.classList.toggle('active', on);
      b.setAttribute('aria-checked', String(on));
    }
    this.warning.textContent = warningFor(width, height);
    this.warning.hidden = !this.warning.textContent;
    this.onChange?.();
  }
}

function warningFor(width, height) {
  if (!width || !height) return 'Width and height are required.';
  if (width % 8 || height % 8) return `${width}x${height}: width and height must be multiples of 8.`;
  if (isTrained(width, height)) return '';
  if (width * height > MAX_AREA) {
    return `${width}x${height} is larger than the 1024x1024 area Animagine was trained at: expect duplicated subjects; use hires fix instead.`;
  }
  return `${width}x${height} is not one of the nine trained resolutions: quality may suffer.`;
}

function aspectIcon(width, height) {
  const scale = 22 / Math.max(width, height);
  return el('i', {
    className: 'shape',
    style: `width:${Math.round(width * scale)}px;height:${Math.round(height * scale)}px`,
  });
}
