package org.stmae.opencl;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.stmae.tensor.CpuBackend;
import org.stmae.tensor.ScalarKernels;
import org.stmae.tensor.ScalarKernels.Binary;
import org.stmae.tensor.Shapes;
import org.stmae.tensor.Tensor;

/**
 * Every {@link DeviceKernel} op, through {@link OpenClBackend}, against the frozen
 * {@link ScalarKernels} oracle on a real OpenCL device (PoCL's CPU device in CI). One backend for
 * the class: the device compiles the program once. Shapes are small but cover tile edges (m, n, k
 * not multiples of 16), batching with shared operands, both transposes, accumulation, broadcast
 * on either side, and in-place use. Operands are {@link Tensor}s: the backend uploads them, keeps
 * results on the device, and {@code data()} fetches them for the check. Tolerances (EPS = 2^-24, float's unit roundoff): ops whose
 * device code repeats the oracle's operation order get a few EPS of the result (the device may
 * contract a*b+c into an fma, and exp/sqrt/divide may differ by an ulp); sums the device orders
 * differently get {@link #red}. Each failure names the seed.
 */
class OpenClKernelsTest extends OnOpenCl {
    static final double EPS = 0x1p-24;
    static final long SEED = 20261121L;

    /** A 1-D tensor over {@code a} (not copied: data() returns the same array, filled from the device). */
    static Tensor t(float[] a) {
        return Tensor.of(a, a.length);
    }

    /**
     * A tensor whose device copy holds NaN, for a kernel told to overwrite it: a read of the old
     * values would show. (The axpy reads it, so its values go up to the device.)
     */
    Tensor nans(int n) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, Float.NaN);
        Tensor t = t(a);
        ocl.axpy(1f, Tensor.zeros(n), t, n);
        return t;
    }

    static float[] rand(Random r, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) ((2 * r.nextFloat() - 1) * scale);
        return a;
    }

    /** |expected - actual| <= tol[i] everywhere, else fail naming what, the seed and the index. */
    static void check(String what, float[] expected, float[] actual, double[] tol) {
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs((double) expected[i] - actual[i]);
            if (!(d <= tol[i]) && Float.compare(expected[i], actual[i]) != 0)
                fail(String.format("%s (seed %d): index %d: oracle %s opencl %s, |diff| %.3g > tol %.3g",
                        what, SEED, i, expected[i], actual[i], d, tol[i]));
        }
    }

    /** Tolerance of ulps EPS relative to each expected value, with a floor of floor. */
    static double[] rel(float[] expected, double ulps, double floor) {
        double[] t = new double[expected.length];
        for (int i = 0; i < t.length; i++) t[i] = Math.max(floor, ulps * EPS * Math.abs(expected[i]));
        return t;
    }

    /** A reordered n-term sum: 4 sqrt(n) EPS times the sum of |terms|, as VectorKernelsTest. */
    static double red(int n, double sumAbs) {
        return 4 * Math.sqrt(n) * EPS * sumAbs;
    }

    @Test
    void sgemmAllTransposesBatchesAndEdges() {
        Random r = new Random(SEED);
        int[][] shapes = {{1, 1, 1, 1}, {1, 17, 33, 5}, {3, 16, 16, 16}, {2, 31, 7, 40}, {4, 5, 50, 18}, {2, 70, 65, 33}};
        for (int[] s : shapes)
            for (int t = 0; t < 4; t++)
                for (int shared = 0; shared < 3; shared++) {
                    int batch = s[0], m = s[1], n = s[2], k = s[3];
                    boolean tA = (t & 1) != 0, tB = (t & 2) != 0, acc = shared == 1;
                    int aBatch = shared == 2 ? 0 : m * k, bBatch = shared == 1 ? 0 : k * n;
                    float[] a = rand(r, Math.max(1, batch * m * k), 1), b = rand(r, Math.max(1, batch * k * n), 1);
                    float[] c0 = rand(r, batch * m * n, 1);
                    float[] want = c0.clone();
                    Tensor got = t(c0.clone());
                    ScalarKernels.matmul(batch, tA, tB, m, n, k, a, 0, tA ? m : k, aBatch, b, 0, tB ? k : n, bBatch, want, 0, n, m * n, acc);
                    ocl.matmul(batch, tA, tB, m, n, k, t(a), 0, tA ? m : k, aBatch, t(b), 0, tB ? k : n, bBatch, got, 0, n, m * n, acc);
                    // Same order of the k products; the device may fuse multiply-adds and adds c last.
                    double[] tol = new double[want.length];
                    Arrays.fill(tol, red(k + 1, k + 1));
                    check(String.format("sgemm batch %d m %d n %d k %d tA %s tB %s acc %s shared %d", batch, m, n, k, tA, tB, acc, shared), want, got.data(), tol);
                }
    }

    @Test
    void sgemmOffsetsAndLeadingDimensions() {
        Random r = new Random(SEED + 1);
        int m = 9, n = 13, k = 21, lda = 30, ldb = 20, ldc = 17;
        float[] a = rand(r, 5 + m * lda, 1), b = rand(r, 3 + k * ldb, 1), c = rand(r, 7 + m * ldc, 1);
        for (boolean acc : new boolean[] {true, false}) {
            float[] want = c.clone();
            Tensor got = t(c.clone());
            ScalarKernels.matmul(1, false, false, m, n, k, a, 5, lda, 0, b, 3, ldb, 0, want, 7, ldc, 0, acc);
            ocl.matmul(1, false, false, m, n, k, t(a), 5, lda, 0, t(b), 3, ldb, 0, got, 7, ldc, 0, acc);
            double[] tol = new double[want.length];
            Arrays.fill(tol, red(k + 1, k + 1));
            check("sgemm with offsets and leading dimensions, accumulate " + acc + " (untouched elements must stay)", want, got.data(), tol);
        }
    }

    @Test
    void binaryBroadcastsEitherSideAndInPlace() {
        Random r = new Random(SEED + 2);
        int[][][] cases = {{{3, 4, 5}, {3, 4, 5}, {3, 4, 5}}, {{3, 4, 5}, {3, 4, 5}, {5}}, {{3, 4, 5}, {1, 4, 1}, {3, 4, 5}},
                {{2, 3, 4, 5}, {2, 1, 4, 1}, {3, 1, 5}}, {{7}, {}, {7}}, {{}, {}, {}}};
        for (int[][] c : cases)
            for (Binary op : Binary.values()) {
                float[] a = rand(r, (int) Shapes.size(c[1]), 2), b = rand(r, (int) Shapes.size(c[2]), 2);
                if (op == Binary.DIV) for (int i = 0; i < b.length; i++) b[i] = b[i] >= 0 ? b[i] + 0.5f : b[i] - 0.5f;
                int n = (int) Shapes.size(c[0]);
                Tensor want = Tensor.zeros(n), got = Tensor.zeros(n);
                CpuBackend.INSTANCE.binary(op, c[0], t(a), c[1], t(b), c[2], want);
                ocl.binary(op, c[0], t(a), c[1], t(b), c[2], got);
                // One correctly rounded operation on CPU; OpenCL allows 2.5 ulp for divide.
                check(op + " " + Arrays.deepToString(c), want.data(), got.data(), rel(want.data(), 3, 0));
            }
        // in place: a += broadcast b, as the reduction's backward does
        float[] y = rand(r, 4, 1);
        Tensor x = t(rand(r, 24, 1)), want = x.copy();
        int[] xs = {6, 4}, ys = {1, 4};
        CpuBackend.INSTANCE.binary(Binary.ADD, xs, want, xs, t(y), ys, want);
        ocl.binary(Binary.ADD, xs, x, xs, t(y), ys, x);
        check("in-place add", want.data(), x.data(), rel(want.data(), 1, 0));
        // the same tensor for both operands (x * x)
        Tensor sq = Tensor.zeros(24), sqWant = Tensor.zeros(24);
        CpuBackend.INSTANCE.binary(Binary.MUL, xs, x, xs, x, xs, sqWant);
        ocl.binary(Binary.MUL, xs, x, xs, x, xs, sq);
        check("x * x", sqWant.data(), sq.data(), rel(sqWant.data(), 1, 0));
    }

    @Test
    void reduceOverAnyAxesAccumulates() {
        Random r = new Random(SEED + 3);
        int[][][] cases = {{{4, 6, 5}, {5}}, {{4, 6, 5}, {4, 1, 5}}, {{4, 6, 5}, {4, 6, 1}}, {{4, 6, 5}, {1, 1, 1}}, {{4, 6, 5}, {}},
                {{3, 300}, {300}}, {{2, 3, 4, 5}, {3, 1, 1}}};
        for (int[][] c : cases) {
            int n = (int) Shapes.size(c[0]), nd = (int) Shapes.size(c[1]);
            float[] src = rand(r, n, 1), dst = rand(r, nd, 1);
            Tensor want = t(dst.clone()), got = t(dst.clone());
            CpuBackend.INSTANCE.reduceInto(t(src), c[0], want, c[1]);
            ocl.reduceInto(t(src), c[0], got, c[1]);
            double[] tol = new double[nd];
            Arrays.fill(tol, red(n / nd + 1, n / nd + 1));
            check("reduce " + Arrays.deepToString(c), want.data(), got.data(), tol);
        }
    }

    @Test
    void axpyGeluAndSoftmax() {
        Random r = new Random(SEED + 4);
        int n = 1000;
        float[] x = rand(r, n, 5), d0 = rand(r, n, 1), dout = rand(r, n, 1);
        x[0] = 0f;
        x[1] = -4.5f;
        x[2] = 4f;
        Tensor xt = t(x); // uploaded once, read by the three ops
        float[] want = d0.clone();
        Tensor got = t(d0.clone());
        ScalarKernels.axpy(0.37f, x, want, n);
        ocl.axpy(0.37f, xt, got, n);
        check("axpy", want, got.data(), rel(want, 2, 2 * EPS));

        float[] gw = new float[n];
        Tensor gg = Tensor.zeros(n);
        ScalarKernels.geluForward(x, gw, n);
        ocl.geluForward(xt, gg, n);
        // The oracle's double-precision series, ported; exp in double may differ by an ulp.
        check("gelu", gw, gg.data(), rel(gw, 1, 1e-7));
        for (boolean acc : new boolean[] {true, false}) {
            // overwriting: the device buffer starts as NaN, which would show through if read
            float[] bw = d0.clone();
            Tensor bg = acc ? t(d0.clone()) : nans(n);
            ScalarKernels.geluBackward(dout, x, bw, n, acc);
            ocl.geluBackward(t(dout), xt, bg, n, acc);
            check("gelu backward accumulate=" + acc, bw, bg.data(), rel(bw, 1, 1e-7));
        }

        for (int d : new int[] {1, 7, 64, 197}) {
            int rows = 13;
            float scale = d < 64 ? 1f : 0.125f;
            boolean acc = d % 2 == 1;
            float[] sx = rand(r, rows * d, 8), sw = new float[rows * d];
            Tensor sg = Tensor.zeros(rows * d);
            ScalarKernels.softmaxForward(sx, sw, rows, d, scale);
            ocl.softmaxForward(t(sx), sg, rows, d, scale);
            check("softmax d " + d, sw, sg.data(), rel(sw, 4, 1e-7));
            float[] dy = rand(r, rows * d, 1), dxw = rand(r, rows * d, 1);
            Tensor dxg = acc ? t(dxw.clone()) : nans(rows * d);
            ScalarKernels.softmaxBackward(dy, sw, dxw, rows, d, scale, acc);
            ocl.softmaxBackward(t(dy), t(sw), dxg, rows, d, scale, acc);
            check("softmax backward d " + d + " accumulate=" + acc, dxw, dxg.data(), rel(dxw, 8, 4 * EPS));
        }
    }

    @Test
    void layerNormForwardAndBackward() {
        Random r = new Random(SEED + 5);
        for (int d : new int[] {1, 5, 96, 384}) {
            int rows = 11;
            float[] x = rand(r, rows * d, 3), w = rand(r, d, 1), b = rand(r, d, 1);
            float[] ow = new float[rows * d], mw = new float[rows], rw = new float[rows];
            Tensor xt = t(x), wt = t(w), og = Tensor.zeros(rows * d), mg = Tensor.zeros(rows), rg = Tensor.zeros(rows);
            ScalarKernels.layerNormForward(x, w, b, ow, mw, rw, rows, d, 1e-6f);
            ocl.layerNormForward(xt, wt, t(b), og, mg, rg, rows, d, 1e-6f);
            check("layernorm d " + d, ow, og.data(), rel(ow, 8, 8 * EPS));
            check("layernorm mean d " + d, mw, mg.data(), rel(mw, 4, 4 * EPS));
            check("layernorm rstd d " + d, rw, rg.data(), rel(rw, 4, 0));
            // without saving the statistics (inference): the same output
            Tensor noStats = Tensor.zeros(rows * d);
            ocl.layerNormForward(xt, wt, t(b), noStats, null, null, rows, d, 1e-6f);
            check("layernorm without stats d " + d, ow, noStats.data(), rel(ow, 8, 8 * EPS));
            float[] dout = rand(r, rows * d, 1);
            float[] dxw = rand(r, rows * d, 1), dww = rand(r, d, 1), dbw = rand(r, d, 1);
            boolean acc = d % 2 == 1;
            Tensor dxg = acc ? t(dxw.clone()) : nans(rows * d), dwg = t(dww.clone()), dbg = t(dbw.clone()), doutT = t(dout), mwT = t(mw), rwT = t(rw);
            ScalarKernels.layerNormBackward(dout, x, w, mw, rw, dxw, dww, dbw, rows, d, acc);
            ocl.layerNormBackward(doutT, xt, wt, mwT, rwT, dxg, dwg, dbg, rows, d, acc);
            // dx = rstd (g - mean g - xhat mean(g xhat)) cancels (exactly, at d = 1): the budget is
            // relative to the terms, times rstd, not to the result.
            double[] dxTol = new double[rows * d];
            for (int row = 0; row < rows; row++)
                for (int j = 0; j < d; j++) {
                    int i = row * d + j;
                    double xhat = (x[i] - mw[row]) * rw[row];
                    dxTol[i] = Math.abs(dxw[i]) * 2 * EPS + red(d, rw[row] * d * 4 * (Math.abs(dout[i] * w[j]) + Math.abs(xhat) + 1));
                }
            check("layernorm dx d " + d, dxw, dxg.data(), dxTol);
            check("layernorm dw d " + d, dww, dwg.data(), rel(dww, 8, 1e-6));
            check("layernorm db d " + d, dbw, dbg.data(), rel(dbw, 2, 2 * EPS));
            // only the weight's gradient wanted (bias frozen), no dx
            float[] dwOnly = dww.clone();
            Tensor dwOnlyG = t(dww.clone());
            ScalarKernels.layerNormBackward(dout, x, w, mw, rw, null, dwOnly, null, rows, d, true);
            ocl.layerNormBackward(doutT, xt, wt, mwT, rwT, null, dwOnlyG, null, rows, d, true);
            check("layernorm dw only d " + d, dwOnly, dwOnlyG.data(), rel(dwOnly, 8, 1e-6));
        }
    }

    @Test
    void adamwStep() {
        Random r = new Random(SEED + 6);
        int n = 777;
        float[] w = rand(r, n, 1), g = rand(r, n, 0.1), m = rand(r, n, 0.01), v = rand(r, n, 0.001);
        for (int i = 0; i < n; i++) v[i] = Math.abs(v[i]);
        float[] ww = w.clone(), mw = m.clone(), vw = v.clone(), mOld = m.clone(), vOld = v.clone();
        Tensor wt = t(w), mt = t(m), vt = t(v);
        ScalarKernels.adamw(ww, g, mw, vw, n, 0.9995f, 0.9f, 0.1f, 0.95f, 0.05f, -1.5e-3f, 0.2236f, 1e-8f);
        ocl.adamw(wt, t(g), mt, vt, n, 0.9995f, 0.9f, 0.1f, 0.95f, 0.05f, -1.5e-3f, 0.2236f, 1e-8f);
        check("adamw w", ww, wt.data(), rel(ww, 4, 4 * EPS));
        // m b1 + a1 g may cancel: the budget is relative to the two terms (the device may fuse them).
        double[] tm = new double[n], tv = new double[n];
        for (int i = 0; i < n; i++) {
            tm[i] = 2 * EPS * (Math.abs(mOld[i] * 0.9) + Math.abs(0.1 * g[i]));
            tv[i] = 2 * EPS * (Math.abs(vOld[i] * 0.95) + Math.abs(0.05 * g[i] * g[i]));
        }
        check("adamw m", mw, mt.data(), tm);
        check("adamw v", vw, vt.data(), tv);
    }

    /** Moves values without arithmetic (or with one add per element, as the oracle): bit-equal. */
    static void same(String what, float[] expected, float[] actual) {
        check(what, expected, actual, new double[expected.length]);
    }

    /** The oracle's copy and the device's on the same destination values. */
    void copyBoth(String what, int[] box, float[] src, int srcOff, int[] srcStrides, float[] dst, int dstOff, int[] dstStrides, boolean acc) {
        float[] want = dst.clone();
        Tensor got = t(dst.clone());
        ScalarKernels.copy(box, src, srcOff, srcStrides, want, dstOff, dstStrides, acc);
        ocl.copy(box, t(src), srcOff, srcStrides, got, dstOff, dstStrides, acc);
        same(what + ", accumulate " + acc, want, got.data());
    }

    @Test
    void copyPermutesNarrowsConcatenatesAndAccumulates() {
        Random r = new Random(SEED + 7);
        int[] shape = {2, 3, 4, 5};
        float[] x = rand(r, 120, 1);
        int[] strides = Shapes.strides(shape);
        for (boolean acc : new boolean[] {false, true}) {
            // permute (0, 1, 2, 3) -> (2, 0, 3, 1): the box is the output's shape, read through permuted strides
            int[] perm = {2, 0, 3, 1}, box = new int[4], srcStrides = new int[4];
            for (int d = 0; d < 4; d++) {
                box[d] = shape[perm[d]];
                srcStrides[d] = strides[perm[d]];
            }
            copyBoth("permute", box, x, 0, srcStrides, rand(r, 120, 1), 0, Shapes.strides(box), acc);
            // narrow axis 1 of [4, 6, 5] to [2, 5), and its gradient (the box back into a zero-padded [4, 6, 5])
            float[] y = rand(r, 120, 1);
            copyBoth("narrow", new int[] {4, 3, 5}, y, 2 * 5, new int[] {30, 5, 1}, rand(r, 60, 1), 0, new int[] {15, 5, 1}, acc);
            copyBoth("narrow backward", new int[] {4, 3, 5}, rand(r, 60, 1), 0, new int[] {15, 5, 1}, y, 2 * 5, new int[] {30, 5, 1}, acc);
            // concat along axis 1: [4, 6, 5] and [4, 3, 5] into [4, 9, 5]
            float[] cat = rand(r, 180, 1);
            copyBoth("concat first part", new int[] {4, 6, 5}, y, 0, new int[] {30, 5, 1}, cat, 0, new int[] {45, 5, 1}, acc);
            copyBoth("concat second part", new int[] {4, 3, 5}, rand(r, 60, 1), 0, new int[] {15, 5, 1}, cat, 6 * 5, new int[] {45, 5, 1}, acc);
            // a scalar box and a rank-8 box with a broadcast (stride 0) source
            copyBoth("rank 0", new int[0], x, 17, new int[0], rand(r, 3, 1), 2, new int[0], acc);
            int[] box8 = {2, 1, 2, 3, 1, 2, 2, 2};
            int[] src8 = {0, 0, 1, 2, 0, 6, 12, 24};
            copyBoth("rank 8", box8, x, 3, src8, rand(r, 96, 1), 0, Shapes.strides(box8), acc);
        }
    }

    @Test
    void copyOutsideTheTensorIsAnErrorNotACorruption() {
        Tensor src = t(new float[10]), dst = t(new float[10]);
        org.junit.jupiter.api.Assertions.assertThrows(IndexOutOfBoundsException.class,
                () -> ocl.copy(new int[] {3, 4}, src, 0, new int[] {4, 1}, dst, 0, new int[] {4, 1}, false));
    }

    @Test
    void copyRowsGathersAndScatterAddsInOrder() {
        Random r = new Random(SEED + 8);
        int width = 7;
        float[] table = rand(r, 10 * width, 1);
        int[] pick = {3, 3, 0, 9, 5, 3}, slots = {0, 1, 2, 3, 4, 5};
        for (boolean acc : new boolean[] {false, true}) {
            // gather: repeated source rows, distinct destinations
            float[] want = rand(r, 6 * width, 1);
            Tensor got = t(want.clone());
            ScalarKernels.copyRows(table, pick, want, slots, width, acc);
            ocl.copyRows(t(table), pick, got, slots, width, acc);
            same("gather, accumulate " + acc, want, got.data());
            // scatter: repeated destination rows add up (or overwrite) in row order
            float[] grads = rand(r, 6 * width, 1), into = rand(r, 10 * width, 1);
            Tensor intoG = t(into.clone());
            ScalarKernels.copyRows(grads, slots, into, pick, width, acc);
            ocl.copyRows(t(grads), slots, intoG, pick, width, acc);
            same("scatter to repeated rows, accumulate " + acc, into, intoG.data());
        }
    }

    @Test
    void maskedSquaredErrorAndItsGradient() {
        Random r = new Random(SEED + 9);
        int tokens = 37, p = 19;
        float[] x = rand(r, tokens * p, 2), y = rand(r, tokens * p, 2), w = new float[tokens];
        for (int t = 0; t < tokens; t++) w[t] = t % 3 == 0 ? 0f : r.nextFloat() + 0.5f;
        x[0] = Float.NaN; // in a token of weight 0: skipped, as the oracle skips it
        double want = ScalarKernels.maskedSquaredError(x, y, w, tokens, p);
        Tensor xt = t(x), yt = t(y), wt = t(w);
        double got = ocl.maskedSquaredError(xt, yt, wt, tokens, p);
        // Exact squares of float differences summed in double in the oracle's order; only the
        // (tokens + p) double roundings may differ: (tokens + p) 2^-53 of the sum of |terms|.
        double tol = (tokens + p) * 0x1p-53 * Math.abs(want);
        if (!(Math.abs(want - got) <= tol)) fail("masked squared error (seed " + SEED + "): oracle " + want + " opencl " + got + ", tol " + tol);

        float[] dw = rand(r, tokens * p, 1), dOld = dw.clone();
        Tensor dg = t(dw.clone());
        double scale = 2.0 / 25;
        ScalarKernels.maskedSquaredErrorBackward(scale, x, y, w, dw, tokens, p);
        ocl.maskedSquaredErrorBackward(scale, xt, yt, wt, dg, tokens, p);
        // dx + c (x - y), which the device may fuse: 2 EPS of the two terms.
        double[] tb = new double[dw.length];
        for (int i = 0; i < tb.length; i++) {
            int t = i / p;
            double term = w[t] == 0 ? 0 : (float) (scale * w[t]) * ((double) x[i] - y[i]);
            tb[i] = 2 * EPS * (Math.abs(dOld[i]) + Math.abs(term));
        }
        check("masked squared error backward", dw, dg.data(), tb);
    }

    @Test
    void sumOfSquaresInDouble() {
        Random r = new Random(SEED + 10);
        for (int n : new int[] {1, 4095, 4096, 10_001}) {
            float[] x = rand(r, n, 3);
            double want = ScalarKernels.sumOfSquares(x, n), got = ocl.sumOfSquares(t(x));
            // Exact squares (float * float fits a double); the device adds them in chunks, so the
            // order of n positive double additions differs: 2 n 2^-53 of the sum.
            double tol = 2.0 * n * 0x1p-53 * want;
            if (!(Math.abs(want - got) <= tol)) fail("sum of squares n " + n + " (seed " + SEED + "): oracle " + want + " opencl " + got + ", tol " + tol);
        }
    }
}
