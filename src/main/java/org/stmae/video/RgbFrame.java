package org.stmae.video;

import org.stmae.tensor.Tensor;

/**
 * One decoded frame as 8-bit RGB, interleaved row-major ({@code [H, W, 3]}, like the uint8
 * arrays torchvision and decord hand to the official pipelines). Owns its array: nothing in
 * jcodec keeps a reference to it.
 *
 * @param index presentation index of the frame in the video (0-based)
 * @param pts presentation time stamp in seconds
 */
public record RgbFrame(int index, double pts, int width, int height, byte[] rgb) {
    public RgbFrame {
        if (rgb.length != width * height * 3)
            throw new IllegalArgumentException("RgbFrame: " + rgb.length + " bytes for " + width + "x" + height);
    }

    /** Channel {@code c} (0 R, 1 G, 2 B) of pixel (y, x), 0..255. */
    public int get(int c, int y, int x) {
        return rgb[(y * width + x) * 3 + c] & 0xff;
    }

    /** The frame as float RGB in [0, 1], shape [3, H, W]. */
    public Tensor toTensor() {
        int plane = width * height;
        float[] out = new float[3 * plane];
        for (int i = 0; i < plane; i++) {
            out[i] = (rgb[3 * i] & 0xff) / 255f;
            out[plane + i] = (rgb[3 * i + 1] & 0xff) / 255f;
            out[2 * plane + i] = (rgb[3 * i + 2] & 0xff) / 255f;
        }
        return Tensor.of(out, 3, height, width);
    }
}
