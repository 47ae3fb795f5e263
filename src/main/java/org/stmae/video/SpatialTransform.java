package org.stmae.video;

import java.util.SplittableRandom;

/**
 * Crops, resizes, flips and normalises a clip of RGB frames into a float tensor slice
 * {@code [C, T, H, W]} (reference-semantics §8.1, §10).
 *
 * <p>Every operation is one bilinear resample (align_corners False, no antialiasing, as
 * {@code torch.nn.functional.interpolate} on float data) described per axis by a
 * {@link Axis}: output pixel o reads source coordinate {@code (o + shift + 0.5) * scale - 0.5},
 * clamped below at 0 and above at the last pixel of the region it is taken from. A random
 * resized crop is "slice the box, then resize" (clamped to the box); the evaluation path is
 * "resize the short side, then crop" (clamped to the frame). The same geometry is used for
 * every frame of a clip. Normalisation is applied to the interpolated value, which equals
 * normalising first (bilinear weights sum to 1), as mae_st does.
 */
public final class SpatialTransform {
    private SpatialTransform() {}

    /** Resampling of one axis: source = (o + shift + 0.5) * scale - 0.5 + base, clamped into [base, base + limit - 1]. */
    public record Axis(int out, double scale, double shift, int base, int limit) {
        /** Precomputed left index, right index and weight of the right sample for every output position. */
        void tables(int[] i0, int[] i1, float[] w1, boolean mirror) {
            for (int o = 0; o < out; o++) {
                int oo = mirror ? out - 1 - o : o;
                double real = (oo + shift + 0.5) * scale - 0.5;
                if (real < 0) real = 0;
                int x0 = (int) real;
                if (x0 > limit - 1) x0 = limit - 1;
                double lam = real - x0;
                if (lam > 1) lam = 1;
                int x1 = Math.min(x0 + 1, limit - 1);
                i0[o] = base + x0;
                i1[o] = base + x1;
                w1[o] = (float) lam;
            }
        }
    }

    /** A crop of a frame resized to the output size, optionally mirrored left-right. */
    public record Geometry(Axis x, Axis y, boolean flip) {
        public int outWidth() {
            return x.out();
        }

        public int outHeight() {
            return y.out();
        }
    }

    /** Integer box {@code [left, left+w) x [top, top+h)} of the source, resized to outW x outH. */
    public static Geometry box(int left, int top, int w, int h, int outW, int outH, boolean flip) {
        return new Geometry(new Axis(outW, (double) w / outW, 0, left, w), new Axis(outH, (double) h / outH, 0, top, h), flip);
    }

    /**
     * mae_st's random resized crop (util/decoder/transform.py): up to 10 tries of area fraction
     * U(scale) and log-uniform aspect in ratio; w = round(sqrt(area*aspect)),
     * h = round(sqrt(area/aspect)); accepted if it fits; position uniform. Fallback: the centre
     * crop clamped to the aspect range. Then a flip with probability {@code flipProb}.
     */
    public static Geometry randomResizedCrop(int srcW, int srcH, int outW, int outH, double scaleMin, double scaleMax,
                                             double ratioMin, double ratioMax, double flipProb, SplittableRandom rng) {
        double area = (double) srcW * srcH;
        double logMin = Math.log(ratioMin), logMax = Math.log(ratioMax);
        int w = -1, h = -1, top = 0, left = 0;
        for (int attempt = 0; attempt < 10; attempt++) {
            double target = area * (scaleMin + (scaleMax - scaleMin) * rng.nextDouble());
            double aspect = Math.exp(logMin + (logMax - logMin) * rng.nextDouble());
            int cw = (int) Math.round(Math.sqrt(target * aspect));
            int ch = (int) Math.round(Math.sqrt(target / aspect));
            if (cw > 0 && cw <= srcW && ch > 0 && ch <= srcH) {
                w = cw;
                h = ch;
                top = rng.nextInt(srcH - h + 1);
                left = rng.nextInt(srcW - w + 1);
                break;
            }
        }
        if (w < 0) {
            double inRatio = (double) srcW / srcH;
            if (inRatio < ratioMin) {
                w = srcW;
                h = (int) Math.round(w / ratioMin);
            } else if (inRatio > ratioMax) {
                h = srcH;
                w = (int) Math.round(h * ratioMax);
            } else {
                w = srcW;
                h = srcH;
            }
            w = Math.max(1, Math.min(w, srcW));
            h = Math.max(1, Math.min(h, srcH));
            top = (srcH - h) / 2;
            left = (srcW - w) / 2;
        }
        boolean flip = flipProb > 0 && rng.nextDouble() < flipProb;
        return box(left, top, w, h, outW, outH, flip);
    }

    /** Which spatial crop of a multi-view test. */
    public enum CropStyle {
        /** mae_st / SlowFast uniform_crop: offsets 0, ceil((L - S) / 2), L - S along the long side; centre ceil along the short side. */
        MAE_ST,
        /** VideoMAE: offsets int(j * (L - S) / 2) along the long side; the whole short side. */
        VIDEOMAE
    }

    /**
     * Evaluation view: resize so that the short side is {@code size} (long side floor(L*size/short)),
     * then take spatial crop {@code j} of {@code crops} (0 = left/top, 1 = centre, 2 = right/bottom
     * for 3 crops; the centre for 1 crop) of size x size.
     */
    public static Geometry evalCrop(int srcW, int srcH, int size, int j, int crops, CropStyle style) {
        boolean landscape = srcW >= srcH;
        int shortSide = landscape ? srcH : srcW;
        int longSide = landscape ? srcW : srcH;
        int newLong = (int) Math.floor((double) longSide / shortSide * size);
        newLong = Math.max(newLong, size);
        int newW = landscape ? newLong : size, newH = landscape ? size : newLong;
        int rest = newLong - size;
        int along;
        if (crops == 1) along = style == CropStyle.MAE_ST ? (rest + 1) / 2 : rest / 2;
        else if (style == CropStyle.MAE_ST) along = j == 0 ? 0 : j == crops - 1 ? rest : (rest + 1) / 2;
        else along = (int) (j * (double) rest / (crops - 1));
        int offX = landscape ? along : 0;
        int offY = landscape ? 0 : along;
        Axis x = new Axis(size, (double) srcW / newW, offX, 0, srcW);
        Axis y = new Axis(size, (double) srcH / newH, offY, 0, srcH);
        return new Geometry(x, y, false);
    }

    /**
     * Writes the clip {@code frames} through {@code g} into {@code dst} as [3, T, outH, outW]
     * starting at {@code offset}, normalised with {@code norm}.
     */
    public static void render(RgbFrame[] frames, Geometry g, Normalization norm, float[] dst, int offset) {
        int ow = g.outWidth(), oh = g.outHeight(), t = frames.length;
        int[] x0 = new int[ow], x1 = new int[ow];
        float[] wx = new float[ow];
        int[] y0 = new int[oh], y1 = new int[oh];
        float[] wy = new float[oh];
        g.x().tables(x0, x1, wx, g.flip());
        g.y().tables(y0, y1, wy, false);
        int plane = oh * ow;
        float[] scale = new float[3], bias = new float[3];
        for (int c = 0; c < 3; c++) {
            scale[c] = 1f / (255f * norm.std()[c]);
            bias[c] = -norm.mean()[c] / norm.std()[c];
        }
        for (int f = 0; f < t; f++) {
            RgbFrame fr = frames[f];
            byte[] src = fr.rgb();
            int stride = fr.width() * 3;
            for (int oy = 0; oy < oh; oy++) {
                int r0 = y0[oy] * stride, r1 = y1[oy] * stride;
                float b = wy[oy], a = 1 - b;
                int outRow = offset + f * plane + oy * ow;
                for (int ox = 0; ox < ow; ox++) {
                    int c0 = x0[ox] * 3, c1 = x1[ox] * 3;
                    float d = wx[ox], cL = 1 - d;
                    for (int c = 0; c < 3; c++) {
                        float top = (src[r0 + c0 + c] & 0xff) * cL + (src[r0 + c1 + c] & 0xff) * d;
                        float bot = (src[r1 + c0 + c] & 0xff) * cL + (src[r1 + c1 + c] & 0xff) * d;
                        float v = top * a + bot * b;
                        dst[outRow + c * t * plane + ox] = v * scale[c] + bias[c];
                    }
                }
            }
        }
    }
}
