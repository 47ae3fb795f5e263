package org.stmae.autograd;

import java.util.Arrays;
import org.stmae.tensor.Kernels;
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
        double weight = 0;
        for (float w : mask.storage().read()) weight += w;
        double denom = weight;
        Tensor loss = Tensor.scalar((float) (Kernels.maskedSquaredError(pred.value, target, mask, tokens, p) / denom));
        return Var.of(loss, "maskedMse", g -> {
            double scale = g.item() * 2.0 / (p * denom);
            Kernels.maskedSquaredErrorBackward(scale, pred.value, target, mask, pred.gradBuffer(), tokens, p);
        }, pred);
    }
}
