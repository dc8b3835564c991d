package dev.animagine.spark.batch;

import dev.animagine.core.InvalidRequestException;
import dev.animagine.core.animagine.AnimagineVersion;
import dev.animagine.core.animagine.ImageSize;
import dev.animagine.core.animagine.Rating;
import dev.animagine.core.animagine.Wildcards;
import dev.animagine.core.service.AnimagineSettings;
import dev.animagine.core.service.Compat;
import dev.animagine.core.service.ImageRequest;

import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One request of a batch as read (every value a string, or null when the row leaves it out). A column
 * missing in a row falls back to the command's defaults, then to {@code animagine generate}'s.
 */
public record BatchRow(String id, Map<String, String> values) implements Serializable {
    /** The columns a request file may have; {@code id} names the output file. */
    public static final List<String> COLUMNS = List.of("id", "prompt", "negative_prompt", "seed", "steps", "cfg_scale",
            "sampler", "schedule", "width", "height", "animagine", "rating", "year", "quality", "compat", "clip_skip");

    /** The prompt column (or its default), or null. */
    public String prompt(Map<String, String> defaults) {
        return get("prompt", defaults);
    }

    /**
     * The image request, or an InvalidRequestException naming the column at fault. Wildcards (none:
     * {@link Wildcards#none()}) are drawn from the row's seed, as {@code generate --wildcards} does.
     */
    public ImageRequest toRequest(Map<String, String> defaults, Wildcards wildcards) {
        ImageRequest.Builder b = ImageRequest.builder();
        String prompt = get("prompt", defaults);
        if (prompt == null || prompt.isBlank()) throw new InvalidRequestException("prompt", "is missing");
        b.prompt(prompt);
        b.negativePrompt(get("negative_prompt", defaults));
        b.seed(number("seed", defaults, -1L));
        b.steps((int) number("steps", defaults, 28L));
        String cfg = get("cfg_scale", defaults);
        if (cfg != null) b.cfgScale(decimal("cfg_scale", cfg));
        if (get("sampler", defaults) != null) b.sampler(get("sampler", defaults));
        if (get("schedule", defaults) != null) b.schedule(get("schedule", defaults));
        if (get("compat", defaults) != null) b.compat(field("compat", () -> Compat.parse(get("compat", defaults))));
        b.clipSkip((int) number("clip_skip", defaults, 1L));
        String w = get("width", defaults);
        String h = get("height", defaults);
        if ((w == null) != (h == null)) throw new InvalidRequestException(w == null ? "width" : "height", "is missing (width and height go together)");
        if (w != null) {
            int width = (int) number("width", defaults, 0L);
            int height = (int) number("height", defaults, 0L);
            b.size(field("width", () -> new ImageSize(width, height)));
        }
        b.animagine(settings(defaults, wildcards));
        return b.build();
    }

    private AnimagineSettings settings(Map<String, String> defaults, Wildcards wildcards) {
        String v = get("animagine", defaults);
        AnimagineVersion version = v == null ? null : AnimagineVersion.fromNumber(v.strip())
                .orElseThrow(() -> new InvalidRequestException("animagine", "must be 4, 3.1 or 3.0 (got '" + v + "')"));
        String r = get("rating", defaults);
        Rating rating = r == null ? null : field("rating", () -> Rating.valueOf(r.strip().toUpperCase(Locale.ROOT)));
        String y = get("year", defaults);
        Integer year = y == null ? null : (int) number("year", defaults, 0L);
        String q = get("quality", defaults);
        Boolean quality = q == null ? null : switch (q.strip().toLowerCase(Locale.ROOT)) {
            case "true", "on", "yes", "1" -> Boolean.TRUE;
            case "false", "off", "no", "0" -> Boolean.FALSE;
            default -> throw new InvalidRequestException("quality", "must be true or false (got '" + q + "')");
        };
        // null when none, as generate's toSettings: lists given count as an Animagine option (diffusers mode)
        Wildcards lists = wildcards.names().isEmpty() ? null : wildcards;
        return new AnimagineSettings(version, quality, null, rating, year, null, null, lists, null);
    }

    private String get(String column, Map<String, String> defaults) {
        String v = values.get(column);
        if (v == null || v.isEmpty()) v = defaults.get(column);
        return v == null || v.isEmpty() ? null : v;
    }

    private long number(String column, Map<String, String> defaults, long fallback) {
        String v = get(column, defaults);
        if (v == null) return fallback;
        try {
            double d = Double.parseDouble(v.strip());
            if (d != Math.rint(d) || Double.isInfinite(d)) throw new NumberFormatException();
            return (long) d;
        } catch (NumberFormatException e) {
            throw new InvalidRequestException(column, "must be a whole number (got '" + v + "')");
        }
    }

    private static double decimal(String column, String v) {
        try {
            return Double.parseDouble(v.strip());
        } catch (NumberFormatException e) {
            throw new InvalidRequestException(column, "must be a number (got '" + v + "')");
        }
    }

    private static <T> T field(String column, java.util.function.Supplier<T> parse) {
        try {
            return parse.get();
        } catch (InvalidRequestException e) {
            throw e.renamed(column);
        } catch (RuntimeException e) {
            throw new InvalidRequestException(column, "is invalid: " + e.getMessage());
        }
    }
}
