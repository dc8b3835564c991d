package dev.animagine.core.pipeline;

import dev.animagine.core.InvalidArgumentException;
import dev.animagine.core.vae.tiny.TinyAutoencoderDecoder;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * How live previews are drawn from a step's latents, as A1111's {@code show_progress_type}: the
 * linear "Approx cheap" fit ({@link LatentPreview}, 1/8 of the image's size) or the TAESD decoder
 * (full size) when one is loaded, which is then the default. The method may change while runs go on.
 */
public final class LivePreviews implements AutoCloseable {
    /** A1111's preview methods that exist here, by their option values. */
    public enum Method {
        APPROX_CHEAP("Approx cheap"), TAESD("TAESD");

        private final String a1111Name;

        Method(String a1111Name) {
            this.a1111Name = a1111Name;
        }

        public String a1111Name() {
            return a1111Name;
        }

        /** The method an A1111 option value names (case-insensitive), or empty. */
        public static Optional<Method> fromA1111Name(String name) {
            for (Method m : values()) if (m.a1111Name.equalsIgnoreCase(name.strip())) return Optional.of(m);
            return Optional.empty();
        }
    }

    /** Where A1111 (VAE-taesd/), Forge and ComfyUI (vae_approx/) keep the SDXL decoder, in a models folder. */
    private static final List<String> MODELS_DIR_FILES = List.of("VAE-taesd/taesdxl_decoder.safetensors",
            "VAE-approx/taesdxl_decoder.safetensors", "vae_approx/taesdxl_decoder.safetensors");

    private final TinyAutoencoderDecoder taesd;
    private volatile Method method;

    /** @param taesd the decoder, or null for the linear approximation only */
    public LivePreviews(TinyAutoencoderDecoder taesd) {
        this.taesd = taesd;
        this.method = taesd != null ? Method.TAESD : Method.APPROX_CHEAP;
    }

    /** Linear approximation only. */
    public static LivePreviews cheap() {
        return new LivePreviews(null);
    }

    /** The TAESD-XL decoder file of an A1111/Forge/ComfyUI models folder, if it has one. */
    public static Optional<Path> findInModelsDir(Path modelsDir) {
        if (modelsDir == null) return Optional.empty();
        for (String f : MODELS_DIR_FILES) {
            Path p = modelsDir.resolve(f);
            if (Files.isRegularFile(p)) return Optional.of(p);
        }
        return Optional.empty();
    }

    public Optional<TinyAutoencoderDecoder> taesd() {
        return Optional.ofNullable(taesd);
    }

    public Method method() {
        return method;
    }

    /** Switches the method; TAESD needs a loaded decoder. */
    public void method(Method m) {
        if (m == Method.TAESD && taesd == null)
            throw new InvalidArgumentException("show_progress_type: TAESD previews need a TAESD decoder (start with --taesd FILE)");
        method = m;
    }

    /**
     * The preview of one image's latents {@code [channels, height, width]}; the linear fit when
     * TAESD is off or does not read this many channels.
     */
    public BufferedImage render(float[] latents, int channels, int height, int width) {
        if (method == Method.TAESD && taesd != null && taesd.latentChannels() == channels)
            return taesd.toImage(latents, height, width);
        return LatentPreview.toImage(latents, channels, height, width);
    }

    /** The option values accepted, for messages: "Approx cheap, TAESD". */
    public static String names() {
        StringBuilder s = new StringBuilder();
        for (Method m : Method.values()) s.append(s.isEmpty() ? "" : ", ").append(m.a1111Name());
        return s.toString();
    }

    @Override
    public void close() {
        if (taesd != null) taesd.close();
    }
}
