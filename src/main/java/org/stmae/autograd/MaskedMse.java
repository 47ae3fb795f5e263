package org.stmae.autograd;

import java.util.Arrays;
import org.stmae.tensor.Shapes;
import org.stmae.tensor.Tensor;

/**
 * The MAE reconstruction loss: per-token mean squared error over the last axis, averaged over
 * the tokens whose mask weight is nonzero: sum_t mask_t * mean_p (pred - target)^2 / sum_t mask_t.
 * With mask = 1 for removed tokens this is mae_st's forward_loss.
 */
public final class MaskedMse {
    private MaskedMse() {}

    /** pred [..., P] (differentiable), target [..., P], mask [...] (token weights, usually 0/1). */
    public static Var maskedMse(Var pred, Tensor target, Tensor mask) {
        int[] ps = pred.shape(), ms = mask.shape();
        if (!Arrays.equals(ps, target.shape()) || ps.length == 0 || !Arrays.equals(Arrays.copyOf(ps, ps.length - 1), ms))
            throw new IllegalArgumentException("maskedMse: pred " + Shapes.str(ps) + ", target " + Shapes.str(target.shape())
                    + " and mask " + Shapes.str(ms) + " do not fit (mask must be pred's shape without the last axis)");
        int p = ps[ps.length - 1], tokens = mask.size();
        float[] x = pred.value.data, y = target.data, w = mask.data;
        double total = 0, weight = 0;
        for (int t = 0; t < tokens; t++) {
            weight += w[t];
            if (w[t] == 0) continue;
            double se = 0;
            for (int j = 0; j < p; j++) {
                double diff = x[t * p + j] - y[t * p + j];
                se += diff * diff;
            }
            total += w[t] * (se / p);
        }
        double denom = weight;
        Tensor loss = Tensor.scalar((float) (total / denom));
        return Var.of(loss, "maskedMse", g -> {
            float[] gx = pred.gradData();
            double scale = g.data[0] * 2.0 / (p * denom);
            for (int t = 0; t < tokens; t++) {
                if (w[t] == 0) continue;
                float c = (float) (scale * w[t]);
                for (int j = 0; j < p; j++) gx[t * p + j] += c * (x[t * p + j] - y[t * p + j]);
            }
        }, pred);
    }
}
