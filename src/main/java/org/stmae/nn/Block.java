package org.stmae.nn;

import org.stmae.autograd.Elementwise;
import org.stmae.autograd.Var;
import org.stmae.tensor.Tensor;

/** The pre-norm ViT block: x + attn(norm1(x)), then + mlp(norm2(x)). */
public final class Block {
    public final Norm norm1, norm2;
    public final Attention attn;
    public final Mlp mlp;

    public Block(Params params, String name, int dim, int heads, int mlpHidden, boolean qkvBias, double eps) {
        this.norm1 = new Norm(params, name + ".norm1", dim, eps);
        this.attn = new Attention(params, name + ".attn", dim, heads, qkvBias);
        this.norm2 = new Norm(params, name + ".norm2", dim, eps);
        this.mlp = new Mlp(params, name + ".mlp", dim, mlpHidden);
    }

    public Var forward(Var x) {
        return forward(x, null, null);
    }

    /**
     * With stochastic depth: each residual branch is multiplied by its own per-sample constant
     * [N, 1, 1] (0 or 1/keep_prob, timm's drop_path); null keeps the branch as it is.
     */
    public Var forward(Var x, Tensor pathScale1, Tensor pathScale2) {
        Var y = Elementwise.add(x, scaled(attn.forward(norm1.forward(x)), pathScale1));
        return Elementwise.add(y, scaled(mlp.forward(norm2.forward(y)), pathScale2));
    }

    private static Var scaled(Var branch, Tensor scale) {
        return scale == null ? branch : Elementwise.mul(branch, Var.constant(scale));
    }
}
