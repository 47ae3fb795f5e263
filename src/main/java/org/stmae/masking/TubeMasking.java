package org.stmae.masking;

import org.stmae.tensor.Tensor;

/**
 * VideoMAE's tube masking: one spatial mask repeated in every temporal slot. int(ratio H'W')
 * positions are masked per slot (the masked count is truncated): those with the largest noise
 * of [N, H'W'] (after a stable ascending sort the first H'W' - masked stay visible).
 */
public final class TubeMasking implements MaskingStrategy {
    private final int gridT, gridHW, maskedPerSlot;

    public TubeMasking(int gridT, int gridHW, double ratio) {
        this.gridT = gridT;
        this.gridHW = gridHW;
        this.maskedPerSlot = (int) (ratio * gridHW);
    }

    public int lenKeep() {
        return gridT * (gridHW - maskedPerSlot);
    }

    public int[] noiseShape(int n) {
        return new int[] {n, gridHW};
    }

    public Mask fromNoise(Tensor noise) {
        checkNoise(noise, "tube");
        int n = noise.size(0);
        int[][] shuffle = new int[n][];
        for (int b = 0; b < n; b++) {
            Integer[] order = Mask.argsort(noise.data(), b * gridHW, gridHW);
            boolean[] spatial = new boolean[gridHW];
            for (int i = gridHW - maskedPerSlot; i < gridHW; i++) spatial[order[i]] = true;
            boolean[] masked = new boolean[gridT * gridHW];
            for (int t = 0; t < gridT; t++) System.arraycopy(spatial, 0, masked, t * gridHW, gridHW);
            shuffle[b] = Mask.visibleFirst(masked);
        }
        return Mask.fromShuffle(shuffle, lenKeep());
    }
}
