package dev.animagine.core.pipeline;

import dev.animagine.core.InvalidArgumentException;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The upscaler of a hires pass: a latent mode ({@link LatentUpscaler}: the first pass's latents
 * interpolated) or an image-space one ({@link ImageUpscaler}: the first pass decoded, resized as
 * pixels and encoded again), named as A1111 names them in {@code hr_upscaler} and the infotext.
 */
public sealed interface HiresUpscaler permits LatentUpscaler, ImageUpscaler {
    /** The command-line id ({@code latent}, {@code lanczos}, ...). */
    String id();

    /** A1111's name ({@code Latent}, {@code Lanczos}, ...), written as "Hires upscaler". */
    String a1111Name();

    /** Every upscaler, latent modes first (A1111's order). */
    static List<HiresUpscaler> all() {
        List<HiresUpscaler> all = new ArrayList<>(List.of(LatentUpscaler.values()));
        all.addAll(List.of(ImageUpscaler.values()));
        return all;
    }

    /** By id or A1111 name, case-insensitively; the error lists the valid ones. */
    static HiresUpscaler byId(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        for (HiresUpscaler u : all()) if (u.id().equals(n) || u.a1111Name().toLowerCase(Locale.ROOT).equals(n)) return u;
        throw new InvalidArgumentException("unknown hires upscaler '" + name + "' (valid: " + String.join(", ", all().stream().map(HiresUpscaler::id).toList())
                + "; model upscalers such as ESRGAN are not supported)");
    }
}
