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

    /** See {@link Backend#matmul(Backend.Product)}. */
    public static void matmul(Backend.Product p) {
        backend.matmul(p);
    }

    /** See {@link Backend#matmuls}. */
    public static void matmuls(Backend.Product p, Backend.Product q) {
        backend.matmuls(p, q);
    }

    /** See {@link ScalarKernels#matmul} for the contract. */
    public static void matmul(int batch, boolean transA, boolean transB, int m, int n, int k,
                              Tensor a, int aOff, int lda, int aBatch,
                              Tensor b, int bOff, int ldb, int bBatch,
                              Tensor c, int cOff, int ldc, int cBatch, boolean accumulate) {
        backend.matmul(batch, transA, transB, m, n, k, a, aOff, lda, aBatch, b, bOff, ldb, bBatch, c, cOff, ldc, cBatch, accumulate);
    }

    /** See {@link Backend#binary}. */
    public static void binary(Binary op, int[] outShape, Tensor a, int[] aShape, Tensor b, int[] bShape, Tensor out) {
        backend.binary(op, outShape, a, aShape, b, bShape, out);
    }

    /** See {@link Backend#reduceInto}. */
    public static void reduceInto(Tensor src, int[] srcShape, Tensor dst, int[] dstShape) {
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

    public static void axpy(float alpha, Tensor src, Tensor dst, int n) {
        backend.axpy(alpha, src, dst, n);
    }

    /** See {@link ScalarKernels#copy}. */
    public static void copy(int[] box, Tensor src, int srcOff, int[] srcStrides, Tensor dst, int dstOff, int[] dstStrides, boolean accumulate) {
        backend.copy(box, src, srcOff, srcStrides, dst, dstOff, dstStrides, accumulate);
    }

    /** See {@link ScalarKernels#copyRows}. */
    public static void copyRows(Tensor src, int[] srcRows, Tensor dst, int[] dstRows, int width, boolean accumulate) {
        backend.copyRows(src, srcRows, dst, dstRows, width, accumulate);
    }

    public static void geluForward(Tensor x, Tensor out, int n) {
        backend.geluForward(x, out, n);
    }

    public static void geluBackward(Tensor dout, Tensor x, Tensor dx, int n, boolean accumulate) {
        backend.geluBackward(dout, x, dx, n, accumulate);
    }

    public static void softmaxForward(Tensor x, Tensor out, int rows, int d, float scale) {
        backend.softmaxForward(x, out, rows, d, scale);
    }

    public static void softmaxBackward(Tensor dout, Tensor y, Tensor dx, int rows, int d, float scale, boolean accumulate) {
        backend.softmaxBackward(dout, y, dx, rows, d, scale, accumulate);
    }

    public static void layerNormForward(Tensor x, Tensor w, Tensor b, Tensor out, Tensor mean, Tensor rstd, int rows, int d, float eps) {
        backend.layerNormForward(x, w, b, out, mean, rstd, rows, d, eps);
    }

    public static void layerNormBackward(Tensor dout, Tensor x, Tensor w, Tensor mean, Tensor rstd,
                                         Tensor dx, Tensor dw, Tensor db, int rows, int d, boolean accumulateDx) {
        backend.layerNormBackward(dout, x, w, mean, rstd, dx, dw, db, rows, d, accumulateDx);
    }

    /** See {@link ScalarKernels#maskedSquaredError}. */
    public static double maskedSquaredError(Tensor pred, Tensor target, Tensor weight, int tokens, int p) {
        return backend.maskedSquaredError(pred, target, weight, tokens, p);
    }

    /** See {@link ScalarKernels#maskedSquaredErrorBackward}. */
    public static void maskedSquaredErrorBackward(double scale, Tensor pred, Tensor target, Tensor weight, Tensor dpred, int tokens, int p) {
        backend.maskedSquaredErrorBackward(scale, pred, target, weight, dpred, tokens, p);
    }

    /** See {@link ScalarKernels#sumOfSquares}. */
    public static double sumOfSquares(Tensor x) {
        return backend.sumOfSquares(x);
    }

    /** See {@link Backend#adamw(Tensor[], Tensor[], Tensor[], Tensor[], float[], float, float, float, float, float[], float, float)}. */
    public static void adamw(Tensor[] w, Tensor[] g, Tensor[] m, Tensor[] v, float[] shrink, float b1, float a1,
                             float b2, float a2, float[] stepSize, float bc2, float eps) {
        backend.adamw(w, g, m, v, shrink, b1, a1, b2, a2, stepSize, bc2, eps);
    }
}
