package dev.animagine.core.image;

import dev.animagine.core.tensor.Tensor;

/**
 * An 8-bit image as PIL holds one: {@code channels} planes of {@code width x height} values 0..255
 * (1 = "L" grey, 3 = "RGB", 4 = "RGBA" with straight alpha), stored planar, row-major.
 */
public record PixelImage(int width, int height, int channels, int[] data) {
    public PixelImage {
        if (width < 1 || height < 1 || channels < 1 || channels > 4)
            throw new IllegalArgumentException("image " + width + "x" + height + "x" + channels);
        if (data.length != (long) width * height * channels)
            throw new IllegalArgumentException("image data has " + data.length + " values, not " + width + "x" + height + "x" + channels);
    }

    public static PixelImage blank(int width, int height, int channels) {
        return new PixelImage(width, height, channels, new int[width * height * channels]);
    }

    public int plane() {
        return width * height;
    }

    public int get(int c, int x, int y) {
        return data[(c * height + y) * width + x];
    }

    public void set(int c, int x, int y, int v) {
        data[(c * height + y) * width + x] = v;
    }

    /** One channel as an "L" image (a copy). */
    public PixelImage channel(int c) {
        int[] d = new int[plane()];
        System.arraycopy(data, c * plane(), d, 0, d.length);
        return new PixelImage(width, height, 1, d);
    }

    /** PIL's {@code crop((x1, y1, x2, y2))} within the image (no padding). */
    public PixelImage crop(int x1, int y1, int x2, int y2) {
        if (x1 < 0 || y1 < 0 || x2 > width || y2 > height || x2 <= x1 || y2 <= y1)
            throw new IllegalArgumentException("crop (" + x1 + ", " + y1 + ", " + x2 + ", " + y2 + ") of " + width + "x" + height);
        int w = x2 - x1, h = y2 - y1;
        int[] d = new int[w * h * channels];
        for (int c = 0; c < channels; c++)
            for (int y = 0; y < h; y++) System.arraycopy(data, (c * height + y1 + y) * width + x1, d, (c * h + y) * w, w);
        return new PixelImage(w, h, channels, d);
    }

    /** PIL's {@code paste(src, (x, y))} without a mask: the overlapping part is copied, the rest clipped. */
    public void paste(PixelImage src, int x0, int y0) {
        if (src.channels != channels) throw new IllegalArgumentException("paste of " + src.channels + " channels into " + channels);
        for (int c = 0; c < channels; c++)
            for (int y = Math.max(0, -y0); y < src.height && y0 + y < height; y++)
                for (int x = Math.max(0, -x0); x < src.width && x0 + x < width; x++)
                    data[(c * height + y0 + y) * width + x0 + x] = src.data[(c * src.height + y) * src.width + x];
    }

    /**
     * The pixels as a float tensor [1, channels, H, W] in [-1, 1]: {@code 2 * (float32(v) / 255) - 1},
     * the float32 operations of diffusers' {@code VaeImageProcessor} and A1111's img2img.
     */
    public Tensor toTensor() {
        float[] out = new float[data.length];
        for (int i = 0; i < out.length; i++) {
            float x = (float) data[i] / 255f;
            out[i] = 2f * x - 1f;
        }
        return new Tensor(out, 1, channels, height, width);
    }

    /** The pixels / 255 as float32, [1, channels, H, W] in [0, 1]. */
    public Tensor toUnitTensor() {
        float[] out = new float[data.length];
        for (int i = 0; i < out.length; i++) out[i] = (float) data[i] / 255f;
        return new Tensor(out, 1, channels, height, width);
    }
}
