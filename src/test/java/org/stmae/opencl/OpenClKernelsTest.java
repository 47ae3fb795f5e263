package org.stmae.opencl;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.stmae.tensor.CpuBackend;
import org.stmae.tensor.ScalarKernels;
import org.stmae.tensor.ScalarKernels.Binary;

/**
 * Every {@link DeviceKernel} op, through {@link OpenClBackend}, against the frozen
 * {@link ScalarKernels} oracle on a real OpenCL device (PoCL's CPU device in CI). One backend for
 * the class: the device compiles the program once. Shapes are small but cover tile edges (m, n, k
 * not multiples of 16), batching with shared operands, both transposes, accumulation, broadcast
 * on either side, and in-place use. Tolerances (EPS = 2^-24, float's unit roundoff): ops whose
 * device code repeats the oracle's operation order get a few EPS of the result (the device may
 * contract a*b+c into an fma, and exp/sqrt/divide may differ by an ulp); sums the device orders
 * differently get {@link #red}. Each failure names the seed.
 */
class OpenClKernelsTest {
    static final double EPS = 0x1p-24;
    static final long SEED = 20261121L;
    static OpenClBackend ocl;

    @BeforeAll
    static void open() {
        ocl = TestDevice.open();
    }

    @AfterAll
    static void close() {
        if (ocl != null) ocl.close();
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
                    float[] want = c0.clone(), got = c0.clone();
                    ScalarKernels.matmul(batch, tA, tB, m, n, k, a, 0, tA ? m : k, aBatch, b, 0, tB ? k : n, bBatch, want, 0, n, m * n, acc);
                    ocl.matmul(batch, tA, tB, m, n, k, a, 0, tA ? m : k, aBatch, b, 0, tB ? k : n, bBatch, got, 0, n, m * n, acc);
                    // Same order of the k products; the device may fuse multiply-adds and adds c last.
                    double[] tol = new double[want.length];
                    java.util.Arrays.fill(tol, red(k + 1, k + 1));
                    check(String.format("sgemm batch %d m %d n %d k %d tA %s tB %s acc %s shared %d", batch, m, n, k, tA, tB, acc, shared), want, got, tol);
                }
    }

    @Test
    void sgemmOffsetsAndLeadingDimensions() {
        Random r = new Random(SEED + 1);
        int m = 9, n = 13, k = 21, lda = 30, ldb = 20, ldc = 17;
        float[] a = rand(r, 5 + m * lda, 1), b = rand(r, 3 + k * ldb, 1), c = rand(r, 7 + m * ldc, 1);
        for (boolean acc : new boolean[] {true, false}) {
            float[] want = c.clone(), got = c.clone();
            ScalarKernels.matmul(1, false, false, m, n, k, a, 5, lda, 0, b, 3, ldb, 0, want, 7, ldc, 0, acc);
            ocl.matmul(1, false, false, m, n, k, a, 5, lda, 0, b, 3, ldb, 0, got, 7, ldc, 0, acc);
            double[] tol = new double[want.length];
            java.util.Arrays.fill(tol, red(k + 1, k + 1));
            check("sgemm with offsets and leading dimensions, accumulate " + acc + " (untouched elements must stay)", want, got, tol);
        }
    }

    @Test
    void binaryBroadcastsEitherSideAndInPlace() {
        Random r = new Random(SEED + 2);
        int[][][] cases = {{{3, 4, 5}, {3, 4, 5}, {3, 4, 5}}, {{3, 4, 5}, {3, 4, 5}, {5}}, {{3, 4, 5}, {1, 4, 1}, {3, 4, 5}},
                {{2, 3, 4, 5}, {2, 1, 4, 1}, {3, 1, 5}}, {{7}, {}, {7}}, {{}, {}, {}}};
        for (int[][] c : cases)
            for (Binary op : Binary.values()) {
                float[] a = rand(r, (int) org.stmae.tensor.Shapes.size(c[1]), 2), b = rand(r, (int) org.stmae.tensor.Shapes.size(c[2]), 2);
                if (op == Binary.DIV) for (int i = 0; i < b.length; i++) b[i] = b[i] >= 0 ? b[i] + 0.5f : b[i] - 0.5f;
                int n = (int) org.stmae.tensor.Shapes.size(c[0]);
                float[] want = new float[n], got = new float[n];
                CpuBackend.INSTANCE.binary(op, c[0], a, c[1], b, c[2], want);
                ocl.binary(op, c[0], a, c[1], b, c[2], got);
                // One correctly rounded operation on CPU; OpenCL allows 2.5 ulp for divide.
                check(op + " " + java.util.Arrays.deepToString(c), want, got, rel(want, 3, 0));
            }
        // in place: a += broadcast b, as the reduction's backward does
        float[] x = rand(r, 24, 1), y = rand(r, 4, 1), want = x.clone();
        int[] xs = {6, 4}, ys = {1, 4};
        CpuBackend.INSTANCE.binary(Binary.ADD, xs, want, xs, y, ys, want);
        ocl.binary(Binary.ADD, xs, x, xs, y, ys, x);
        check("in-place add", want, x, rel(want, 1, 0));
        // the same array for both operands (x * x)
        float[] sq = new float[24], sqWant = new float[24];
        CpuBackend.INSTANCE.binary(Binary.MUL, xs, x, xs, x, xs, sqWant);
        ocl.binary(Binary.MUL, xs, x, xs, x, xs, sq);
        check("x * x", sqWant, sq, rel(sqWant, 1, 0));
    }

    @Test
    void reduceOverAnyAxesAccumulates() {
        Random r = new Random(SEED + 3);
        int[][][] cases = {{{4, 6, 5}, {5}}, {{4, 6, 5}, {4, 1, 5}}, {{4, 6, 5}, {4, 6, 1}}, {{4, 6, 5}, {1, 1, 1}}, {{4, 6, 5}, {}},
                {{3, 300}, {300}}, {{2, 3, 4, 5}, {3, 1, 1}}};
        for (int[][] c : cases) {
            int n = (int) org.stmae.tensor.Shapes.size(c[0]), nd = (int) org.stmae.tensor.Shapes.size(c[1]);
            float[] src = rand(r, n, 1), dst = rand(r, nd, 1);
            float[] want = dst.clone(), got = dst.clone();
            CpuBackend.INSTANCE.reduceInto(src, c[0], want, c[1]);
            ocl.reduceInto(src, c[0], got, c[1]);
            double[] tol = new double[nd];
            java.util.Arrays.fill(tol, red(n / nd + 1, n / nd + 1));
            check("reduce " + java.util.Arrays.deepToString(c), want, got, tol);
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
        float[] want = d0.clone(), got = d0.clone();
        ScalarKernels.axpy(0.37f, x, want, n);
        ocl.axpy(0.37f, x, got, n);
        check("axpy", want, got, rel(want, 2, 2 * EPS));

        float[] gw = new float[n], gg = new float[n];
        ScalarKernels.geluForward(x, gw, n);
        ocl.geluForward(x, gg, n);
        // The oracle's double-precision series, ported; exp in double may differ by an ulp.
        check("gelu", gw, gg, rel(gw, 1, 1e-7));
        float[] bw = d0.clone(), bg = d0.clone();
        ScalarKernels.geluBackward(dout, x, bw, n);
        ocl.geluBackward(dout, x, bg, n);
        check("gelu backward", bw, bg, rel(bw, 1, 1e-7));

        for (int d : new int[] {1, 7, 64, 197}) {
            int rows = 13;
            float[] sx = rand(r, rows * d, 8), sw = new float[rows * d], sg = new float[rows * d];
            ScalarKernels.softmaxForward(sx, sw, rows, d);
            ocl.softmaxForward(sx, sg, rows, d);
            check("softmax d " + d, sw, sg, rel(sw, 4, 1e-7));
            float[] dy = rand(r, rows * d, 1), dxw = rand(r, rows * d, 1), dxg = dxw.clone();
            ScalarKernels.softmaxBackward(dy, sw, dxw, rows, d);
            ocl.softmaxBackward(dy, sw, dxg, rows, d);
            check("softmax backward d " + d, dxw, dxg, rel(dxw, 8, 4 * EPS));
        }
    }

    @Test
    void layerNormForwardAndBackward() {
        Random r = new Random(SEED + 5);
        for (int d : new int[] {1, 5, 96, 384}) {
            int rows = 11;
            float[] x = rand(r, rows * d, 3), w = rand(r, d, 1), b = rand(r, d, 1);
            float[] ow = new float[rows * d], og = new float[rows * d];
            float[] mw = new float[rows], mg = new float[rows], rw = new float[rows], rg = new float[rows];
            ScalarKernels.layerNormForward(x, w, b, ow, mw, rw, rows, d, 1e-6f);
            ocl.layerNormForward(x, w, b, og, mg, rg, rows, d, 1e-6f);
            check("layernorm d " + d, ow, og, rel(ow, 8, 8 * EPS));
            check("layernorm mean d " + d, mw, mg, rel(mw, 4, 4 * EPS));
            check("layernorm rstd d " + d, rw, rg, rel(rw, 4, 0));
            float[] dout = rand(r, rows * d, 1);
            float[] dxw = rand(r, rows * d, 1), dxg = dxw.clone(), dww = rand(r, d, 1), dwg = dww.clone(), dbw = rand(r, d, 1), dbg = dbw.clone();
            ScalarKernels.layerNormBackward(dout, x, w, mw, rw, dxw, dww, dbw, rows, d);
            ocl.layerNormBackward(dout, x, w, mw, rw, dxg, dwg, dbg, rows, d);
            // dx = rstd (g - mean g - xhat mean(g xhat)) cancels (exactly, at d = 1): the budget is
            // relative to the terms, times rstd, not to the result.
            double[] dxTol = new double[rows * d];
            for (int row = 0; row < rows; row++)
                for (int j = 0; j < d; j++) {
                    int i = row * d + j;
                    double xhat = (x[i] - mw[row]) * rw[row];
                    dxTol[i] = Math.abs(dxw[i]) * 2 * EPS + red(d, rw[row] * d * 4 * (Math.abs(dout[i] * w[j]) + Math.abs(xhat) + 1));
                }
            check("layernorm dx d " + d, dxw, dxg, dxTol);
            check("layernorm dw d " + d, dww, dwg, rel(dww, 8, 1e-6));
            check("layernorm db d " + d, dbw, dbg, rel(dbw, 2, 2 * EPS));
            // only the weight's gradient wanted (bias frozen), no dx
            float[] dwOnly = dww.clone(), dwOnlyG = dww.clone();
            ScalarKernels.layerNormBackward(dout, x, w, mw, rw, null, dwOnly, null, rows, d);
            ocl.layerNormBackward(dout, x, w, mw, rw, null, dwOnlyG, null, rows, d);
            check("layernorm dw only d " + d, dwOnly, dwOnlyG, rel(dwOnly, 8, 1e-6));
        }
    }

    @Test
    void adamwStep() {
        Random r = new Random(SEED + 6);
        int n = 777;
        float[] w = rand(r, n, 1), g = rand(r, n, 0.1), m = rand(r, n, 0.01), v = rand(r, n, 0.001);
        for (int i = 0; i < n; i++) v[i] = Math.abs(v[i]);
        float[] ww = w.clone(), mw = m.clone(), vw = v.clone(), mOld = m.clone(), vOld = v.clone();
        ScalarKernels.adamw(ww, g, mw, vw, n, 0.9995f, 0.9f, 0.1f, 0.95f, 0.05f, -1.5e-3f, 0.2236f, 1e-8f);
        ocl.adamw(w, g, m, v, n, 0.9995f, 0.9f, 0.1f, 0.95f, 0.05f, -1.5e-3f, 0.2236f, 1e-8f);
        check("adamw w", ww, w, rel(ww, 4, 4 * EPS));
        // m b1 + a1 g may cancel: the budget is relative to the two terms (the device may fuse them).
        double[] tm = new double[n], tv = new double[n];
        for (int i = 0; i < n; i++) {
            tm[i] = 2 * EPS * (Math.abs(mOld[i] * 0.9) + Math.abs(0.1 * g[i]));
            tv[i] = 2 * EPS * (Math.abs(vOld[i] * 0.95) + Math.abs(0.05 * g[i] * g[i]));
        }
        check("adamw m", mw, m, tm);
        check("adamw v", vw, v, tv);
    }
}
