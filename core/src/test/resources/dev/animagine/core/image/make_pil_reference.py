"""Reference outputs of Pillow and OpenCV for A1111's image operations (PillowReferenceTest).

Run with Pillow, OpenCV and numpy (Debian bookworm: python3-pil 9.4, python3-opencv 4.6, with /usr/bin/python3):
    /usr/bin/python3 make_pil_reference.py > pil_reference.json   (the committed copy is the same JSON, compacted)
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
out["lanczos_up_48x30"] = planar(rgb.resize((48, 30), LANCZOS))
out["lanczos_down_16x11"] = planar(rgb.resize((16, 11), LANCZOS))
out["lanczos_grey_50x9"] = planar(grey.resize((50, 9), LANCZOS))
out["bicubic_grey_8x6"] = planar(grey.resize((8, 6), Image.BICUBIC))
out["lanczos_box_zero_height_37x5"] = planar(rgb.resize((37, 5), LANCZOS, box=(0, 0, 37, 0)))
for mode in (0, 1, 2):
    for (w, h) in ((24, 24), (40, 15), (18, 30)):
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


def create_binary_mask(image, round=True):
    if image.mode == 'RGBA' and image.getextrema()[-1] != (255, 255):
        if round:
            image = image.split()[-1].convert("L").point(lambda x: 255 if x > 128 else 0)
        else:
            image = image.split()[-1].convert("L")
    else:
        image = image.convert('L')
    return image


def get_crop_region_v2(mask, pad=0):
    box = mask.getbbox()
    if box:
        x1, y1, x2, y2 = box
        return (max(x1 - pad, 0), max(y1 - pad, 0), min(x2 + pad, mask.size[0]), min(y2 + pad, mask.size[1])) if pad else box


def expand_crop_region(crop_region, processing_width, processing_height, image_width, image_height):
    x1, y1, x2, y2 = crop_region
    ratio_crop_region = (x2 - x1) / (y2 - y1)
    ratio_processing = processing_width / processing_height
    if ratio_crop_region > ratio_processing:
        desired_height = (x2 - x1) / ratio_processing
        desired_height_diff = int(desired_height - (y2-y1))
        y1 -= desired_height_diff//2
        y2 += desired_height_diff - desired_height_diff//2
        if y2 >= image_height:
            diff = y2 - image_height
            y2 -= diff
            y1 -= diff
        if y1 < 0:
            y2 -= y1
            y1 -= y1
        if y2 >= image_height:
            y2 = image_height
    else:
        desired_width = (y2 - y1) * ratio_processing
        desired_width_diff = int(desired_width - (x2-x1))
        x1 -= desired_width_diff//2
        x2 += desired_width_diff - desired_width_diff//2
        if x2 >= image_width:
            diff = x2 - image_width
            x2 -= diff
            x1 -= diff
        if x1 < 0:
            x2 -= x1
            x1 -= x1
        if x2 >= image_width:
            x2 = image_width
    return x1, y1, x2, y2


def a1111_init(img, image_mask, resize_mode, width, height, blur, invert, full_res, padding, fill_pixels, round=True):
    """The pixel side of StableDiffusionProcessingImg2Img.init (A1111 1.9)."""
    crop_region = None
    paste_to = None
    image_mask = create_binary_mask(image_mask, round=round)
    if invert:
        image_mask = ImageOps.invert(image_mask)
    image_mask = a1111_blur(image_mask, blur, blur)
    if full_res:
        mask_for_overlay = image_mask
        mask = image_mask.convert('L')
        crop_region = get_crop_region_v2(mask, padding)
        crop_region = expand_crop_region(crop_region, width, height, mask.width, mask.height)
        x1, y1, x2, y2 = crop_region
        mask = mask.crop(crop_region)
        image_mask = resize_image(2, mask, width, height)
        paste_to = (x1, y1, x2 - x1, y2 - y1)
    else:
        image_mask = resize_image(resize_mode, image_mask, width, height)
        np_mask = np.array(image_mask)
        np_mask = np.clip((np_mask.astype(np.float32)) * 2, 0, 255).astype(np.uint8)
        mask_for_overlay = Image.fromarray(np_mask)
    latent_mask = image_mask
    image = img.convert('RGB')
    if crop_region is None:
        image = resize_image(resize_mode, image, width, height)
    if mask_for_overlay.size != (image.width, image.height):
        mask_for_overlay = resize_image(resize_mode, mask_for_overlay, image.width, image.height)
    ov = overlay(image, mask_for_overlay)
    if crop_region is not None:
        image = image.crop(crop_region)
        image = resize_image(2, image, width, height)
    if fill_pixels:
        image = fill(image, latent_mask)
    return image, latent_mask, ov, paste_to


big = Image.fromarray(pattern(48, 40, 3), 'RGB')
bigmask = Image.fromarray(mask_disc(48, 40, 30, 12, 3, 8), 'L')
for name, args in (("whole_crop_resize", (1, 32, 24, 4, False, False, 0, False)),
                   ("whole_fill_invert", (2, 40, 32, 2, True, False, 0, True)),
                   ("only_masked", (0, 32, 32, 4, False, True, 6, True))):
    image, latent_mask, ov, paste_to = a1111_init(big, bigmask, *args)
    out["init_" + name + "_image"] = planar(image)
    out["init_" + name + "_mask"] = planar(latent_mask.convert('L'))
    out["init_" + name + "_overlay"] = planar(ov)
    out["init_" + name + "_paste_to"] = list(paste_to) if paste_to else None
    gen = Image.fromarray(pattern(args[1], args[2], 3)[::-1, ::-1, :].copy(), 'RGB')
    out["init_" + name + "_final"] = planar(apply_overlay(gen, paste_to, ov))
json.dump(out, sys.stdout)
