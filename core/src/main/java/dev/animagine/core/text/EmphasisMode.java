package dev.animagine.core.text;

/**
 * A1111's "Emphasis mode" setting ({@code sd_emphasis}): whether the prompt's brackets are parsed, and
 * how the per-token multipliers are applied to a text encoder's output.
 */
public enum EmphasisMode {
    /** Multiply, then rescale so the chunk's mean is unchanged (A1111's default). */
    ORIGINAL("Original"),
    /** Multiply only. */
    NO_NORM("No norm"),
    /** Parse the syntax but apply no weights. */
    IGNORE("Ignore"),
    /** No emphasis syntax at all: brackets and BREAK are ordinary text. */
    NONE("None");

    private final String a1111Name;

    EmphasisMode(String a1111Name) {
        this.a1111Name = a1111Name;
    }

    /** The name A1111's settings use ("Original", "No norm", "Ignore", "None"). */
    public String a1111Name() {
        return a1111Name;
    }

    /** The mode with this A1111 name (case-insensitive; also accepts the enum name). */
    public static EmphasisMode fromA1111Name(String name) {
        for (EmphasisMode m : values())
            if (m.a1111Name.equalsIgnoreCase(name) || m.name().equalsIgnoreCase(name.replace('-', '_'))) return m;
        throw new dev.animagine.core.InvalidArgumentException("unknown emphasis mode '" + name + "' (expected Original, No norm, Ignore or None)");
    }

    /** Whether {@code (a:1.2)}, {@code [a]} and BREAK are interpreted. */
    public boolean parsesSyntax() {
        return this != NONE;
    }

    /**
     * Applies the multipliers to one chunk's hidden states in place, as A1111's {@code after_transformers}
     * does in float32: {@code z} is [tokens, channels] row-major (tokens = 77 × prompts in the batch
     * chunk), {@code multipliers} has one entry per token (rounded to float, as {@code torch.asarray} does).
     * ORIGINAL computes the mean over the whole chunk tensor before and after multiplying and scales
     * by their ratio. For SDXL, A1111 does this inside each text encoder's wrapper: CLIP-L's and bigG's
     * hidden states are weighted (and their means restored) separately before they are concatenated,
     * and bigG's pooled embedding is taken before weighting.
     */
    public void apply(float[] z, double[] multipliers, int channels) {
        if (this == IGNORE || this == NONE) return;
        int tokens = multipliers.length;
        if ((long) tokens * channels != z.length)
            throw new IllegalArgumentException("hidden states have " + z.length + " values, expected " + tokens + " tokens x " + channels);
        float before = mean(z);
        for (int t = 0; t < tokens; t++) {
            float m = (float) multipliers[t];
            for (int c = t * channels, end = c + channels; c < end; c++) z[c] *= m;
        }
        if (this == NO_NORM) return;
        float after = mean(z);
        float ratio = before / after;
        for (int i = 0; i < z.length; i++) z[i] *= ratio;
    }

    /** Mean accumulated in double and rounded once (torch's float32 mean differs only in the last bits). */
    private static float mean(float[] z) {
        double s = 0;
        for (float v : z) s += v;
        return (float) (s / z.length);
    }
}
