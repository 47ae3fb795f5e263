package org.stmae.masking;

import org.stmae.tensor.Tensor;

/**
 * mae_st's spacetime-agnostic random masking: per sample, argsort the noise [N, L] ascending and
 * keep the first int(L (1 - ratio)) tokens (computed in double), in that (ascending-noise) order.
 */
public final class RandomMasking implements MaskingStrategy {
    private final int tokens, keep;

    public RandomMasking(int tokens, double ratio) {
        this.tokens = tokens;
        this.keep = (int) (tokens * (1 - ratio));
    }

    public int lenKeep() {
        return keep;
    }

    public int[] noiseShape(int n) {
        return new int[] {n, tokens};
    }

    public Mask fromNoise(Tensor noise) {
        checkNoise(noise, "random");
        int n = noise.size(0);
        int[][] shuffle = new int[n][];
        for (int b = 0; b < n; b++) {
            Integer[] order = Mask.argsort(noise.data(), b * tokens, tokens);
            shuffle[b] = new int[tokens];
            for (int i = 0; i < tokens; i++) shuffle[b][i] = order[i];
        }
        return Mask.fromShuffle(shuffle, keep);
    }
}
