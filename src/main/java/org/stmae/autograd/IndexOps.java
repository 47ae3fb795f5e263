package org.stmae.autograd;

import java.util.Arrays;
import org.stmae.tensor.IntTensor;
import org.stmae.tensor.Kernels;
import org.stmae.tensor.Shapes;
import org.stmae.tensor.Tensor;

/**
 * gather and scatter along an axis by an index tensor: how masking keeps the visible tokens and
 * how the decoder puts tokens back in order.
 *
 * <p>The index has the shape of x up to and including the axis ([N, K] for axis 1 of [N, L, D])
 * and applies to whole trailing blocks: {@code out[pre, j, post] = x[pre, index[pre, j], post]}.
 * This is torch.gather with the index expanded over the trailing axes, without materialising
 * the expanded index.
 */
public final class IndexOps {
    private IndexOps() {}

    public static Var gather(Var x, int axis, IntTensor index) {
        int[] xs = x.shape();
        int ax = Shapes.axis(axis, xs.length, "gather");
        int k = checkIndex("gather", xs, ax, index, xs[ax]);
        int outer = ShapeOps.outer(xs, ax), inner = ShapeOps.inner(xs, ax), len = xs[ax];
        int[] outShape = xs.clone();
        outShape[ax] = k;
        Tensor out = Tensor.zeros(outShape);
        int[] picked = rows(index, outer, k, len), dense = sequence(outer * k);
        Kernels.copyRows(x.value, picked, out, dense, inner, false);
        return Var.of(out, "gather", g -> Kernels.copyRows(g, dense, x.gradBuffer(), picked, inner, true), x);
    }

    /**
     * The adjoint of gather: a zero tensor with {@code size} entries along the axis, into which
     * {@code out[pre, index[pre, j], post] += src[pre, j, post]} (repeated indices add up).
     */
    public static Var scatter(Var src, int axis, IntTensor index, int size) {
        int[] ss = src.shape();
        int ax = Shapes.axis(axis, ss.length, "scatter");
        int k = ss[ax];
        int[] outShape = ss.clone();
        outShape[ax] = size;
        checkIndex("scatter", outShape, ax, index, size);
        if (index.size(ax) != k)
            throw new IllegalArgumentException("scatter: index shape " + Shapes.str(index.shape()) + " does not match source shape " + Shapes.str(ss));
        int outer = ShapeOps.outer(ss, ax), inner = ShapeOps.inner(ss, ax);
        Tensor out = Tensor.zeros(outShape);
        int[] placed = rows(index, outer, k, size), dense = sequence(outer * k);
        Kernels.copyRows(src.value, dense, out, placed, inner, true);
        return Var.of(out, "scatter", g -> Kernels.copyRows(g, placed, src.gradBuffer(), dense, inner, true), src);
    }

    /** Row o * len + index[o, j] of the indexed tensor for each (o, j), seen as rows of the trailing block. */
    private static int[] rows(IntTensor index, int outer, int k, int len) {
        int[] r = new int[outer * k];
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < k; j++) r[o * k + j] = o * len + index.data[o * k + j];
        return r;
    }

    private static int[] sequence(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) r[i] = i;
        return r;
    }

    /** Checks the index's shape against x's prefix and every value against [0, len); returns K. */
    private static int checkIndex(String op, int[] xs, int ax, IntTensor index, int len) {
        int[] is = index.shape();
        boolean ok = is.length == ax + 1;
        for (int i = 0; ok && i < ax; i++) ok = is[i] == xs[i];
        if (!ok)
            throw new IllegalArgumentException(op + ": index shape " + Shapes.str(is) + " must equal the prefix of " + Shapes.str(xs) + " up to axis " + ax);
        for (int v : index.data)
            if (v < 0 || v >= len)
                throw new IndexOutOfBoundsException(op + ": index " + v + " out of range [0, " + len + ") for shape " + Arrays.toString(xs));
        return is[ax];
    }
}
