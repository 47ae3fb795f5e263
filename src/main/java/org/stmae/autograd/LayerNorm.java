package org.stmae.autograd;

import org.stmae.tensor.Kernels;
import org.stmae.tensor.Shapes;
import org.stmae.tensor.Tensor;

/** Layer normalisation over the last axis with an affine weight and bias (torch.nn.LayerNorm). */
public final class LayerNorm {
    private LayerNorm() {}

    /** x [..., d], weight [d], bias [d]; biased variance, eps added to it before the sqrt. */
    public static Var layerNorm(Var x, Var weight, Var bias, float eps) {
        int[] xs = x.shape();
        int d = xs.length == 0 ? 1 : xs[xs.length - 1];
        if (xs.length == 0 || weight.dim() != 1 || weight.size(0) != d || bias.dim() != 1 || bias.size(0) != d)
            throw new IllegalArgumentException("layerNorm: input " + Shapes.str(xs) + " with weight " + Shapes.str(weight.shape())
                    + " and bias " + Shapes.str(bias.shape()) + " (both must be [" + d + "])");
        int rows = x.value.size() / d;
        Tensor out = Tensor.empty(xs);
        boolean grad = !NoGrad.active();
        Tensor mean = grad ? Tensor.zeros(rows) : null, rstd = grad ? Tensor.zeros(rows) : null;
        Kernels.layerNormForward(x.value, weight.value, bias.value, out, mean, rstd, rows, d, eps);
        return Var.of(out, "layerNorm", g -> {
            boolean addDx = x.hasGrad();
            Kernels.layerNormBackward(g, x.value, weight.value, mean, rstd,
                    x.needsGrad() ? x.gradTarget() : null,
                    weight.needsGrad() ? weight.gradBuffer() : null,
                    bias.needsGrad() ? bias.gradBuffer() : null, rows, d, addDx);
        }, x, weight, bias);
    }
}
