package org.stmae.masking;

import org.stmae.tensor.IntTensor;
import org.stmae.tensor.Tensor;

/**
 * One batch's masking: which tokens the encoder sees and how to put the sequence back.
 *
 * @param idsKeep    [N, K] the visible tokens, in the order the encoder receives them
 * @param idsRestore [N, L] the inverse of the shuffle (visible tokens first, then masked ones):
 *                   gathering cat(visible, masked) with it restores token order
 * @param mask       [N, L] 1 for a removed token, 0 for a visible one
 */
public record Mask(IntTensor idsKeep, IntTensor idsRestore, Tensor mask) {
    public int batch() {
        return mask.size(0);
    }

    public int numTokens() {
        return mask.size(1);
    }

    public int lenKeep() {
        return idsKeep.size(1);
    }

    /** Builds a mask from a full per-sample shuffle: the first {@code keep} entries stay visible. */
    public static Mask fromShuffle(int[][] shuffle, int keep) {
        int n = shuffle.length, l = shuffle[0].length;
        int[] ids = new int[n * keep], restore = new int[n * l];
        float[] m = new float[n * l];
        for (int b = 0; b < n; b++) {
            for (int r = 0; r < l; r++) {
                int tok = shuffle[b][r];
                restore[b * l + tok] = r;
                m[b * l + tok] = r < keep ? 0f : 1f;
                if (r < keep) ids[b * keep + r] = tok;
            }
        }
        return new Mask(new IntTensor(ids, n, keep), new IntTensor(restore, n, l), Tensor.of(m, n, l));
    }

    /**
     * The shuffle for structured masks (tube, frame, cube): visible tokens in ascending order,
     * then masked tokens in ascending order (VideoMAE's order; SPEC.md, masking).
     */
    public static int[] visibleFirst(boolean[] masked) {
        int[] order = new int[masked.length];
        int o = 0;
        for (int i = 0; i < masked.length; i++) if (!masked[i]) order[o++] = i;
        for (int i = 0; i < masked.length; i++) if (masked[i]) order[o++] = i;
        return order;
    }

    /** Indices 0..n-1 sorted by key ascending; ties keep the lower index first (stable). */
    static Integer[] argsort(float[] key, int from, int n) {
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        java.util.Arrays.sort(idx, (a, b) -> Float.compare(key[from + a], key[from + b]));
        return idx;
    }
}
