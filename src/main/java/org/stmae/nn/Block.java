package org.stmae.nn;

import org.stmae.autograd.Elementwise;
import org.stmae.autograd.Var;

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
        Var y = Elementwise.add(x, attn.forward(norm1.forward(x)));
        return Elementwise.add(y, mlp.forward(norm2.forward(y)));
    }
}
