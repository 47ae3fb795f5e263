package org.stmae.autograd;

import org.stmae.tensor.Kernels;
import org.stmae.tensor.Tensor;

/** Softmax over the last axis. */
public final class Softmax {
    private Softmax() {}

    public static Var softmax(Var x) {
        int[] xs = x.shape();
        int d = xs[xs.length - 1], rows = x.value.size() / Math.max(1, d);
        Tensor out = Tensor.empty(xs);
        Kernels.softmaxForward(x.value, out, rows, d);
        // The backward pass needs only the output: dx = y * (dy - sum(dy * y)).
        return Var.of(out, "softmax", g -> Kernels.softmaxBackward(g, out, x.gradBuffer(), rows, d), x);
    }
}
