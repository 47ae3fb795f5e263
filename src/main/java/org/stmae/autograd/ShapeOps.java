package org.stmae.autograd;

import java.util.Arrays;
import org.stmae.tensor.Shapes;
import org.stmae.tensor.Tensor;

/** reshape (a view), permute and transpose, concat, narrow: ops that move values, not compute them. */
public final class ShapeOps {
    private ShapeOps() {}

    /** A view of the same values with another shape; one dimension may be -1. */
    public static Var reshape(Var x, int... shape) {
        Tensor out = x.value.reshape(shape);
        return Var.of(out, "reshape", g -> x.accumulate(g.data), x);
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
        return Var.of(out, "permute", g -> x.accumulate(permuted(g, inverse).data), x);
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
        return Var.of(out, "expand", g -> Elementwise.gradTo(x, g), x);
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
        Tensor out = Tensor.zeros(outShape);
        int outer = outer(outShape, ax), inner = inner(outShape, ax);
        int[] starts = new int[xs.length];
        for (int k = 1; k < xs.length; k++) starts[k] = starts[k - 1] + xs[k - 1].size(ax);
        // Input k fills rows [starts[k], starts[k] + len_k) of every outer slab of the output.
        for (int k = 0; k < xs.length; k++) {
            int block = xs[k].size(ax) * inner;
            for (int o = 0; o < outer; o++)
                System.arraycopy(xs[k].value.data, o * block, out.data, (o * total + starts[k]) * inner, block);
        }
        return Var.of(out, "concat", g -> {
            for (int k = 0; k < xs.length; k++) {
                if (!xs[k].needsGrad()) continue;
                int block = xs[k].size(ax) * inner;
                float[] gx = xs[k].gradData();
                for (int o = 0; o < outer; o++)
                    addRange(g.data, (o * total + starts[k]) * inner, gx, o * block, block);
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
        Tensor out = Tensor.zeros(outShape);
        int outer = outer(xs, ax), inner = inner(xs, ax);
        for (int o = 0; o < outer; o++)
            System.arraycopy(x.value.data, (o * xs[ax] + start) * inner, out.data, o * length * inner, length * inner);
        return Var.of(out, "narrow", g -> {
            float[] gx = x.gradData();
            for (int o = 0; o < outer; o++)
                addRange(g.data, o * length * inner, gx, (o * xs[ax] + start) * inner, length * inner);
        }, x);
    }

    /** dst[d..d+n) += src[s..s+n). */
    static void addRange(float[] src, int s, float[] dst, int d, int n) {
        for (int i = 0; i < n; i++) dst[d + i] += src[s + i];
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

    /** Copy of x with its axes permuted; contiguous trailing runs move with arraycopy. */
    static Tensor permuted(Tensor x, int[] perm) {
        int[] xs = x.shape(), st = Shapes.strides(xs);
        int r = xs.length;
        int[] outShape = new int[r], srcStride = new int[r];
        for (int i = 0; i < r; i++) {
            outShape[i] = xs[perm[i]];
            srcStride[i] = st[perm[i]];
        }
        Tensor out = Tensor.zeros(outShape);
        if (out.size() == 0) return out;
        int run = r == 0 ? 1 : outShape[r - 1];
        boolean contiguousRun = r == 0 || srcStride[r - 1] == 1;
        int last = r == 0 ? 1 : srcStride[r - 1];
        int outer = out.size() / run;
        int[] idx = new int[Math.max(0, r - 1)];
        int src = 0;
        for (int o = 0; o < outer; o++) {
            int dst = o * run;
            if (contiguousRun) System.arraycopy(x.data, src, out.data, dst, run);
            else for (int i = 0; i < run; i++) out.data[dst + i] = x.data[src + i * last];
            for (int d = r - 2; d >= 0; d--) {
                idx[d]++;
                src += srcStride[d];
                if (idx[d] < outShape[d]) break;
                src -= srcStride[d] * outShape[d];
                idx[d] = 0;
            }
        }
        return out;
    }
}
