package dev.animagine.core.animagine;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Animagine version a checkpoint's name states, read from the name alone (the file is not
 * opened): {@code animagine-xl-4.0-opt.safetensors}, Civitai's {@code animagineXL40_v4Opt.safetensors}
 * and {@code animagineXLV31_v31.safetensors}, a diffusers folder {@code animagine-xl-3.0}, or a
 * Hugging Face cache path {@code models--cagliostrolab--animagine-xl-4.0/snapshots/<hash>/}.
 *
 * @param name    the path element the version was read from
 * @param number  the version as named ("4.0", "3.1", "2.0"), whether or not this tool knows it
 * @param edition "Opt", "Zero" or "" (4.0's editions share 4.0's conventions)
 */
public record ModelFileName(String name, String number, String edition) {
    // "animagine", optional "xl", optional "v", a major digit and an optional minor digit.
    private static final Pattern VERSION =
            Pattern.compile("animagine[-_ .]*(?:xl)?[-_ .]*v?(\\d)(?:[._-]?(\\d)(?!\\d))?");
    // Parent folders must look like a model repository, so that ~/animagine3/ is not taken for 3.0.
    private static final Pattern REPOSITORY =
            Pattern.compile("animagine[-_ .]*xl[-_ .]*v?(\\d)(?:[._-]?(\\d)(?!\\d))?");
    private static final int PARENTS_SEARCHED = 4;

    /** The version this tool has conventions for, if the name states one. */
    public Optional<AnimagineVersion> version() {
        return AnimagineVersion.fromNumber(number);
    }

    /** "Animagine XL 4.0 Opt" as named by the file. */
    public String label() {
        return "Animagine XL " + number + (edition.isEmpty() ? "" : " " + edition);
    }

    /** Reads the version from a model path: its file name, else the nearest folders above it. */
    public static Optional<ModelFileName> of(String modelPath) {
        Path p = Path.of(modelPath).normalize();
        Path file = p.getFileName();
        if (file == null) return Optional.empty();
        Optional<ModelFileName> own = match(file.toString(), VERSION);
        if (own.isPresent()) return own;
        Path dir = p.getParent();
        for (int i = 0; i < PARENTS_SEARCHED && dir != null && dir.getFileName() != null; i++, dir = dir.getParent()) {
            Optional<ModelFileName> m = match(dir.getFileName().toString(), REPOSITORY);
            if (m.isPresent()) return m;
        }
        return Optional.empty();
    }

    private static Optional<ModelFileName> match(String name, Pattern pattern) {
        String lower = name.toLowerCase(Locale.ROOT);
        Matcher m = pattern.matcher(lower);
        if (!m.find()) return Optional.empty();
        String number = m.group(1) + "." + (m.group(2) == null ? "0" : m.group(2));
        String rest = lower.substring(m.end());
        String edition = !number.startsWith("4") ? ""
                : rest.contains("opt") ? "Opt" : rest.contains("zero") ? "Zero" : "";
        return Optional.of(new ModelFileName(name, number, edition));
    }
}
