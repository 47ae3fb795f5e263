package org.stmae.autograd;

import java.util.Arrays;
import org.stmae.tensor.Kernels;
import org.stmae.tensor.ScalarKernels.Binary;
import org.stmae.tensor.Shapes;
import org.stmae.tensor.Tensor;

/**
 * add, sub, mul, div with NumPy/PyTorch broadcasting, and scaling by a constant. The gradient
 * of a broadcast operand is summed over the axes it was broadcast along.
 */
public final class Elementwise {
    private Elementwise() {}

    public static Var add(Var a, Var b) {
        Tensor out = binary("add", Binary.ADD, a.value, b.value);
        return Var.of(out, "add", g -> {
            gradTo(a, g, false);
            gradTo(b, g, true); // the last use of this node's gradient: b may take it
        }, a, b);
    }

    public static Var sub(Var a, Var b) {
        Tensor out = binary("sub", Binary.SUB, a.value, b.value);
        return Var.of(out, "sub", g -> {
            gradTo(a, g, false);
            if (b.needsGrad()) gradTo(b, scaled(g, -1f), true);
        }, a, b);
    }

    public static Var mul(Var a, Var b) {
        Tensor out = binary("mul", Binary.MUL, a.value, b.value);
        return Var.of(out, "mul", g -> {
            if (a.needsGrad()) gradTo(a, binary("mul", Binary.MUL, g, b.value), true);
            if (b.needsGrad()) gradTo(b, binary("mul", Binary.MUL, g, a.value), true);
        }, a, b);
    }

    /** d(a/b)/da = 1/b; d(a/b)/db = -(a/b)/b. */
    public static Var div(Var a, Var b) {
        Tensor out = binary("div", Binary.DIV, a.value, b.value);
        return Var.of(out, "div", g -> {
            if (a.needsGrad()) gradTo(a, binary("div", Binary.DIV, g, b.value), true);
            if (b.needsGrad()) {
                Tensor t = binary("div", Binary.DIV, binary("mul", Binary.MUL, g, out), b.value);
                gradTo(b, scaled(t, -1f), true);
            }
        }, a, b);
    }

    /** x * s for a constant s (attention's 1/sqrt(head_dim)). */
    public static Var scale(Var x, float s) {
        Tensor out = scaled(x.value, s);
        return Var.of(out, "scale", g -> Kernels.axpy(s, g, x.gradBuffer(), g.size()), x);
    }

    /** out = a OP b with broadcasting; shape errors name the op and both shapes. */
    static Tensor binary(String op, Binary kind, Tensor a, Tensor b) {
        int[] outShape = Shapes.broadcast(op, a.shape(), b.shape());
        Tensor out = Tensor.empty(outShape);
        Kernels.binary(kind, outShape, a, a.shape(), b, b.shape(), out);
        return out;
    }

    static Tensor scaled(Tensor x, float s) {
        Tensor out = Tensor.zeros(x.shape());
        Kernels.axpy(s, x, out, x.size());
        return out;
    }

    /**
     * x.grad += g reduced to x's shape (g has the broadcast output shape). {@code owned}: the
     * caller hands g over (see {@link Var#accumulateOwned}), so it need not be copied.
     */
    static void gradTo(Var x, Tensor g, boolean owned) {
        if (!x.needsGrad()) return;
        if (Arrays.equals(x.value.shape(), g.shape())) {
            if (owned) x.accumulateOwned(g);
            else x.accumulate(g);
        } else {
            Kernels.reduceInto(g, g.shape(), x.gradBuffer(), x.value.shape());
        }
    }
}
