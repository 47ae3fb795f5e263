package org.stmae.eval;

/** Top-k accuracy bookkeeping on class scores (probabilities or logits). */
public final class TopK {
    private long seen, top1, top5;

    /**
     * The rank of {@code label} among {@code k} scores starting at {@code off}: how many classes
     * score higher, ties counted before it when their index is lower (torch.topk's order on ties).
     */
    public static int rank(float[] scores, int off, int k, int label) {
        float s = scores[off + label];
        int r = 0;
        for (int j = 0; j < k; j++) {
            float v = scores[off + j];
            if (v > s || v == s && j < label) r++;
        }
        return r;
    }

    /** The predicted class: the first index of the highest score. */
    public static int argmax(float[] scores, int off, int k) {
        int best = 0;
        for (int j = 1; j < k; j++) if (scores[off + j] > scores[off + best]) best = j;
        return best;
    }

    public void add(float[] scores, int off, int k, int label) {
        int r = rank(scores, off, k, label);
        seen++;
        if (r < 1) top1++;
        if (r < 5) top5++;
    }

    public long count() {
        return seen;
    }

    /** Top-1 accuracy in percent (0 when nothing was seen). */
    public double top1() {
        return seen == 0 ? 0 : 100.0 * top1 / seen;
    }

    public double top5() {
        return seen == 0 ? 0 : 100.0 * top5 / seen;
    }
}
