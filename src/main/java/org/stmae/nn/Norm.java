package org.stmae.nn;

import org.stmae.autograd.LayerNorm;
import org.stmae.autograd.Parameter;
import org.stmae.autograd.Var;

/** nn.LayerNorm over the last axis with weight and bias [dim]; one eps for the whole model. */
public final class Norm {
    public final Parameter weight, bias;
    private final float eps;

    public Norm(Params params, String name, int dim, double eps) {
        this.weight = params.create(name + ".weight", dim);
        this.bias = params.create(name + ".bias", dim);
        this.eps = (float) eps;
    }

    public Var forward(Var x) {
        return LayerNorm.layerNorm(x, weight, bias, eps);
    }
}
