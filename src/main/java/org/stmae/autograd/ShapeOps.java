package org.stmae.autograd;

import java.util.Arrays;
import org.stmae.tensor.Kernels;
import org.stmae.tensor.Shapes;
import org.stmae.tensor.Tensor;

/** reshape (a view), permute and transpose, concat, narrow: ops that move values, not compute them. */
public final class ShapeOps {
    private ShapeOps() {}

    /** A view of the same values with another shape; one dimension may be -1. */
    public static Var reshape(Var x, int... shape) {
        Tensor out = x.value.reshape(shape);
        return Var.of(out, "reshape", g -> x.accumulateOwned(g.reshape(x.shape())), x);
    }

    /** out axis i is input axis perm[i] (torch.permute). Copies. */
    public static Var permute(Var x, int... perm) {
        int[] xs = x.shape();
        if (perm.length != xs.length) throw new IllegalArgumentException("permute: " + Arrays.toString(perm) + " does not match shape " + Shapes.str(xs));
        int[] inverse = new int[perm.length];
        boolean[] seen = new boolean[perm.length];
        for (int i = 0; i < perm.length; i++) {
            int p = Shapes.axis(perm[i], xs.length, "permute");
            if (seen[p]) throw new IllegalArgumentException("permute: " + Arrays.toString(perm) + " is not a permutation");
            seen[p] = true;
            inverse[p] = i;
        }
        Tensor out = permuted(x.value, perm);
        return Var.of(out, "permute", g -> x.accumulateOwned(permuted(g, inverse)), x);
    }

    /** Swaps two axes. */
    public static Var transpose(Var x, int a, int b) {
        int r = x.dim();
        int[] perm = new int[r];
        for (int i = 0; i < r; i++) perm[i] = i;
        a = Shapes.axis(a, r, "transpose");
        b = Shapes.axis(b, r, "transpose");
        perm[a] = b;
        perm[b] = a;
        return permute(x, perm);
    }

    /** Repeats x along its size-1 axes to {@code shape} (torch.expand, but copying). */
    public static Var expand(Var x, int... shape) {
        int[] xs = x.shape();
        int[] outShape = Shapes.broadcast("expand", xs, shape);
        if (!Arrays.equals(outShape, shape))
            throw new IllegalArgumentException("expand: cannot expand " + Shapes.str(xs) + " to " + Shapes.str(shape));
        Tensor out = Elementwise.binary("expand", org.stmae.tensor.ScalarKernels.Binary.ADD, Tensor.zeros(shape), x.value);
        return Var.of(out, "expand", g -> Elementwise.gradTo(x, g, true), x);
    }

    /** Joins tensors along an axis; every other axis must agree. */
    public static Var concat(int axis, Var... xs) {
        int[] first = xs[0].shape();
        int ax = Shapes.axis(axis, first.length, "concat");
        int sum = 0;
        for (Var v : xs) {
            int[] s = v.shape();
            boolean ok = s.length == first.length;
            for (int i = 0; ok && i < s.length; i++) ok = i == ax || s[i] == first[i];
            if (!ok) throw new IllegalArgumentException("concat: shapes " + Shapes.str(first) + " and " + Shapes.str(s) + " differ off axis " + axis);
            sum += s[ax];
        }
        final int total = sum;
        int[] outShape = first.clone();
        outShape[ax] = total;
        Tensor out = Tensor.empty(outShape); // the inputs' slabs tile it
        int outer = outer(outShape, ax), inner = inner(outShape, ax);
        int[] starts = new int[xs.length];
        for (int k = 1; k < xs.length; k++) starts[k] = starts[k - 1] + xs[k - 1].size(ax);
        // Input k is the box [outer, len_k * inner] at column starts[k] * inner of the output seen as [outer, total * inner].
        for (int k = 0; k < xs.length; k++)
            slab(xs[k].value, out, outer, xs[k].size(ax) * inner, total * inner, starts[k] * inner, false, false);
        return Var.of(out, "concat", g -> {
            for (int k = 0; k < xs.length; k++) {
                if (!xs[k].needsGrad()) continue;
                boolean add = xs[k].hasGrad();
                slab(xs[k].gradTarget(), g, outer, xs[k].size(ax) * inner, total * inner, starts[k] * inner, true, add);
            }
        }, xs);
    }

    /** The slice [start, start+length) of one axis (torch.narrow). Copies. */
    public static Var narrow(Var x, int axis, int start, int length) {
        int[] xs = x.shape();
        int ax = Shapes.axis(axis, xs.length, "narrow");
        if (start < 0 || length < 0 || start + length > xs[ax])
            throw new IllegalArgumentException("narrow: [" + start + ", " + (start + length) + ") out of axis " + axis + " of shape " + Shapes.str(xs));
        int[] outShape = xs.clone();
        outShape[ax] = length;
        Tensor out = Tensor.empty(outShape);
        int outer = outer(xs, ax), inner = inner(xs, ax);
        slab(out, x.value, outer, length * inner, xs[ax] * inner, start * inner, true, false);
        return Var.of(out, "narrow", g -> slab(g, x.gradBuffer(), outer, length * inner, xs[ax] * inner, start * inner, false, true), x);
    }

    /**
     * Moves an [outer, width] block between a tensor of rows of {@code width} and columns
     * [col, col + width) of a tensor of rows of {@code wideRow}: into the wide tensor, or with
     * {@code fromWide} out of it; with accumulate, adds instead of overwriting.
     */
    private static void slab(Tensor narrow, Tensor wide, int outer, int width, int wideRow, int col, boolean fromWide, boolean accumulate) {
        int[] box = {outer, width}, narrowStrides = {width, 1}, wideStrides = {wideRow, 1};
        if (fromWide) Kernels.copy(box, wide, col, wideStrides, narrow, 0, narrowStrides, accumulate);
        else Kernels.copy(box, narrow, 0, narrowStrides, wide, col, wideStrides, accumulate);
    }

    static int outer(int[] shape, int axis) {
        int n = 1;
        for (int i = 0; i < axis; i++) n *= shape[i];
        return n;
    }

    static int inner(int[] shape, int axis) {
        int n = 1;
        for (int i = axis + 1; i < shape.length; i++) n *= shape[i];
        return n;
    }

    /** Copy of x with its axes permuted: one strided copy reading x at the permuted strides. */
    static Tensor permuted(Tensor x, int[] perm) {
        int[] xs = x.shape(), st = Shapes.strides(xs);
        int r = xs.length;
        int[] outShape = new int[r], srcStride = new int[r];
        for (int i = 0; i < r; i++) {
            outShape[i] = xs[perm[i]];
            srcStride[i] = st[perm[i]];
        }
        Tensor out = Tensor.empty(outShape);
        Kernels.copy(outShape, x, 0, srcStride, out, 0, Shapes.strides(outShape), false);
        return out;
    }
}
