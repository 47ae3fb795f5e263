package org.stmae.tensor;

import org.stmae.tensor.ScalarKernels.Binary;

/**
 * The default backend: the Vector API kernels ({@link Sgemm}, {@link VectorKernels}) on the
 * {@link Parallel} pool, or with {@code -Dstmae.kernels=scalar} the frozen scalar oracle
 * ({@link ScalarKernels}), which makes any suspected kernel bug easy to rule in or out on a
 * whole model.
 */
public final class CpuBackend implements Backend {
    public static final CpuBackend INSTANCE = new CpuBackend();

    static final boolean SCALAR = kind();

    private CpuBackend() {}

    private static boolean kind() {
        String k = System.getProperty("stmae.kernels", "vector");
        if (!k.equals("vector") && !k.equals("scalar"))
            throw new IllegalArgumentException("-Dstmae.kernels must be vector or scalar, got '" + k + "'");
        return k.equals("scalar");
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public void matmul(int batch, boolean transA, boolean transB, int m, int n, int k,
                       float[] a, int aOff, int lda, int aBatch,
                       float[] b, int bOff, int ldb, int bBatch,
                       float[] c, int cOff, int ldc, int cBatch, boolean accumulate) {
        if (SCALAR) ScalarKernels.matmul(batch, transA, transB, m, n, k, a, aOff, lda, aBatch, b, bOff, ldb, bBatch, c, cOff, ldc, cBatch, accumulate);
        else Sgemm.matmul(batch, transA, transB, m, n, k, a, aOff, lda, aBatch, b, bOff, ldb, bBatch, c, cOff, ldc, cBatch, accumulate);
    }

    @Override
    public void binary(Binary op, int[] outShape, float[] a, int[] aShape, float[] b, int[] bShape, float[] out) {
        BroadcastRuns.forEachRun(outShape, aShape, bShape, (o, ao, as, bo, bs, n) -> binaryRun(op, a, ao, as, b, bo, bs, out, o, n));
    }

    @Override
    public void reduceInto(float[] src, int[] srcShape, float[] dst, int[] dstShape) {
        BroadcastRuns.forEachRun(srcShape, srcShape, dstShape, (o, so, ss, dOff, ds, n) -> accumulateRun(src, so, dst, dOff, ds, n));
    }

    /** One broadcast run; see {@link ScalarKernels#binaryRun}. */
    static void binaryRun(Binary op, float[] a, int ao, int as, float[] b, int bo, int bs, float[] out, int oo, int n) {
        if (SCALAR) ScalarKernels.binaryRun(op, a, ao, as, b, bo, bs, out, oo, n);
        else VectorKernels.binaryRun(op, a, ao, as, b, bo, bs, out, oo, n);
    }

    /** One reduction run; see {@link ScalarKernels#accumulateRun}. */
    static void accumulateRun(float[] src, int so, float[] dst, int dOff, int ds, int n) {
        if (SCALAR) ScalarKernels.accumulateRun(src, so, dst, dOff, ds, n);
        else VectorKernels.accumulateRun(src, so, dst, dOff, ds, n);
    }

    @Override
    public void axpy(float alpha, float[] src, float[] dst, int n) {
        if (SCALAR) ScalarKernels.axpy(alpha, src, dst, n);
        else VectorKernels.axpy(alpha, src, dst, n);
    }

    @Override
    public void geluForward(float[] x, float[] out, int n) {
        if (SCALAR) ScalarKernels.geluForward(x, out, n);
        else VectorKernels.geluForward(x, out, n);
    }

    @Override
    public void geluBackward(float[] dout, float[] x, float[] dx, int n) {
        if (SCALAR) ScalarKernels.geluBackward(dout, x, dx, n);
        else VectorKernels.geluBackward(dout, x, dx, n);
    }

    @Override
    public void softmaxForward(float[] x, float[] out, int rows, int d) {
        if (SCALAR) ScalarKernels.softmaxForward(x, out, rows, d);
        else VectorKernels.softmaxForward(x, out, rows, d);
    }

    @Override
    public void softmaxBackward(float[] dout, float[] y, float[] dx, int rows, int d) {
        if (SCALAR) ScalarKernels.softmaxBackward(dout, y, dx, rows, d);
        else VectorKernels.softmaxBackward(dout, y, dx, rows, d);
    }

    @Override
    public void layerNormForward(float[] x, float[] w, float[] b, float[] out, float[] mean, float[] rstd, int rows, int d, float eps) {
        if (SCALAR) ScalarKernels.layerNormForward(x, w, b, out, mean, rstd, rows, d, eps);
        else VectorKernels.layerNormForward(x, w, b, out, mean, rstd, rows, d, eps);
    }

    @Override
    public void layerNormBackward(float[] dout, float[] x, float[] w, float[] mean, float[] rstd,
                                  float[] dx, float[] dw, float[] db, int rows, int d) {
        if (SCALAR) ScalarKernels.layerNormBackward(dout, x, w, mean, rstd, dx, dw, db, rows, d);
        else VectorKernels.layerNormBackward(dout, x, w, mean, rstd, dx, dw, db, rows, d);
    }

    @Override
    public void adamw(float[] w, float[] g, float[] m, float[] v, int n, float shrink, float b1, float a1,
                      float b2, float a2, float stepSize, float bc2, float eps) {
        if (SCALAR) ScalarKernels.adamw(w, g, m, v, n, shrink, b1, a1, b2, a2, stepSize, bc2, eps);
        else VectorKernels.adamw(w, g, m, v, n, shrink, b1, a1, b2, a2, stepSize, bc2, eps);
    }
}
