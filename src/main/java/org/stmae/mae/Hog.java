package org.stmae.mae;

import org.stmae.tensor.Tensor;

/**
 * MaskFeat's HOG target as PySlowFast computes it for video (HOGLayerC(nbins 9, pool 8) inside
 * MaskMViT, the code MAE-ST's Table 2b ran in; SPEC.md, HOG target). Per frame and colour
 * channel: Sobel gradients of the reflect-padded image, each pixel's gradient magnitude voted
 * into one of 9 unsigned orientation bins, votes summed over 8x8 cells, and each cell's 9-bin
 * histogram L2-normalised ("local contrast normalisation"). The frame-level map is then cut into
 * the patch grid, so a patch's gradients see its neighbours' pixels, as in the reference.
 * Gradient-free plain loops, computed once per batch like the pixel target.
 */
public final class Hog {
    private Hog() {}

    public static final int BINS = 9;
    /** Cell side in pixels; a patch holds (p/8)^2 cells. */
    public static final int CELL = 8;
    /** F.normalize's eps: a histogram is divided by max(||h||, 1e-12), so an empty one stays 0. */
    public static final double NORM_EPS = 1e-12;

    private static final float PI = (float) Math.PI;

    /** Values per token: C channels x 9 bins x (p/8)^2 cells (108 for p = 16, 27 for p = 8). */
    public static int dim(int channels, int patch) {
        int k = patch / CELL;
        return channels * BINS * k * k;
    }

    /**
     * input [N, C, T, H, W] (as the model receives it) -> [N, L, C*9*(p/8)^2]. Token (ti, hi, wi)
     * holds the histograms of frame ti*t (the first frame of its temporal patch, PySlowFast's
     * {@code [::t]}) in the order (channel, bin, cell row, cell column), cell column fastest.
     */
    public static Tensor target(MaeConfig cfg, Tensor input) {
        int[] s = input.shape();
        int n = s[0], c = s[1], frames = s[2], h = s[3], w = s[4];
        int p = cfg.patchSize(), t = cfg.tPatchSize(), gt = frames / t, gh = h / p, gw = w / p, k = p / CELL;
        int ch = h / CELL, cw = w / CELL, dim = dim(c, p);
        Tensor out = Tensor.zeros(n, gt * gh * gw, dim);
        for (int b = 0; b < n; b++)
            for (int ti = 0; ti < gt; ti++) {
                float[] cells = frame(input.data(), (b * c * frames + ti * t) * h * w, frames * h * w, c, h, w);
                for (int hi = 0; hi < gh; hi++)
                    for (int wi = 0; wi < gw; wi++) {
                        int o = (((b * gt + ti) * gh + hi) * gw + wi) * dim, j = 0;
                        for (int plane = 0; plane < c * BINS; plane++)
                            for (int cy = 0; cy < k; cy++)
                                for (int cx = 0; cx < k; cx++)
                                    out.data()[o + j++] = cells[(plane * ch + hi * k + cy) * cw + wi * k + cx];
                    }
            }
        return out;
    }

    /**
     * Normalised cell histograms of one frame whose channel ci starts at {@code off + ci*stride}
     * (row-major H x W): [C, 9, H/8, W/8]. Rows and columns past the last whole cell are dropped,
     * as torch's unfold drops them.
     */
    public static float[] frame(float[] x, int off, int stride, int c, int h, int w) {
        int ch = h / CELL, cw = w / CELL;
        float[] hist = new float[c * BINS * ch * cw];
        for (int ci = 0; ci < c; ci++) {
            int base = off + ci * stride;
            for (int y = 0; y < ch * CELL; y++) {
                int up = base + reflect(y - 1, h) * w, mid = base + y * w, down = base + reflect(y + 1, h) * w;
                for (int xx = 0; xx < cw * CELL; xx++) {
                    int l = reflect(xx - 1, w), r = reflect(xx + 1, w);
                    // Cross-correlation with [[1,0,-1],[2,0,-2],[1,0,-1]] and its transpose:
                    // gx = left minus right, gy = above minus below.
                    float gx = (x[up + l] - x[up + r]) + 2 * (x[mid + l] - x[mid + r]) + (x[down + l] - x[down + r]);
                    float gy = (x[up + l] - x[down + l]) + 2 * (x[up + xx] - x[down + xx]) + (x[up + r] - x[down + r]);
                    float mag = (float) Math.sqrt((double) gx * gx + (double) gy * gy);
                    // atan2(gx, gy) in (-pi, pi] scaled to (-9, 9]; floor mod 9 folds opposite
                    // directions together (unsigned orientation, 20 degrees a bin).
                    float phase = (float) StrictMath.atan2(gx, gy) / PI * BINS;
                    int bin = Math.floorMod((int) Math.floor(phase), BINS);
                    hist[((ci * BINS + bin) * ch + y / CELL) * cw + xx / CELL] += mag;
                }
            }
        }
        int cells = ch * cw;
        for (int ci = 0; ci < c; ci++)
            for (int cell = 0; cell < cells; cell++) {
                double ss = 0;
                for (int bin = 0; bin < BINS; bin++) {
                    double v = hist[(ci * BINS + bin) * cells + cell];
                    ss += v * v;
                }
                double norm = Math.max(Math.sqrt(ss), NORM_EPS);
                for (int bin = 0; bin < BINS; bin++) {
                    int i = (ci * BINS + bin) * cells + cell;
                    hist[i] = (float) (hist[i] / norm);
                }
            }
        return hist;
    }

    /** torch's reflect padding by one: -1 -> 1, n -> n - 2 (the edge itself is not repeated). */
    private static int reflect(int i, int n) {
        return i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i;
    }
}
