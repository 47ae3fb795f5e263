package org.stmae.mae;

import org.stmae.mae.MaeConfig.TargetNorm;
import org.stmae.tensor.Tensor;

/**
 * What the decoder regresses (SPEC.md, targets): the target frames of the input clip, patchified
 * with depth u, and with {@code norm_pix_loss} normalised per patch in one of two conventions.
 */
public final class Targets {
    private Targets() {}

    /** The eps of both norm-pix conventions; fixed in both official codes (not norm_eps). */
    public static final double NORM_PIX_EPS = 1e-6;

    /** ImageNet statistics that VideoMAE un-normalises its input with before building targets. */
    public static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    public static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};

    /** input [N, C, T, H, W] (as the model receives it) -> target [N, L, pred_dim]; pixels or HOG. */
    public static Tensor target(MaeConfig cfg, Tensor input) {
        // HOG is normalised per cell already; norm_pix_loss and target_norm apply to pixels only.
        if (cfg.target() == MaeConfig.Target.HOG) return Hog.target(cfg, input);
        int[] frames = Patchify.targetFrameIndex(cfg.numFrames(), cfg.predTDim());
        int p = cfg.patchSize(), u = cfg.tPredPatchSize();
        if (!cfg.normPixLoss()) return Patchify.patchifyFrames(input, frames, p, u, null);
        // Each token normalised as soon as it is cut (one pass over the target frames; with the
        // frames copied out, then patchified, then normalised it took 2.0 ms of a bench-S step).
        if (cfg.targetNorm() == TargetNorm.MAE_ST) return Patchify.patchifyFrames(input, frames, p, u, (x, o, dim) -> normalise(x, o, dim, 1));
        // VideoMAE un-normalises the pixels first, so its frames are copied out for that.
        Tensor clip = Patchify.selectFrames(input, frames);
        if (cfg.inChans() == 3) clip = unnormaliseImageNet(clip);
        int channels = cfg.inChans();
        return Patchify.patchifyFrames(clip, null, p, u, (x, o, dim) -> normalise(x, o, dim, channels));
    }

    static Tensor unnormaliseImageNet(Tensor clip) {
        return unnormalise(clip, IMAGENET_MEAN, IMAGENET_STD);
    }

    /**
     * clip [N, C, T, H, W] * std + mean per channel, in float32: one multiply, then one add (as
     * VideoMAE un-normalises). Channel c uses entry c mod the length of mean and std.
     */
    static Tensor unnormalise(Tensor clip, float[] mean, float[] std) {
        int[] s = clip.shape();
        int plane = s[2] * s[3] * s[4];
        Tensor out = Tensor.zeros(s);
        float[] src = clip.data(), dst = out.data();
        for (int b = 0; b < s[0]; b++)
            for (int c = 0; c < s[1]; c++) {
                int o = (b * s[1] + c) * plane;
                float m = mean[c % mean.length], d = std[c % std.length];
                for (int i = 0; i < plane; i++) {
                    float scaled = src[o + i] * d;
                    dst[o + i] = scaled + m;
                }
            }
        return out;
    }

    /**
     * Normalises the token vector x[o, o + dim) in place. channels == 1: one mean and unbiased
     * variance, (v - mean) / sqrt(var + eps) (mae_st). channels == C: the statistics are per
     * channel over the interleaved (channel-fastest) values, (v - mean_c) / (sqrt(var_c) + eps)
     * (VideoMAE). Statistics accumulate in double.
     */
    private static void normalise(float[] x, int o, int dim, int channels) {
        int per = dim / channels;
        for (int c = 0; c < channels; c++) {
            double mean = sum(x, o + c, per, channels, 0, false) / per;
            double var = sum(x, o + c, per, channels, mean, true) / (per - 1);
            double denom = channels == 1 ? Math.sqrt(var + NORM_PIX_EPS) : Math.sqrt(var) + NORM_PIX_EPS;
            float m = (float) mean, inv = (float) denom;
            if (channels == 1) {
                for (int i = o; i < o + dim; i++) x[i] = (x[i] - m) / inv; // unit stride: C2 vectorizes it
            } else {
                for (int i = o + c; i < o + dim; i += channels) x[i] = (x[i] - m) / inv;
            }
        }
    }

    /**
     * The sum, in double, of n values from o at the given stride minus center, or of their squares.
     * Four accumulators, not one chain of dependent adds: the chains were most of the ~2 ms these
     * statistics took per bench-S step.
     */
    private static double sum(float[] x, int o, int n, int stride, double center, boolean squares) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 4 <= n; i += 4) {
            double a = x[o + i * stride], b = x[o + (i + 1) * stride], c = x[o + (i + 2) * stride], d = x[o + (i + 3) * stride];
            a -= center;
            b -= center;
            c -= center;
            d -= center;
            if (squares) {
                a *= a;
                b *= b;
                c *= c;
                d *= d;
            }
            s0 += a;
            s1 += b;
            s2 += c;
            s3 += d;
        }
        for (; i < n; i++) {
            double a = x[o + i * stride] - center;
            if (squares) a *= a;
            s0 += a;
        }
        return (s0 + s1) + (s2 + s3);
    }
}
