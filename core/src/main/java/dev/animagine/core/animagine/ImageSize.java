package dev.animagine.core.animagine;

import dev.animagine.core.InvalidArgumentException;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** An image size in pixels. SDXL's VAE downsamples by 8, so both sides are multiples of 8. */
public record ImageSize(int width, int height) {
    private static final Pattern WXH = Pattern.compile("\\s*(\\d{1,6})\\s*[xX×*]\\s*(\\d{1,6})\\s*");
    static final int MAX_SIDE = 8192;

    public ImageSize {
        if (width <= 0 || height <= 0 || width % 8 != 0 || height % 8 != 0 || width > MAX_SIDE || height > MAX_SIDE) {
            throw new InvalidArgumentException("--size " + width + "x" + height
                    + ": width and height must be multiples of 8 between 8 and " + MAX_SIDE);
        }
    }

    /** The {@code --size} flag: {@code WxH}, e.g. {@code 832x1216}. */
    public static ImageSize parse(String flag) {
        Matcher m = WXH.matcher(flag);
        if (!m.matches()) {
            throw new InvalidArgumentException("--size " + flag + ": expected WIDTHxHEIGHT, e.g. 832x1216");
        }
        return new ImageSize(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
    }

    public long area() {
        return (long) width * height;
    }

    public double aspect() {
        return (double) width / height;
    }

    @Override
    public String toString() {
        return width + "x" + height;
    }
}
