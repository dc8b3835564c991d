package dev.animagine.core.animagine;

import dev.animagine.core.InvalidArgumentException;

import java.util.Locale;
import java.util.Optional;

/** The Animagine XL versions whose conventions this tool knows. 4.0 Opt and 4.0 Zero are 4.0. */
public enum AnimagineVersion {
    V4_0("4.0"), V3_1("3.1"), V3_0("3.0");

    /** The version when neither {@code --animagine} nor the model's file name says. */
    public static final AnimagineVersion DEFAULT = V4_0;

    private final String number;

    AnimagineVersion(String number) {
        this.number = number;
    }

    /** "4.0", "3.1", "3.0". */
    public String number() {
        return number;
    }

    public Conventions conventions() {
        return switch (this) {
            case V4_0 -> ModelCards.ANIMAGINE_4_0;
            case V3_1 -> ModelCards.ANIMAGINE_3_1;
            case V3_0 -> ModelCards.ANIMAGINE_3_0;
        };
    }

    /** "Animagine XL 4.0". */
    public String modelName() {
        return conventions().modelName();
    }

    /** A version number as written in a file name or by a user: "4", "4.0", "3.1", "3". */
    public static Optional<AnimagineVersion> fromNumber(String number) {
        return switch (number) {
            case "4", "4.0" -> Optional.of(V4_0);
            case "3.1" -> Optional.of(V3_1);
            case "3", "3.0" -> Optional.of(V3_0);
            default -> Optional.empty();
        };
    }

    /** The {@code --animagine} flag: 4, 3.1 or 3.0 (also 4.0, 3, with or without a leading v). */
    public static AnimagineVersion parse(String flag) {
        String s = flag.strip().toLowerCase(Locale.ROOT);
        if (s.startsWith("v")) s = s.substring(1);
        return fromNumber(s).orElseThrow(() ->
                new InvalidArgumentException("--animagine " + flag + ": expected 4, 3.1 or 3.0"));
    }
}
