package dev.animagine.core.animagine;

import java.util.Comparator;
import java.util.List;

/**
 * The nine sizes every Animagine XL version was trained at ("Multi Aspect Resolution" in the 3.x
 * cards, "Recommended Resolutions" in 4.0's): about 1024x1024 pixels of area in nine shapes.
 */
public final class ResolutionBuckets {
    public static final List<ImageSize> ALL = List.of(
            new ImageSize(1024, 1024),
            new ImageSize(1152, 896), new ImageSize(896, 1152),
            new ImageSize(1216, 832), new ImageSize(832, 1216),
            new ImageSize(1344, 768), new ImageSize(768, 1344),
            new ImageSize(1536, 640), new ImageSize(640, 1536));

    /** The size when neither {@code --aspect} nor {@code --size} is given: the cards' portrait example, 832x1216. */
    public static final ImageSize DEFAULT = new ImageSize(832, 1216);

    /** The cards warn of degradation above the training resolution's area. */
    public static final long MAX_AREA = 1024L * 1024;

    private ResolutionBuckets() {}

    /** The bucket whose shape is nearest: smallest |log(w/h) - log(bucket w/h)|, so 2:1 and 1:2 are treated alike. */
    public static ImageSize nearest(double aspect) {
        double target = Math.log(aspect);
        return ALL.stream().min(Comparator.comparingDouble(b -> Math.abs(Math.log(b.aspect()) - target))).orElseThrow();
    }

    public static boolean isTrained(ImageSize size) {
        return ALL.contains(size);
    }
}
