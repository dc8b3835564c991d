package dev.animagine.core.pipeline;

import dev.animagine.core.InvalidArgumentException;
import dev.animagine.core.tensor.Interpolate;
import dev.animagine.core.tensor.Tensor;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The latent upscalers of a hires pass, as A1111's {@code shared.latent_upscale_modes} defines them
 * (each a {@code torch.nn.functional.interpolate} mode with or without antialiasing,
 * {@code align_corners=False}); the command-line ids follow A1111's names.
 */
public enum LatentUpscaler implements HiresUpscaler {
    LATENT("latent", "Latent", Interpolate.Mode.BILINEAR, false),
    LATENT_ANTIALIASED("latent-antialiased", "Latent (antialiased)", Interpolate.Mode.BILINEAR, true),
    LATENT_BICUBIC("latent-bicubic", "Latent (bicubic)", Interpolate.Mode.BICUBIC, false),
    LATENT_BICUBIC_ANTIALIASED("latent-bicubic-antialiased", "Latent (bicubic antialiased)", Interpolate.Mode.BICUBIC, true),
    LATENT_NEAREST("latent-nearest", "Latent (nearest)", Interpolate.Mode.NEAREST, false),
    LATENT_NEAREST_EXACT("latent-nearest-exact", "Latent (nearest-exact)", Interpolate.Mode.NEAREST_EXACT, false);

    private final String id, a1111Name;
    private final Interpolate.Mode mode;
    private final boolean antialias;

    LatentUpscaler(String id, String a1111Name, Interpolate.Mode mode, boolean antialias) {
        this.id = id;
        this.a1111Name = a1111Name;
        this.mode = mode;
        this.antialias = antialias;
    }

    public String id() {
        return id;
    }

    /** The name A1111 shows (and writes as "Hires upscaler" in infotext). */
    public String a1111Name() {
        return a1111Name;
    }

    public Interpolate.Mode mode() {
        return mode;
    }

    public boolean antialias() {
        return antialias;
    }

    /** Latents [n, c, h, w] resized to [n, c, outH, outW]. */
    public Tensor upscale(Tensor latents, int outH, int outW) {
        return Interpolate.resize(latents, outH, outW, mode, antialias);
    }

    /** By id or A1111 name, case-insensitively. */
    public static LatentUpscaler byId(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        for (LatentUpscaler u : values()) if (u.id.equals(n) || u.a1111Name.toLowerCase(Locale.ROOT).equals(n)) return u;
        throw new InvalidArgumentException("unknown hires upscaler '" + name + "' (valid: "
                + Arrays.stream(values()).map(LatentUpscaler::id).collect(Collectors.joining(", ")) + ")");
    }

    /**
     * The Animagine space's (and diffusers users') hires latent size: {@code round(latent * scale)}
     * per axis, Python's round (half to even) of the double product.
     */
    public static int spaceLatentSize(int latent, double scale) {
        return (int) Math.rint(latent * scale);
    }

    /**
     * A1111's hires latent size ({@code sample_hr_pass}): target pixels {@code int(pixels * scale)},
     * latents {@code target // 8}. Returns the target size in pixels (a1111 keeps it for the image).
     */
    public static int a1111TargetPixels(int pixels, double scale) {
        return (int) (pixels * scale);
    }
}
