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
                       Tensor at, int aOff, int lda, int aBatch,
                       Tensor bt, int bOff, int ldb, int bBatch,
                       Tensor ct, int cOff, int ldc, int cBatch, boolean accumulate) {
        float[] a = at.data(), b = bt.data(), c = ct.data();
        if (SCALAR) ScalarKernels.matmul(batch, transA, transB, m, n, k, a, aOff, lda, aBatch, b, bOff, ldb, bBatch, c, cOff, ldc, cBatch, accumulate);
        else Sgemm.matmul(batch, transA, transB, m, n, k, a, aOff, lda, aBatch, b, bOff, ldb, bBatch, c, cOff, ldc, cBatch, accumulate);
    }

    @Override
    public void matmuls(Product p, Product q) {
        if (!SCALAR && Sgemm.sideBySide(p.m(), q.m())) Parallel.both(() -> matmul(p), () -> matmul(q));
        else Backend.super.matmuls(p, q);
    }

    @Override
    public void binary(Binary op, int[] outShape, Tensor at, int[] aShape, Tensor bt, int[] bShape, Tensor outT) {
        float[] a = at.data(), b = bt.data(), out = outT.data();
        BroadcastRuns.forEachRun(outShape, aShape, bShape, (o, ao, as, bo, bs, n) -> binaryRun(op, a, ao, as, b, bo, bs, out, o, n));
    }

    @Override
    public void reduceInto(Tensor srcT, int[] srcShape, Tensor dstT, int[] dstShape) {
        float[] src = srcT.data(), dst = dstT.data();
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
    public void axpy(float alpha, Tensor src, Tensor dst, int n) {
        if (SCALAR) ScalarKernels.axpy(alpha, src.data(), dst.data(), n);
        else VectorKernels.axpy(alpha, src.data(), dst.data(), n);
    }

    @Override
    public void geluForward(Tensor x, Tensor out, int n) {
        if (SCALAR) ScalarKernels.geluForward(x.data(), out.data(), n);
        else VectorKernels.geluForward(x.data(), out.data(), n);
    }

    @Override
    public void geluBackward(Tensor dout, Tensor x, Tensor dx, int n, boolean accumulate) {
        if (SCALAR) ScalarKernels.geluBackward(dout.data(), x.data(), dx.data(), n, accumulate);
        else VectorKernels.geluBackward(dout.data(), x.data(), dx.data(), n, accumulate);
    }

    @Override
    public void softmaxForward(Tensor x, Tensor out, int rows, int d, float scale) {
        if (SCALAR) ScalarKernels.softmaxForward(x.data(), out.data(), rows, d, scale);
        else VectorKernels.softmaxForward(x.data(), out.data(), rows, d, scale);
    }

    @Override
    public void softmaxBackward(Tensor dout, Tensor y, Tensor dx, int rows, int d, float scale, boolean accumulate) {
        if (SCALAR) ScalarKernels.softmaxBackward(dout.data(), y.data(), dx.data(), rows, d, scale, accumulate);
        else VectorKernels.softmaxBackward(dout.data(), y.data(), dx.data(), rows, d, scale, accumulate);
    }

    /** The host array of an optional operand (layer norm's saved statistics and gradients). */
    private static float[] hostOrNull(Tensor t) {
        return t == null ? null : t.data();
    }

    @Override
    public void layerNormForward(Tensor x, Tensor w, Tensor b, Tensor out, Tensor mean, Tensor rstd, int rows, int d, float eps) {
        float[] mu = hostOrNull(mean), rs = hostOrNull(rstd);
        if (SCALAR) ScalarKernels.layerNormForward(x.data(), w.data(), b.data(), out.data(), mu, rs, rows, d, eps);
        else VectorKernels.layerNormForward(x.data(), w.data(), b.data(), out.data(), mu, rs, rows, d, eps);
    }

    @Override
    public void layerNormBackward(Tensor dout, Tensor x, Tensor w, Tensor mean, Tensor rstd,
                                  Tensor dx, Tensor dw, Tensor db, int rows, int d, boolean accumulateDx) {
        float[] gx = hostOrNull(dx), gw = hostOrNull(dw), gb = hostOrNull(db);
        if (SCALAR) ScalarKernels.layerNormBackward(dout.data(), x.data(), w.data(), mean.data(), rstd.data(), gx, gw, gb, rows, d, accumulateDx);
        else VectorKernels.layerNormBackward(dout.data(), x.data(), w.data(), mean.data(), rstd.data(), gx, gw, gb, rows, d, accumulateDx);
    }

    @Override
    public void adamw(Tensor w, Tensor g, Tensor m, Tensor v, int n, float shrink, float b1, float a1,
                      float b2, float a2, float stepSize, float bc2, float eps) {
        if (SCALAR) ScalarKernels.adamw(w.data(), g.data(), m.data(), v.data(), n, shrink, b1, a1, b2, a2, stepSize, bc2, eps);
        else VectorKernels.adamw(w.data(), g.data(), m.data(), v.data(), n, shrink, b1, a1, b2, a2, stepSize, bc2, eps);
    }

    @Override
    public void adamw(Tensor[] w, Tensor[] g, Tensor[] m, Tensor[] v, float[] shrink, float b1, float a1,
                      float b2, float a2, float[] stepSize, float bc2, float eps) {
        if (SCALAR) {
            Backend.super.adamw(w, g, m, v, shrink, b1, a1, b2, a2, stepSize, bc2, eps);
            return;
        }
        float[][] wd = new float[w.length][], gd = new float[w.length][], md = new float[w.length][], vd = new float[w.length][];
        int[] n = new int[w.length];
        for (int i = 0; i < w.length; i++) {
            if (g[i] == null) continue;
            n[i] = w[i].size();
            wd[i] = w[i].data();
            gd[i] = g[i].data();
            md[i] = m[i].data();
            vd[i] = v[i].data();
        }
        VectorKernels.adamw(wd, gd, md, vd, n, shrink, b1, a1, b2, a2, stepSize, bc2, eps);
    }

    @Override
    public void copy(int[] box, Tensor srcT, int srcOff, int[] srcStrides, Tensor dstT, int dstOff, int[] dstStrides, boolean accumulate) {
        float[] src = srcT.data(), dst = dstT.data();
        if (SCALAR) {
            ScalarKernels.copy(box, src, srcOff, srcStrides, dst, dstOff, dstStrides, accumulate);
            return;
        }
        int r = box.length;
        long size = Shapes.size(box);
        if (size == 0) return;
        int run = r == 0 ? 1 : box[r - 1], runs = (int) (size / run);
        // Memory-bound, but one core's stream left half the machine idle (bench-S: 550 copies,
        // 7 % of a step). Tasks take pieces of runs: a whole run, or COPY_PIECE floats of a long
        // contiguous one. Each element is still one assignment or one addition, so the bits do
        // not depend on the split.
        boolean contiguous = r == 0 || srcStrides[r - 1] == 1 && dstStrides[r - 1] == 1;
        int pieces = contiguous && run >= 2 * COPY_PIECE ? (run + COPY_PIECE - 1) / COPY_PIECE : 1;
        int piece = pieces == 1 ? run : COPY_PIECE;
        Parallel.forRange(runs * pieces, Math.max(1, COPY_PIECE / piece),
                (i0, i1) -> copyPieces(box, src, srcOff, srcStrides, dst, dstOff, dstStrides, accumulate, pieces, piece, i0, i1));
    }

    /** Floats per copy task. */
    private static final int COPY_PIECE = 1 << 15;

    /**
     * Pieces i0..i1 of a strided box copy, {@code pieces} per run (a run: one pass along the last
     * axis). An odometer over the other axes; a contiguous piece is one arraycopy, or one vector
     * add when accumulating.
     */
    private static void copyPieces(int[] box, float[] src, int srcOff, int[] srcStrides, float[] dst, int dstOff, int[] dstStrides,
                                   boolean accumulate, int pieces, int piece, int i0, int i1) {
        int r = box.length;
        int run = r == 0 ? 1 : box[r - 1], ss = r == 0 ? 1 : srcStrides[r - 1], ds = r == 0 ? 1 : dstStrides[r - 1];
        int[] idx = new int[Math.max(0, r - 1)];
        int s = srcOff, d = dstOff;
        for (int ax = r - 2, rest = i0 / pieces; ax >= 0; ax--) { // the odometer's position at piece i0
            idx[ax] = rest % box[ax];
            rest /= box[ax];
            s += idx[ax] * srcStrides[ax];
            d += idx[ax] * dstStrides[ax];
        }
        for (int i = i0; i < i1; i++) {
            int from = i % pieces * piece, n = Math.min(piece, run - from), sp = s + from * ss, dp = d + from * ds;
            if (ss == 1 && ds == 1) {
                if (accumulate) VectorKernels.addInto(src, sp, dst, dp, n);
                else System.arraycopy(src, sp, dst, dp, n);
            } else if (accumulate) for (int j = 0; j < n; j++) dst[dp + j * ds] += src[sp + j * ss];
            else for (int j = 0; j < n; j++) dst[dp + j * ds] = src[sp + j * ss];
            if (i % pieces < pieces - 1) continue; // the run goes on in the next piece
            for (int ax = r - 2; ax >= 0; ax--) {
                s += srcStrides[ax];
                d += dstStrides[ax];
                if (++idx[ax] < box[ax]) break;
                s -= srcStrides[ax] * box[ax];
                d -= dstStrides[ax] * box[ax];
                idx[ax] = 0;
            }
        }
    }

    @Override
    public void copyRows(Tensor srcT, int[] srcRows, Tensor dstT, int[] dstRows, int width, boolean accumulate) {
        float[] src = srcT.data(), dst = dstT.data();
        if (SCALAR || accumulate) {
            ScalarKernels.copyRows(src, srcRows, dst, dstRows, width, accumulate);
            return;
        }
        for (int r = 0; r < srcRows.length; r++) System.arraycopy(src, srcRows[r] * width, dst, dstRows[r] * width, width);
    }

    @Override
    public double maskedSquaredError(Tensor pred, Tensor target, Tensor weight, int tokens, int p) {
        if (SCALAR) return ScalarKernels.maskedSquaredError(pred.data(), target.data(), weight.data(), tokens, p);
        return VectorKernels.maskedSquaredError(pred.data(), target.data(), weight.data(), tokens, p);
    }

    @Override
    public void maskedSquaredErrorBackward(double scale, Tensor pred, Tensor target, Tensor weight, Tensor dpred, int tokens, int p) {
        if (SCALAR) ScalarKernels.maskedSquaredErrorBackward(scale, pred.data(), target.data(), weight.data(), dpred.data(), tokens, p);
        else VectorKernels.maskedSquaredErrorBackward(scale, pred.data(), target.data(), weight.data(), dpred.data(), tokens, p);
    }

    @Override
    public double sumOfSquares(Tensor x) {
        return ScalarKernels.sumOfSquares(x.data(), x.size());
    }
}
