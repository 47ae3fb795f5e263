package org.stmae.tensor;

import org.stmae.tensor.ScalarKernels.Binary;

/**
 * Where the numbers of a training step are computed: every kernel the autograd ops and the
 * optimiser call, with the contracts of {@link ScalarKernels} (the oracle every backend is tested
 * against). Tensors live in host {@code float[]} arrays; a backend that computes elsewhere moves
 * what a call reads and writes. {@link Kernels} holds the one backend a process uses.
 */
public interface Backend {
    /** Short name for start-up lines and benchmark tables, e.g. "cpu" or "opencl:0 (device name)". */
    String name();

    /** See {@link ScalarKernels#matmul}. */
    void matmul(int batch, boolean transA, boolean transB, int m, int n, int k,
                float[] a, int aOff, int lda, int aBatch,
                float[] b, int bOff, int ldb, int bBatch,
                float[] c, int cOff, int ldc, int cBatch, boolean accumulate);

    /**
     * out = a OP b with NumPy broadcasting: a and b have shapes broadcastable to {@code outShape};
     * all three are dense row-major. {@code out} may be the same array as {@code a}.
     */
    void binary(Binary op, int[] outShape, float[] a, int[] aShape, float[] b, int[] bShape, float[] out);

    /** dst (shape dstShape, broadcastable to srcShape) += src summed over the broadcast axes. */
    void reduceInto(float[] src, int[] srcShape, float[] dst, int[] dstShape);

    /** See {@link ScalarKernels#axpy}. */
    void axpy(float alpha, float[] src, float[] dst, int n);

    void geluForward(float[] x, float[] out, int n);

    void geluBackward(float[] dout, float[] x, float[] dx, int n);

    void softmaxForward(float[] x, float[] out, int rows, int d);

    void softmaxBackward(float[] dout, float[] y, float[] dx, int rows, int d);

    void layerNormForward(float[] x, float[] w, float[] b, float[] out, float[] mean, float[] rstd, int rows, int d, float eps);

    void layerNormBackward(float[] dout, float[] x, float[] w, float[] mean, float[] rstd,
                           float[] dx, float[] dw, float[] db, int rows, int d);

    void adamw(float[] w, float[] g, float[] m, float[] v, int n, float shrink, float b1, float a1,
               float b2, float a2, float stepSize, float bc2, float eps);
}
