package org.stmae.tensor;

import org.stmae.tensor.ScalarKernels.Binary;

/**
 * The kernels the autograd ops and the optimiser call, forwarded to the process's one
 * {@link Backend}: {@link CpuBackend} unless a command chose another ({@code --device}).
 */
public final class Kernels {
    private Kernels() {}

    /** Whether the CPU backend runs the scalar oracle ({@code -Dstmae.kernels=scalar}). */
    public static final boolean SCALAR = CpuBackend.SCALAR;

    private static Backend backend = CpuBackend.INSTANCE;

    /** Makes every later kernel call run on {@code b}; returns the backend it replaces. */
    public static synchronized Backend use(Backend b) {
        Backend old = backend;
        backend = b;
        return old;
    }

    public static Backend backend() {
        return backend;
    }

    /** "scalar" or "vector" for the CPU backend, else the backend's name. */
    public static String name() {
        if (backend != CpuBackend.INSTANCE) return backend.name();
        return SCALAR ? "scalar" : "vector";
    }

    /** See {@link ScalarKernels#matmul} for the contract. */
    public static void matmul(int batch, boolean transA, boolean transB, int m, int n, int k,
                              float[] a, int aOff, int lda, int aBatch,
                              float[] b, int bOff, int ldb, int bBatch,
                              float[] c, int cOff, int ldc, int cBatch, boolean accumulate) {
        backend.matmul(batch, transA, transB, m, n, k, a, aOff, lda, aBatch, b, bOff, ldb, bBatch, c, cOff, ldc, cBatch, accumulate);
    }

    /** See {@link Backend#binary}. */
    public static void binary(Binary op, int[] outShape, float[] a, int[] aShape, float[] b, int[] bShape, float[] out) {
        backend.binary(op, outShape, a, aShape, b, bShape, out);
    }

    /** See {@link Backend#reduceInto}. */
    public static void reduceInto(float[] src, int[] srcShape, float[] dst, int[] dstShape) {
        backend.reduceInto(src, srcShape, dst, dstShape);
    }

    /** One broadcast run on the CPU (the fast kernel behind {@link CpuBackend#binary}). */
    public static void binaryRun(Binary op, float[] a, int ao, int as, float[] b, int bo, int bs, float[] out, int oo, int n) {
        CpuBackend.binaryRun(op, a, ao, as, b, bo, bs, out, oo, n);
    }

    /** One reduction run on the CPU (the fast kernel behind {@link CpuBackend#reduceInto}). */
    public static void accumulateRun(float[] src, int so, float[] dst, int dOff, int ds, int n) {
        CpuBackend.accumulateRun(src, so, dst, dOff, ds, n);
    }

    public static void axpy(float alpha, float[] src, float[] dst, int n) {
        backend.axpy(alpha, src, dst, n);
    }

    public static void geluForward(float[] x, float[] out, int n) {
        backend.geluForward(x, out, n);
    }

    public static void geluBackward(float[] dout, float[] x, float[] dx, int n) {
        backend.geluBackward(dout, x, dx, n);
    }

    public static void softmaxForward(float[] x, float[] out, int rows, int d) {
        backend.softmaxForward(x, out, rows, d);
    }

    public static void softmaxBackward(float[] dout, float[] y, float[] dx, int rows, int d) {
        backend.softmaxBackward(dout, y, dx, rows, d);
    }

    public static void layerNormForward(float[] x, float[] w, float[] b, float[] out, float[] mean, float[] rstd, int rows, int d, float eps) {
        backend.layerNormForward(x, w, b, out, mean, rstd, rows, d, eps);
    }

    public static void layerNormBackward(float[] dout, float[] x, float[] w, float[] mean, float[] rstd,
                                         float[] dx, float[] dw, float[] db, int rows, int d) {
        backend.layerNormBackward(dout, x, w, mean, rstd, dx, dw, db, rows, d);
    }

    public static void adamw(float[] w, float[] g, float[] m, float[] v, int n, float shrink, float b1, float a1,
                             float b2, float a2, float stepSize, float bc2, float eps) {
        backend.adamw(w, g, m, v, n, shrink, b1, a1, b2, a2, stepSize, bc2, eps);
    }
}
