package org.stmae.video;

import org.jcodec.common.model.ColorSpace;
import org.jcodec.common.model.Picture;
import org.jcodec.common.model.Rect;

/**
 * Planar YCbCr (as jcodec hands it out) to interleaved 8-bit RGB.
 *
 * <p>jcodec stores 8-bit samples as signed bytes shifted by -128 (value = byte + 128). The
 * matrix is BT.601 unless the stream says BT.709 (H.264 VUI matrix_coefficients 1), studio
 * range (Y 16..235) unless the stream says full range, which is what ffmpeg's swscale does for
 * untagged H.264. Chroma is upsampled by replication (nearest sample), as swscale's unscaled
 * yuv420p to rgb24 path does. Fixed point with 16 fractional bits, rounded to nearest.
 */
final class ColorConvert {
    private ColorConvert() {}

    enum Matrix { BT601, BT709 }

    /** Coefficients {cy, crv, cgu, cgv, cbu} scaled by 65536, and the luma offset. */
    private static int[] coeffs(Matrix m, boolean fullRange) {
        double kr = m == Matrix.BT709 ? 0.2126 : 0.299;
        double kb = m == Matrix.BT709 ? 0.0722 : 0.114;
        double kg = 1 - kr - kb;
        double ys = fullRange ? 1.0 : 255.0 / 219.0;
        double cs = fullRange ? 1.0 : 255.0 / 224.0;
        double crv = 2 * (1 - kr) * cs;
        double cbu = 2 * (1 - kb) * cs;
        double cgu = 2 * (1 - kb) * kb / kg * cs;
        double cgv = 2 * (1 - kr) * kr / kg * cs;
        return new int[] {fix(ys), fix(crv), fix(cgu), fix(cgv), fix(cbu), fullRange ? 0 : 16};
    }

    private static int fix(double v) {
        return (int) Math.round(v * 65536);
    }

    /**
     * Converts the visible (cropped) area of an 8-bit planar YUV picture to RGB bytes.
     * Works for 4:2:0, 4:2:2 and 4:4:4 layouts and for grey (luma only).
     */
    static byte[] toRgb(Picture pic, Matrix matrix, boolean fullRange) {
        Rect crop = pic.getCrop();
        int x0 = crop == null ? 0 : crop.getX();
        int y0 = crop == null ? 0 : crop.getY();
        int w = crop == null ? pic.getWidth() : crop.getWidth();
        int h = crop == null ? pic.getHeight() : crop.getHeight();
        ColorSpace cs = pic.getColor();
        byte[][] planes = pic.getData();
        byte[] yp = planes[0];
        int ys = pic.getPlaneWidth(0);
        boolean grey = planes.length < 3 || planes[1] == null || cs == ColorSpace.GREY || cs == ColorSpace.MONO;
        byte[] up = grey ? null : planes[1];
        byte[] vp = grey ? null : planes[2];
        int cstride = grey ? 0 : pic.getPlaneWidth(1);
        int shx = grey ? 0 : log2(pic.getWidth() / Math.max(1, pic.getPlaneWidth(1)));
        int shy = grey ? 0 : log2(pic.getHeight() / Math.max(1, pic.getPlaneHeight(1)));
        int[] k = coeffs(matrix, fullRange);
        int cy = k[0], crv = k[1], cgu = k[2], cgv = k[3], cbu = k[4], yoff = k[5];
        byte[] out = new byte[w * h * 3];
        int o = 0;
        for (int y = 0; y < h; y++) {
            int yrow = (y + y0) * ys + x0;
            int crow = ((y + y0) >> shy) * cstride;
            for (int x = 0; x < w; x++) {
                int lum = (yp[yrow + x] + 128 - yoff) * cy;
                int r, g, b;
                if (grey) {
                    r = g = b = lum;
                } else {
                    int ci = crow + ((x + x0) >> shx);
                    int u = up[ci];  // already centred: byte value - 128 + 128 - 128
                    int v = vp[ci];
                    r = lum + crv * v;
                    g = lum - cgu * u - cgv * v;
                    b = lum + cbu * u;
                }
                out[o++] = clamp(r);
                out[o++] = clamp(g);
                out[o++] = clamp(b);
            }
        }
        return out;
    }

    private static byte clamp(int v) {
        int p = (v + 32768) >> 16;
        return (byte) (p < 0 ? 0 : p > 255 ? 255 : p);
    }

    private static int log2(int v) {
        int s = 0;
        while ((1 << s) < v) s++;
        return s;
    }
}
