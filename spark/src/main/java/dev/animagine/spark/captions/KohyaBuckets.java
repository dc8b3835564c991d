package dev.animagine.spark.captions;

import dev.animagine.core.InvalidArgumentException;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The aspect-ratio bucket kohya-ss/sd-scripts trains an image in (train_util.BucketManager.select_bucket),
 * so that {@code train_resolution} in the metadata is what sd-scripts itself would compute.
 *
 * <p>With {@code noUpscale} (sd-scripts' {@code --bucket_no_upscale}, the default here) an image larger
 * than the maximum area is shrunk at its aspect ratio, the side whose rounding to {@code steps} keeps the
 * aspect closer is rounded, and both sides are then floored to {@code steps}; a smaller image keeps its
 * size floored to {@code steps}. sd-scripts ignores the minimum and maximum side in that mode, and so does
 * this class (the summary counts buckets outside them). Without it the bucket is the predefined one
 * (model_util.make_bucket_resolutions from the minimum to the maximum side) nearest in aspect ratio.
 *
 * @param resolution the side of the training resolution; its square (1024x1024 for SDXL) is the maximum area
 * @param steps     bucket sides are multiples of this (64)
 * @param minSide   smallest predefined bucket side (256)
 * @param maxSide   largest predefined bucket side (2048)
 * @param noUpscale never enlarge an image (sd-scripts' --bucket_no_upscale)
 */
public record KohyaBuckets(int resolution, int steps, int minSide, int maxSide, boolean noUpscale) implements Serializable {
    public static final KohyaBuckets SDXL = new KohyaBuckets(1024, 64, 256, 2048, true);

    public KohyaBuckets {
        if (resolution <= 0 || steps <= 0 || minSide <= 0 || maxSide < minSide || maxSide < resolution)
            throw new InvalidArgumentException("buckets: resolution " + resolution + ", steps " + steps + ", sides "
                    + minSide + ".." + maxSide + ": need positive values, min <= max and max >= resolution");
    }

    public long maxArea() {
        return (long) resolution * resolution;
    }

    /** A bucket size in pixels. */
    public record Bucket(int width, int height) implements Serializable {
        @Override
        public String toString() {
            return width + "x" + height;
        }
    }

    /** The bucket of an image of the given size (both positive). */
    public Bucket select(int width, int height) {
        double aspect = (double) width / height;
        if (!noUpscale) return predefined(width, height, aspect);
        int w = width;
        int h = height;
        if ((long) width * height > maxArea()) {
            double resizedWidth = Math.sqrt(maxArea() * aspect);
            double resizedHeight = maxArea() / resizedWidth;
            int widthRounded = roundToSteps(resizedWidth);
            int heightForWidth = roundToSteps(widthRounded / aspect);
            double aspectByWidth = (double) widthRounded / heightForWidth;
            int heightRounded = roundToSteps(resizedHeight);
            int widthForHeight = roundToSteps(heightRounded * aspect);
            double aspectByHeight = (double) widthForHeight / heightRounded;
            if (Math.abs(aspectByWidth - aspect) < Math.abs(aspectByHeight - aspect)) {
                w = widthRounded;
                h = (int) (widthRounded / aspect + 0.5);
            } else {
                w = (int) (heightRounded * aspect + 0.5);
                h = heightRounded;
            }
        }
        return new Bucket(w - w % steps, h - h % steps);
    }

    /** sd-scripts' round_to_steps: round half up, then floor to a multiple of steps. */
    private int roundToSteps(double x) {
        int r = (int) (x + 0.5);
        return r - r % steps;
    }

    private Bucket predefined(int width, int height, double aspect) {
        List<Bucket> resos = resolutions();
        for (Bucket b : resos) {
            if (b.width() == width && b.height() == height) return b;
        }
        Bucket best = resos.getFirst();
        double bestError = Double.POSITIVE_INFINITY;
        for (Bucket b : resos) {
            double error = Math.abs((double) b.width() / b.height() - aspect);
            if (error < bestError) { // strict: the first of equal errors wins, as numpy's argmin
                bestError = error;
                best = b;
            }
        }
        return best;
    }

    /** model_util.make_bucket_resolutions, sorted by (width, height) as sd-scripts sorts them. */
    public List<Bucket> resolutions() {
        TreeSet<Bucket> set = new TreeSet<>((a, b) -> a.width() != b.width()
                ? Integer.compare(a.width(), b.width()) : Integer.compare(a.height(), b.height()));
        long area = maxArea();
        int square = (int) (Math.floor(Math.sqrt(area) / steps) * steps);
        set.add(new Bucket(square, square));
        for (int w = minSide; w <= maxSide; w += steps) {
            int h = (int) Math.min(maxSide, (area / w) / steps * steps);
            if (h >= minSide) {
                set.add(new Bucket(w, h));
                set.add(new Bucket(h, w));
            }
        }
        return new ArrayList<>(set);
    }

    /** True when a side of the bucket is outside minSide..maxSide (possible only with noUpscale). */
    public boolean outOfRange(Bucket b) {
        return b.width() < minSide || b.height() < minSide || b.width() > maxSide || b.height() > maxSide;
    }
}
