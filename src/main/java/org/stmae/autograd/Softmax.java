package org.stmae.autograd;

import org.stmae.tensor.Kernels;
import org.stmae.tensor.Tensor;

/** Softmax over the last axis. */
public final class Softmax {
    private Softmax() {}

    public static Var softmax(Var x) {
        return softmax(x, 1f);
    }

    /**
     * softmax(scale * x), the product rounded to float first: the same numbers as a separate
     * scale op (mae_st's {@code (q @ k^T) * scale}, then softmax) without the pass over the
     * logits and their gradient that it costs.
     */
    public static Var softmax(Var x, float scale) {
        if (!(scale > 0)) throw new IllegalArgumentException("softmax: scale must be > 0, got " + scale);
        int[] xs = x.shape();
        int d = xs[xs.length - 1], rows = x.value.size() / Math.max(1, d);
        Tensor out = Tensor.empty(xs);
        Kernels.softmaxForward(x.value, out, rows, d, scale);
        // The backward pass needs only the output: dx = scale * y * (dy - sum(dy * y)).
        return Var.of(out, "softmax", g -> {
            boolean add = x.hasGrad();
            Kernels.softmaxBackward(g, out, x.gradTarget(), rows, d, scale, add);
        }, x);
    }
}
