package org.stmae.nn;

import org.stmae.autograd.Gelu;
import org.stmae.autograd.Var;

/** fc1 -> exact GELU -> fc2 (dropout rates are 0 in every pre-training recipe). */
public final class Mlp {
    public final Linear fc1, fc2;

    public Mlp(Params params, String name, int dim, int hidden) {
        this.fc1 = new Linear(params, name + ".fc1", dim, hidden, true);
        this.fc2 = new Linear(params, name + ".fc2", hidden, dim, true);
    }

    public Var forward(Var x) {
        return fc2.forward(Gelu.gelu(fc1.forward(x)));
    }
}
