package org.stmae.masking;

import org.stmae.tensor.Tensor;

/**
 * Time-only masking (MAE-ST's "frame" ablation, after PySlowFast's MASK_FRAMES): round(ratio T')
 * whole temporal slots are removed, those with the largest noise of [N, T'].
 */
public final class FrameMasking implements MaskingStrategy {
    private final int gridT, gridHW, maskedSlots;

    public FrameMasking(int gridT, int gridHW, double ratio) {
        this.gridT = gridT;
        this.gridHW = gridHW;
        this.maskedSlots = (int) Math.round(ratio * gridT);
    }

    public int lenKeep() {
        return (gridT - maskedSlots) * gridHW;
    }

    public int[] noiseShape(int n) {
        return new int[] {n, gridT};
    }

    public Mask fromNoise(Tensor noise) {
        checkNoise(noise, "frame");
        int n = noise.size(0);
        int[][] shuffle = new int[n][];
        for (int b = 0; b < n; b++) {
            Integer[] order = Mask.argsort(noise.data(), b * gridT, gridT);
            boolean[] masked = new boolean[gridT * gridHW];
            for (int i = gridT - maskedSlots; i < gridT; i++)
                java.util.Arrays.fill(masked, order[i] * gridHW, (order[i] + 1) * gridHW, true);
            shuffle[b] = Mask.visibleFirst(masked);
        }
        return Mask.fromShuffle(shuffle, lenKeep());
    }
}
