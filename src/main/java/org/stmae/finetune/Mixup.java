package org.stmae.finetune;

import java.util.SplittableRandom;
import org.stmae.tensor.Tensor;

/**
 * Batch mixup and cutmix as mae_st's util/decoder/mixup.MixUp (timm's Mixup in "batch" mode):
 * with probability {@code prob} draw lam ~ Beta(alpha, alpha) (cutmix instead of mixup with
 * probability {@code switchProb} when both are on); the partner of sample i is sample N-1-i (the
 * batch flipped). Mixup blends whole clips; cutmix pastes a box (the same on every frame and
 * channel) and corrects lam to 1 - box area / (H W). Label smoothing is folded into the soft
 * targets: off = s/K, on = 1 - s + off, then lam * y + (1 - lam) * flip(y).
 */
public record Mixup(double mixupAlpha, double cutmixAlpha, double prob, double switchProb, double smoothing) {
    /** What one batch got: lam after correction, and the cutmix box (rows [y0, y1), columns [x0, x1)) or null. */
    public record Applied(double lam, int[] box) {}

    public boolean active() {
        return prob > 0 && (mixupAlpha > 0 || cutmixAlpha > 0);
    }

    /**
     * Mixes {@code clips} [N, C, T, H, W] in place and returns soft targets [N, K]. Draws, in order:
     * the apply decision, the mixup/cutmix switch (both on), lam, and the box centre (row, column).
     */
    public Tensor apply(Tensor clips, int[] labels, int classes, SplittableRandom rng) {
        double lam = 1;
        boolean cut = false;
        if (active() && clips.size(0) > 1 && rng.nextDouble() < prob) {
            if (mixupAlpha > 0 && cutmixAlpha > 0) cut = rng.nextDouble() < switchProb;
            else cut = cutmixAlpha > 0;
            double a = cut ? cutmixAlpha : mixupAlpha;
            lam = beta(rng, a);
        }
        int h = clips.size(3), w = clips.size(4);
        int[] box = null;
        if (lam < 1 && cut) box = box(h, w, lam, rng.nextInt(h), rng.nextInt(w));
        Applied applied = mix(clips, lam, box);
        return targets(labels, classes, applied.lam(), smoothing);
    }

    /**
     * The deterministic half, given the draws: cutmix when {@code box} is non-null (lam is then
     * recomputed from the box), else mixup with {@code lam}. Returns the lam the targets use.
     */
    public static Applied mix(Tensor clips, double lam, int[] box) {
        if (lam >= 1 && box == null) return new Applied(1, null);
        int n = clips.size(0), h = clips.size(3), w = clips.size(4), per = clips.size() / n, planes = per / (h * w);
        float[] x = clips.data(), flipped = new float[x.length];
        for (int i = 0; i < n; i++) System.arraycopy(x, (n - 1 - i) * per, flipped, i * per, per);
        if (box == null) {
            // x * lam + flip(x) * (1 - lam), each product rounded to float32 as torch's mul_ then add_.
            float a = (float) lam, b = (float) (1 - lam);
            for (int i = 0; i < x.length; i++) x[i] = x[i] * a + flipped[i] * b;
            return new Applied(lam, null);
        }
        int y0 = box[0], y1 = box[1], x0 = box[2], x1 = box[3];
        for (int p = 0; p < n * planes; p++)
            for (int y = y0; y < y1; y++)
                System.arraycopy(flipped, p * h * w + y * w + x0, x, p * h * w + y * w + x0, x1 - x0);
        return new Applied(1.0 - (double) (y1 - y0) * (x1 - x0) / (h * w), box);
    }

    /** timm's rand_bbox: side ratio sqrt(1 - lam), centred at (cy, cx), clipped to the picture. */
    public static int[] box(int h, int w, double lam, int cy, int cx) {
        double ratio = Math.sqrt(1 - lam);
        int cutH = (int) (h * ratio), cutW = (int) (w * ratio);
        return new int[] {clamp(cy - cutH / 2, h), clamp(cy + cutH / 2, h), clamp(cx - cutW / 2, w), clamp(cx + cutW / 2, w)};
    }

    private static int clamp(int v, int hi) {
        return Math.max(0, Math.min(hi, v));
    }

    /** Smoothed one-hot targets mixed with the flipped batch's: [N, K]. */
    public static Tensor targets(int[] labels, int classes, double lam, double smoothing) {
        int n = labels.length;
        float off = (float) (smoothing / classes), on = (float) (1 - smoothing + smoothing / classes);
        Tensor t = Tensor.zeros(n, classes);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < classes; j++) {
                float y1 = labels[i] == j ? on : off, y2 = labels[n - 1 - i] == j ? on : off;
                t.data()[i * classes + j] = (float) (y1 * lam + y2 * (1 - lam));
            }
        return t;
    }

    /** Beta(a, a) as X / (X + Y) with X, Y ~ Gamma(a). */
    static double beta(SplittableRandom rng, double a) {
        double x = gamma(rng, a), y = gamma(rng, a);
        return x / (x + y);
    }

    /** Marsaglia and Tsang's method; shape < 1 through Gamma(a + 1) * U^(1/a). */
    static double gamma(SplittableRandom rng, double a) {
        if (a < 1) return gamma(rng, a + 1) * Math.pow(rng.nextDouble(), 1 / a);
        double d = a - 1.0 / 3, c = 1 / Math.sqrt(9 * d);
        while (true) {
            double z = rng.nextGaussian(), v = 1 + c * z;
            if (v <= 0) continue;
            v = v * v * v;
            double u = rng.nextDouble();
            if (Math.log(u) < 0.5 * z * z + d - d * v + d * Math.log(v)) return d * v;
        }
    }
}
