package dev.animagine.core.animagine;

import dev.animagine.core.InvalidArgumentException;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code --aspect} flag: {@code W:H} (any positive numbers) or a name. {@code portrait} and
 * {@code landscape} are 2:3 and 3:2, which pick the 832x1216 and 1216x832 buckets the model
 * cards use in their examples.
 *
 * @param ratio width / height
 * @param text  as the user wrote it
 */
public record AspectRatio(double ratio, String text) {
    private static final Pattern W_H = Pattern.compile("\\s*(\\d+(?:\\.\\d+)?)\\s*[:/]\\s*(\\d+(?:\\.\\d+)?)\\s*");

    public static AspectRatio parse(String flag) {
        String s = flag.strip().toLowerCase(Locale.ROOT);
        double ratio = switch (s) {
            case "square" -> 1.0;
            case "portrait" -> 2.0 / 3.0;
            case "landscape" -> 3.0 / 2.0;
            default -> {
                Matcher m = W_H.matcher(s);
                double w = m.matches() ? Double.parseDouble(m.group(1)) : 0;
                double h = m.matches() ? Double.parseDouble(m.group(2)) : 0;
                if (w <= 0 || h <= 0) {
                    throw new InvalidArgumentException("--aspect " + flag
                            + ": expected W:H (e.g. 2:3) or portrait, landscape, square");
                }
                yield w / h;
            }
        };
        return new AspectRatio(ratio, flag.strip());
    }
}
