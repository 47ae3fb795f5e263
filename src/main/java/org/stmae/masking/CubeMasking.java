package org.stmae.masking;

import java.util.Random;
import org.stmae.tensor.Tensor;

/**
 * Spacetime block ("cube") masking, after PySlowFast's MaskingGenerator3D, made exact so that
 * every sample keeps the same int(L (1 - ratio)) tokens as random masking. Per sample, until
 * the target count is masked: draw a box (duration uniform in [1, T'], spatial area uniform
 * in [minArea, maxArea] patches, aspect log-uniform in [0.3, 1/0.3], position uniform), and
 * mask its not-yet-masked cells in (t, y, x) order, stopping mid-box at the target. The full
 * algorithm is in SPEC.md (masking); it needs a generator, not a noise tensor.
 */
public final class CubeMasking implements MaskingStrategy {
    private final int gridT, gridH, gridW, keep, minArea, maxArea;

    public CubeMasking(int gridT, int gridH, int gridW, double ratio) {
        this.gridT = gridT;
        this.gridH = gridH;
        this.gridW = gridW;
        this.keep = (int) (gridT * gridH * gridW * (1 - ratio));
        int hw = gridH * gridW;
        this.minArea = Math.max(1, (hw + 11) / 12);
        this.maxArea = Math.max(minArea, hw / 2);
    }

    public int lenKeep() {
        return keep;
    }

    public int[] noiseShape(int n) {
        return new int[] {n, 0};
    }

    public Mask fromNoise(Tensor noise) {
        throw new UnsupportedOperationException("cube masking is drawn from a seeded generator, not from a noise tensor");
    }

    @Override
    public Mask sample(Random rng, int n) {
        int l = gridT * gridH * gridW, target = l - keep;
        int[][] shuffle = new int[n][];
        for (int b = 0; b < n; b++) shuffle[b] = Mask.visibleFirst(sampleOne(rng, l, target));
        return Mask.fromShuffle(shuffle, keep);
    }

    private boolean[] sampleOne(Random rng, int l, int target) {
        boolean[] masked = new boolean[l];
        int count = 0;
        double logLo = Math.log(0.3), logHi = Math.log(1 / 0.3);
        for (int tries = 0; count < target && tries < 100 * l; tries++) {
            int dur = 1 + rng.nextInt(gridT);
            int area = minArea + rng.nextInt(maxArea - minArea + 1);
            double aspect = Math.exp(logLo + (logHi - logLo) * rng.nextDouble());
            int h = clamp((int) Math.round(Math.sqrt(area * aspect)), gridH);
            int w = clamp((int) Math.round(Math.sqrt(area / aspect)), gridW);
            int t0 = rng.nextInt(gridT - dur + 1), y0 = rng.nextInt(gridH - h + 1), x0 = rng.nextInt(gridW - w + 1);
            for (int t = t0; t < t0 + dur; t++)
                for (int y = y0; y < y0 + h; y++)
                    for (int x = x0; x < x0 + w; x++) {
                        int tok = (t * gridH + y) * gridW + x;
                        if (!masked[tok] && count < target) {
                            masked[tok] = true;
                            count++;
                        }
                    }
        }
        // Unreachable in practice (boxes cover every cell with probability 1); keeps the count exact.
        for (int tok = 0; count < target; tok++)
            if (!masked[tok]) {
                masked[tok] = true;
                count++;
            }
        return masked;
    }

    private static int clamp(int v, int max) {
        return Math.max(1, Math.min(max, v));
    }
}
