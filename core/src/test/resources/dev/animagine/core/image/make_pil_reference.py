"""Reference outputs of Pillow and OpenCV for A1111's image operations (A1111Test).

Run with Pillow, OpenCV and numpy (Debian bookworm: python3-pil 9.4, python3-opencv 4.6, with /usr/bin/python3):
    /usr/bin/python3 make_pil_reference.py > pil_reference.json
Inputs are synthetic, from integer formulas the Java test repeats (pattern, mask_*).
Records the library versions; every output is a flat list of 8-bit values, planar (channel, row, column).
"""
import json
import sys

import cv2
import numpy as np
import PIL
from PIL import Image, ImageFilter, ImageOps


def pattern(w, h, c):
    a = np.zeros((h, w, c), dtype=np.uint8)
    for y in range(h):
        for x in range(w):
            for ch in range(c):
                a[y, x, ch] = ((x * 31 + y * 17 + ch * 7) * (x + 3) + y * y * 5 + (x * y) % 11) % 256
    return a


def mask_disc(w, h, cx, cy, r_in, r_out):
    a = np.zeros((h, w), dtype=np.uint8)
    for y in range(h):
        for x in range(w):
            d2 = (x - cx) ** 2 + (y - cy) ** 2
            v = (r_out * r_out - d2) * 255 // (r_out * r_out - r_in * r_in)
            a[y, x] = max(0, min(255, v))
    return a


def mask_rect(w, h, x0, y0, x1, y1):
    a = np.zeros((h, w), dtype=np.uint8)
    a[y0:y1, x0:x1] = 255
    return a


def planar(img):
    a = np.array(img)
    if a.ndim == 2:
        a = a[:, :, None]
    return [int(v) for v in np.moveaxis(a, 2, 0).reshape(-1)]


def resize_image(resize_mode, im, width, height):
    """A1111 modules/images.py resize_image with upscaler None (LANCZOS only)."""
    LANCZOS = Image.Resampling.LANCZOS if hasattr(Image, 'Resampling') else Image.LANCZOS

    def resize(im, w, h):
        return im.resize((w, h), resample=LANCZOS)

    if resize_mode == 0:
        res = resize(im, width, height)
    elif resize_mode == 1:
        ratio = width / height
        src_ratio = im.width / im.height
        src_w = width if ratio > src_ratio else im.width * height // im.height
        src_h = height if ratio <= src_ratio else im.height * width // im.width
        resized = resize(im, src_w, src_h)
        res = Image.new(im.mode, (width, height))
        res.paste(resized, box=(width // 2 - src_w // 2, height // 2 - src_h // 2))
    else:
        ratio = width / height
        src_ratio = im.width / im.height
        src_w = width if ratio < src_ratio else im.width * height // im.height
        src_h = height if ratio >= src_ratio else im.height * width // im.width
        resized = resize(im, src_w, src_h)
        res = Image.new(im.mode, (width, height))
        res.paste(resized, box=(width // 2 - src_w // 2, height // 2 - src_h // 2))
        if ratio < src_ratio:
            fill_height = height // 2 - src_h // 2
            if fill_height > 0:
                res.paste(resized.resize((width, fill_height), box=(0, 0, width, 0)), box=(0, 0))
                res.paste(resized.resize((width, fill_height), box=(0, resized.height, width, resized.height)), box=(0, fill_height + src_h))
        elif ratio > src_ratio:
            fill_width = width // 2 - src_w // 2
            if fill_width > 0:
                res.paste(resized.resize((fill_width, height), box=(0, 0, 0, height)), box=(0, 0))
                res.paste(resized.resize((fill_width, height), box=(resized.width, 0, resized.width, height)), box=(fill_width + src_w, 0))
    return res


def fill(image, mask):
    """A1111 modules/masking.py fill."""
    image_mod = Image.new('RGBA', (image.width, image.height))
    image_masked = Image.new('RGBa', (image.width, image.height))
    image_masked.paste(image.convert("RGBA").convert("RGBa"), mask=ImageOps.invert(mask.convert('L')))
    image_masked = image_masked.convert('RGBa')
    for radius, repeats in [(256, 1), (64, 1), (16, 2), (4, 4), (2, 2), (0, 1)]:
        blurred = image_masked.filter(ImageFilter.GaussianBlur(radius)).convert('RGBA')
        for _ in range(repeats):
            image_mod.alpha_composite(blurred)
    return image_mod.convert("RGB")


def overlay(image, mask_for_overlay):
    image_masked = Image.new('RGBa', (image.width, image.height))
    image_masked.paste(image.convert("RGBA").convert("RGBa"), mask=ImageOps.invert(mask_for_overlay.convert('L')))
    return image_masked.convert('RGBA')


def apply_overlay(image, paste_loc, ov):
    if paste_loc is not None:
        x, y, w, h = paste_loc
        base = Image.new('RGBA', (ov.width, ov.height))
        base.paste(resize_image(1, image, w, h), (x, y))
        image = base
    image = image.convert('RGBA')
    image.alpha_composite(ov)
    return image.convert('RGB')


def a1111_blur(mask, bx, by):
    np_mask = np.array(mask)
    if bx > 0:
        k = 2 * int(2.5 * bx + 0.5) + 1
        np_mask = cv2.GaussianBlur(np_mask, (k, 1), bx)
    if by > 0:
        k = 2 * int(2.5 * by + 0.5) + 1
        np_mask = cv2.GaussianBlur(np_mask, (1, k), by)
    return Image.fromarray(np_mask)


out = {"pillow": PIL.__version__, "opencv": cv2.__version__}
rgb = Image.fromarray(pattern(37, 23, 3), 'RGB')
grey = Image.fromarray(pattern(37, 23, 1)[:, :, 0], 'L')
LANCZOS = Image.LANCZOS
out["lanczos_up_64x48"] = planar(rgb.resize((64, 48), LANCZOS))
out["lanczos_down_16x11"] = planar(rgb.resize((16, 11), LANCZOS))
out["lanczos_grey_50x9"] = planar(grey.resize((50, 9), LANCZOS))
out["bicubic_grey_8x6"] = planar(grey.resize((8, 6), Image.BICUBIC))
out["lanczos_box_zero_height_37x5"] = planar(rgb.resize((37, 5), LANCZOS, box=(0, 0, 37, 0)))
for mode in (0, 1, 2):
    for (w, h) in ((32, 32), (64, 24), (24, 40)):
        out[f"resize_{mode}_{w}x{h}"] = planar(resize_image(mode, rgb, w, h))

rgba = pattern(29, 19, 4)
rgba[:, :, 3] = (np.arange(29)[None, :] * 9 + np.arange(19)[:, None] * 5) % 256
bg = Image.new('RGBA', (29, 19), '#ffffff')
src = Image.fromarray(rgba, 'RGBA')
bg.paste(src, mask=src)
out["flatten_white"] = planar(bg.convert('RGB'))
out["grey_of_rgb"] = planar(rgb.convert('L'))

disc = Image.fromarray(mask_disc(40, 30, 17, 13, 5, 11), 'L')
out["blur_4_4"] = planar(a1111_blur(disc, 4, 4))
out["blur_2_7"] = planar(a1111_blur(disc, 2, 7))
tiny = Image.fromarray(mask_rect(10, 8, 3, 2, 6, 5), 'L')
out["blur_tiny_4_4"] = planar(a1111_blur(tiny, 4, 4))
out["latent_mask_disc_5x4"] = [float(v) for v in np.around(np.moveaxis(np.array(disc.convert('RGB').resize((5, 4)), dtype=np.float32), 2, 0) / 255)[0].reshape(-1)]

rgb40 = Image.fromarray(pattern(40, 30, 3), 'RGB')
out["fill_disc"] = planar(fill(rgb40, disc))
ov = overlay(rgb40, disc)
out["overlay_disc"] = planar(ov)
gen = Image.fromarray(pattern(24, 16, 3)[::-1, :, :].copy(), 'RGB')
out["apply_overlay_paste"] = planar(apply_overlay(gen, (6, 4, 21, 17), ov))
gen40 = Image.fromarray(pattern(40, 30, 3)[:, ::-1, :].copy(), 'RGB')
out["apply_overlay_whole"] = planar(apply_overlay(gen40, None, ov))
json.dump(out, sys.stdout)
