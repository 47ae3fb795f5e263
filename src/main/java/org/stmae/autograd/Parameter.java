package org.stmae.autograd;

import org.stmae.tensor.Tensor;

/** A named trainable tensor (the name is its state_dict key, e.g. {@code blocks.0.attn.q.weight}). */
public final class Parameter extends Var {
    public final String name;

    public Parameter(String name, Tensor value) {
        super(value, true, "param", new Var[0], null);
        this.name = name;
    }

    @Override
    public String toString() {
        return name + org.stmae.tensor.Shapes.str(value.shape());
    }
}
