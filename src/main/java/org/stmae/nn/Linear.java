package org.stmae.nn;

import org.stmae.autograd.MatMul;
import org.stmae.autograd.Parameter;
import org.stmae.autograd.Var;

/** nn.Linear: weight [out, in], optional bias [out]; y = x W^T + b. */
public final class Linear {
    public final Parameter weight, bias;

    public Linear(Params params, String name, int in, int out, boolean bias) {
        this.weight = params.create(name + ".weight", out, in);
        this.bias = bias ? params.create(name + ".bias", out) : null;
    }

    public Var forward(Var x) {
        return MatMul.linear(x, weight, bias);
    }
}
