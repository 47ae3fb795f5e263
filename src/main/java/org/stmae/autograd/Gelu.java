package org.stmae.autograd;

import org.stmae.tensor.Kernels;
import org.stmae.tensor.Tensor;

/** GELU in the exact form x * Phi(x) with Phi from erf (nn.GELU(approximate='none')). */
public final class Gelu {
    private Gelu() {}

    public static Var gelu(Var x) {
        Tensor out = Tensor.empty(x.shape());
        Kernels.geluForward(x.value, out, out.size());
        return Var.of(out, "gelu", g -> {
            boolean add = x.hasGrad();
            Kernels.geluBackward(g, x.value, x.gradTarget(), g.size(), add);
        }, x);
    }
}
