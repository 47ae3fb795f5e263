package org.stmae.autograd;

import org.stmae.tensor.Kernels;
import org.stmae.tensor.ScalarKernels.Binary;
import org.stmae.tensor.Shapes;
import org.stmae.tensor.Tensor;

/** sum and mean over a set of axes, with or without keeping them as size-1 axes. */
public final class Reductions {
    private Reductions() {}

    public static Var sum(Var x, boolean keepDim, int... axes) {
        return reduce("sum", x, keepDim, 1f, axes);
    }

    public static Var mean(Var x, boolean keepDim, int... axes) {
        int[] shape = x.shape();
        long count = 1;
        for (int a : normalise("mean", axes, shape.length)) count *= shape[a];
        return reduce("mean", x, keepDim, count == 0 ? Float.NaN : (float) (1.0 / count), axes);
    }

    /** Sum over every element, as a scalar. */
    public static Var sumAll(Var x) {
        int[] all = new int[x.dim()];
        for (int i = 0; i < all.length; i++) all[i] = i;
        return sum(x, false, all);
    }

    private static Var reduce(String op, Var x, boolean keepDim, float factor, int[] axes) {
        int[] xs = x.shape();
        boolean[] reduced = new boolean[xs.length];
        for (int a : normalise(op, axes, xs.length)) reduced[a] = true;
        int[] kept = xs.clone();
        int outRank = 0;
        for (int i = 0; i < xs.length; i++) {
            if (reduced[i]) kept[i] = 1;
            else outRank++;
        }
        Tensor sum = Tensor.zeros(kept);
        Kernels.reduceInto(x.value, xs, sum, kept);
        Tensor acc = factor == 1f ? sum : Elementwise.scaled(sum, factor);
        int[] outShape = new int[outRank];
        for (int i = 0, j = 0; i < xs.length; i++) if (!reduced[i]) outShape[j++] = xs[i];
        Tensor out = keepDim ? acc : acc.reshape(outShape);
        return Var.of(out, op, g -> {
            // Every input element receives the gradient of the output it was summed into.
            Tensor gx = x.gradBuffer();
            Tensor gd = factor == 1f ? g : Elementwise.scaled(g, factor);
            Kernels.binary(Binary.ADD, xs, gx, xs, gd, kept, gx);
        }, x);
    }

    private static int[] normalise(String op, int[] axes, int rank) {
        int[] r = new int[axes.length];
        boolean[] seen = new boolean[rank];
        for (int i = 0; i < axes.length; i++) {
            r[i] = Shapes.axis(axes[i], rank, op);
            if (seen[r[i]]) throw new IllegalArgumentException(op + ": axis " + axes[i] + " given twice");
            seen[r[i]] = true;
        }
        return r;
    }
}
