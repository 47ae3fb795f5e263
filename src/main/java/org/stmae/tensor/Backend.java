package org.stmae.tensor;

import org.stmae.tensor.ScalarKernels.Binary;

/**
 * Where the numbers of a training step are computed: every kernel the autograd ops and the
 * optimiser call, with the contracts of {@link ScalarKernels} (the oracle every backend is tested
 * against). Kernels take tensors and flat offsets into them; a device backend keeps their
 * {@link Storage} on its device between calls, so a step moves values to the host only where host
 * code asks for them ({@link Tensor#data()}). {@link Kernels} holds the one backend a process uses.
 */
public interface Backend {
    /** Short name for start-up lines and benchmark tables, e.g. "cpu" or "opencl:0 (device name)". */
    String name();

    /** See {@link ScalarKernels#matmul}. */
    void matmul(int batch, boolean transA, boolean transB, int m, int n, int k,
                Tensor a, int aOff, int lda, int aBatch,
                Tensor b, int bOff, int ldb, int bBatch,
                Tensor c, int cOff, int ldc, int cBatch, boolean accumulate);

    /** One product's {@link #matmul} arguments. */
    record Product(int batch, boolean transA, boolean transB, int m, int n, int k,
                   Tensor a, int aOff, int lda, int aBatch,
                   Tensor b, int bOff, int ldb, int bBatch,
                   Tensor c, int cOff, int ldc, int cBatch, boolean accumulate) {}

    /**
     * Two independent products (neither writes what the other reads), in either order or at
     * once: a linear layer's input and weight gradients. By default one after the other.
     */
    default void matmuls(Product p, Product q) {
        matmul(p);
        matmul(q);
    }

    /** {@link #matmul} with a product's arguments. */
    default void matmul(Product x) {
        matmul(x.batch(), x.transA(), x.transB(), x.m(), x.n(), x.k(), x.a(), x.aOff(), x.lda(), x.aBatch(),
                x.b(), x.bOff(), x.ldb(), x.bBatch(), x.c(), x.cOff(), x.ldc(), x.cBatch(), x.accumulate());
    }

    /**
     * out = a OP b with NumPy broadcasting: a and b have shapes broadcastable to {@code outShape};
     * all three are dense row-major. {@code out} may be the same tensor as {@code a}.
     */
    void binary(Binary op, int[] outShape, Tensor a, int[] aShape, Tensor b, int[] bShape, Tensor out);

    /** dst (shape dstShape, broadcastable to srcShape) += src summed over the broadcast axes. */
    void reduceInto(Tensor src, int[] srcShape, Tensor dst, int[] dstShape);

    /** See {@link ScalarKernels#axpy}. */
    void axpy(float alpha, Tensor src, Tensor dst, int n);

    /** See {@link ScalarKernels#copy}: a strided box copy (permute, concat, narrow and their gradients). */
    void copy(int[] box, Tensor src, int srcOff, int[] srcStrides, Tensor dst, int dstOff, int[] dstStrides, boolean accumulate);

    /** See {@link ScalarKernels#copyRows}: rows by index (gather and scatter). */
    void copyRows(Tensor src, int[] srcRows, Tensor dst, int[] dstRows, int width, boolean accumulate);

    void geluForward(Tensor x, Tensor out, int n);

    /**
     * See {@link ScalarKernels#geluBackward}. {@code accumulate}: dx += the gradient; otherwise dx
     * is overwritten (a fresh buffer needs no zero-fill). The same flag on the other backward kernels.
     */
    void geluBackward(Tensor dout, Tensor x, Tensor dx, int n, boolean accumulate);

    /** See {@link ScalarKernels#softmaxForward}: softmax(scale * x), scale > 0 (attention's head_dim^-0.5). */
    void softmaxForward(Tensor x, Tensor out, int rows, int d, float scale);

    /** See {@link ScalarKernels#softmaxBackward}. */
    void softmaxBackward(Tensor dout, Tensor y, Tensor dx, int rows, int d, float scale, boolean accumulate);

    void layerNormForward(Tensor x, Tensor w, Tensor b, Tensor out, Tensor mean, Tensor rstd, int rows, int d, float eps);

    /** See {@link ScalarKernels#layerNormBackward}; {@code accumulateDx} as above (dw and db always accumulate). */
    void layerNormBackward(Tensor dout, Tensor x, Tensor w, Tensor mean, Tensor rstd,
                           Tensor dx, Tensor dw, Tensor db, int rows, int d, boolean accumulateDx);

    /** See {@link ScalarKernels#maskedSquaredError}. */
    double maskedSquaredError(Tensor pred, Tensor target, Tensor weight, int tokens, int p);

    /** See {@link ScalarKernels#maskedSquaredErrorBackward}. */
    void maskedSquaredErrorBackward(double scale, Tensor pred, Tensor target, Tensor weight, Tensor dpred, int tokens, int p);

    /** See {@link ScalarKernels#sumOfSquares}. */
    double sumOfSquares(Tensor x);

    void adamw(Tensor w, Tensor g, Tensor m, Tensor v, int n, float shrink, float b1, float a1,
               float b2, float a2, float stepSize, float bc2, float eps);

    /**
     * One AdamW update of every parameter at once: tensor i with its own shrink and stepSize, a
     * null gradient skipped. By default one {@link #adamw} call per tensor.
     */
    default void adamw(Tensor[] w, Tensor[] g, Tensor[] m, Tensor[] v, float[] shrink, float b1, float a1,
                       float b2, float a2, float[] stepSize, float bc2, float eps) {
        for (int i = 0; i < w.length; i++)
            if (g[i] != null) adamw(w[i], g[i], m[i], v[i], w[i].size(), shrink[i], b1, a1, b2, a2, stepSize[i], bc2, eps);
    }
}
