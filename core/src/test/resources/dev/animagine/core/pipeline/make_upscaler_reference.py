"""Reference outputs of A1111's model-free hires upscalers (ImageUpscalerReferenceTest).

Run with Pillow and numpy (Debian bookworm: python3-pil 9.4, with /usr/bin/python3):
    /usr/bin/python3 make_upscaler_reference.py > upscaler_reference.json
Re-implements, on Pillow, what A1111 v1.10 runs for a hires pass with hr_upscaler None / Lanczos / Nearest:
images.resize_image(0, im, w, h, upscaler_name) -> Upscaler.upscale -> UpscalerLanczos / UpscalerNearest.do_upscale.
Inputs come from the integer pattern of PillowReferenceTest; outputs are flat planar 8-bit lists.
"""
import json

import numpy as np
import PIL
from PIL import Image

LANCZOS = Image.Resampling.LANCZOS
NEAREST = Image.Resampling.NEAREST


def pattern(w, h, c):
    a = np.zeros((h, w, c), dtype=np.uint8)
    for y in range(h):
        for x in range(w):
            for ch in range(c):
                a[y, x, ch] = ((x * 31 + y * 17 + ch * 7) * (x + 3) + y * y * 5 + (x * y) % 11) % 256
    return a


def planar(img):
    a = np.array(img)
    if a.ndim == 2:
        a = a[:, :, None]
    return [int(v) for v in np.moveaxis(a, 2, 0).reshape(-1)]


def upscaler_upscale(img, scale, do_upscale):
    """modules/upscaler.py Upscaler.upscale."""
    dest_w = int((img.width * scale) // 8 * 8)
    dest_h = int((img.height * scale) // 8 * 8)
    for i in range(3):
        if img.width >= dest_w and img.height >= dest_h and (i > 0 or scale != 1):
            break
        shape = (img.width, img.height)
        img = do_upscale(img, scale)
        if shape == (img.width, img.height):
            break
    if img.width != dest_w or img.height != dest_h:
        img = img.resize((int(dest_w), int(dest_h)), resample=LANCZOS)
    return img


def resize_image_mode0(im, width, height, upscaler_name):
    """modules/images.py resize_image(0, ...) with a model-free upscaler."""
    if upscaler_name is None or upscaler_name == "None" or im.mode == 'L':
        return im.resize((width, height), resample=LANCZOS)
    scale = max(width / im.width, height / im.height)
    if scale > 1.0:
        flt = LANCZOS if upscaler_name == "Lanczos" else NEAREST
        im = upscaler_upscale(im, scale, lambda img, s: img.resize((int(img.width * s), int(img.height * s)), resample=flt))
    if im.width != width or im.height != height:
        im = im.resize((width, height), resample=LANCZOS)
    return im


out = {"versions": {"Pillow": PIL.__version__}}
rgb = Image.fromarray(pattern(19, 13, 3))
for w, h in [(41, 29), (8, 5), (19, 31), (57, 39), (3, 2)]:
    out[f"nearest_{w}x{h}"] = planar(rgb.resize((w, h), resample=NEAREST))
src = Image.fromarray(pattern(20, 12, 3))
for name in ["None", "Lanczos", "Nearest"]:
    for w, h in [(30, 18), (26, 15), (41, 25), (20, 12), (15, 9), (32, 12)]:
        out[f"{name}_{w}x{h}"] = planar(resize_image_mode0(src, w, h, name))
print(json.dumps(out, separators=(",", ":")))
