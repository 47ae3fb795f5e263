package org.stmae.autograd;

import java.util.Arrays;
import org.stmae.tensor.Backend;
import org.stmae.tensor.Kernels;
import org.stmae.tensor.ScalarKernels.Binary;
import org.stmae.tensor.Shapes;
import org.stmae.tensor.Tensor;

/**
 * Matrix products: batched matmul with either operand transposed (attention), and the fused
 * linear layer y = x W^T + b with W stored [out, in] like nn.Linear.
 */
public final class MatMul {
    private MatMul() {}

    /**
     * op(a) op(b) over the last two axes, where op transposes when asked. Leading (batch) axes
     * must be equal, or one operand may be a plain matrix shared by every batch entry.
     */
    public static Var matmul(Var a, Var b, boolean transA, boolean transB) {
        int[] as = a.shape(), bs = b.shape();
        if (as.length < 2 || bs.length < 2)
            throw new IllegalArgumentException("matmul: operands need rank >= 2, got " + Shapes.str(as) + " and " + Shapes.str(bs));
        int m = transA ? as[as.length - 1] : as[as.length - 2];
        int ka = transA ? as[as.length - 2] : as[as.length - 1];
        int kb = transB ? bs[bs.length - 1] : bs[bs.length - 2];
        int n = transB ? bs[bs.length - 2] : bs[bs.length - 1];
        int[] aBatch = Arrays.copyOf(as, as.length - 2), bBatch = Arrays.copyOf(bs, bs.length - 2);
        boolean sameBatch = Arrays.equals(aBatch, bBatch);
        if (ka != kb || !(sameBatch || aBatch.length == 0 || bBatch.length == 0))
            throw new IllegalArgumentException("matmul" + (transA ? "(a^T" : "(a") + (transB ? ", b^T)" : ", b)")
                    + ": shapes " + Shapes.str(as) + " and " + Shapes.str(bs) + " do not multiply");
        int k = ka;
        int[] batchShape = aBatch.length > 0 ? aBatch : bBatch;
        int batch = (int) Shapes.size(batchShape);
        boolean aShared = aBatch.length == 0 && batch > 1, bShared = bBatch.length == 0 && batch > 1;
        int[] outShape = Arrays.copyOf(batchShape, batchShape.length + 2);
        outShape[batchShape.length] = m;
        outShape[batchShape.length + 1] = n;
        Tensor out = Tensor.empty(outShape);
        mm(batch, transA, transB, m, n, k, a.value, aShared ? 0 : m * k, b.value, bShared ? 0 : k * n, out, m * n, false);
        return Var.of(out, "matmul", g -> {
            // C = op(A) op(B). Each gradient is again one product; the stored layout of the
            // operand decides which factor is transposed (see SPEC.md, matmul).
            if (a.needsGrad()) {
                boolean add = a.hasGrad();
                if (!transA) gradProduct(batch, aShared, false, !transB, m, k, n, g, m * n, b.value, bShared ? 0 : k * n, a.gradTarget(), m * k, add);
                else gradProduct(batch, aShared, transB, true, k, m, n, b.value, bShared ? 0 : k * n, g, m * n, a.gradTarget(), m * k, add);
            }
            if (b.needsGrad()) {
                boolean add = b.hasGrad();
                if (!transB) gradProduct(batch, bShared, !transA, false, k, n, m, a.value, aShared ? 0 : m * k, g, m * n, b.gradTarget(), k * n, add);
                else gradProduct(batch, bShared, true, transA, n, k, m, g, m * n, a.value, aShared ? 0 : m * k, b.gradTarget(), k * n, add);
            }
        }, a, b);
    }

    /**
     * y = x W^T + b over the last axis of x: x [..., in], W [out, in], b [out] or null.
     * Fused so the bias add and its gradient need no broadcast temporaries.
     */
    public static Var linear(Var x, Var w, Var bias) {
        int[] xs = x.shape(), ws = w.shape();
        int in = xs[xs.length - 1];
        if (ws.length != 2 || ws[1] != in || bias != null && (bias.dim() != 1 || bias.size(0) != ws[0]))
            throw new IllegalArgumentException("linear: input " + Shapes.str(xs) + ", weight " + Shapes.str(ws)
                    + (bias == null ? "" : ", bias " + Shapes.str(bias.shape())) + " do not fit (weight must be [out, " + in + "])");
        int outF = ws[0], rows = x.value.size() / Math.max(1, in);
        int[] outShape = xs.clone();
        outShape[xs.length - 1] = outF;
        Tensor y = Tensor.empty(outShape);
        mm(1, false, true, rows, outF, in, x.value, 0, w.value, 0, y, 0, false);
        int[] rowsOut = {rows, outF}, biasShape = {outF};
        if (bias != null) Kernels.binary(Binary.ADD, rowsOut, y, rowsOut, bias.value, biasShape, y);
        Var[] inputs = bias == null ? new Var[] {x, w} : new Var[] {x, w, bias};
        return Var.of(y, "linear", g -> {
            Backend.Product dx = null, dw = null;
            if (x.needsGrad()) {
                boolean add = x.hasGrad();
                dx = product(1, false, false, rows, in, outF, g, 0, w.value, 0, x.gradTarget(), 0, add);
            }
            if (w.needsGrad()) {
                boolean add = w.hasGrad();
                dw = product(1, true, false, outF, in, rows, g, 0, x.value, 0, w.gradTarget(), 0, add);
            }
            if (dx != null && dw != null) Kernels.matmuls(dx, dw); // independent: the backend may run them at once
            else if (dx != null || dw != null) Kernels.matmul(dx != null ? dx : dw);
            if (bias != null && bias.needsGrad()) Kernels.reduceInto(g, rowsOut, bias.gradBuffer(), biasShape);
        }, inputs);
    }

    /** Contiguous batched product C = op(A) op(B) (+ C), leading dimensions implied by the shapes. */
    private static Backend.Product product(int batch, boolean tA, boolean tB, int m, int n, int k,
                                           Tensor a, int aBatch, Tensor b, int bBatch, Tensor c, int cBatch, boolean accumulate) {
        return new Backend.Product(batch, tA, tB, m, n, k, a, 0, tA ? m : k, aBatch, b, 0, tB ? k : n, bBatch, c, 0, n, cBatch, accumulate);
    }

    /** Runs {@link #product}. */
    static void mm(int batch, boolean tA, boolean tB, int m, int n, int k,
                   Tensor a, int aBatch, Tensor b, int bBatch, Tensor c, int cBatch, boolean accumulate) {
        Kernels.matmul(product(batch, tA, tB, m, n, k, a, aBatch, b, bBatch, c, cBatch, accumulate));
    }

    /**
     * C (+)= op(A) op(B) into a gradient buffer: added with {@code add}, else overwritten (a new
     * buffer). When the gradient's owner was shared across the batch (stride 0), the per-entry
     * products are summed one entry at a time so that no two threads write the same buffer.
     */
    private static void gradProduct(int batch, boolean sharedTarget, boolean tA, boolean tB, int m, int n, int k,
                                    Tensor a, int aBatch, Tensor b, int bBatch, Tensor c, int cBatch, boolean add) {
        if (!sharedTarget) {
            mm(batch, tA, tB, m, n, k, a, aBatch, b, bBatch, c, cBatch, add);
            return;
        }
        for (int z = 0; z < batch; z++)
            Kernels.matmul(1, tA, tB, m, n, k, a, z * aBatch, tA ? m : k, 0, b, z * bBatch, tB ? k : n, 0, c, 0, n, 0, add || z > 0);
    }
}
