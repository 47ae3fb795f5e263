package org.stmae.tensor;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.stmae.tensor.ScalarKernels.Binary;

/**
 * Every {@link VectorKernels} kernel against the frozen {@link ScalarKernels} oracle on seeded
 * random shapes: sizes around the vector length, d = 1, one-row inputs, long runs that take the
 * parallel path, broadcast (step-0) operands, and accumulation into nonzero buffers. Each
 * failure message carries the seed and the shape; rerun one seed to replay it. Tolerances sit
 * next to each check; EPS is float's unit roundoff 2^-24. Reassociated reductions get
 * {@link #red}: the oracle sums sequentially in float, whose rounding error grows like
 * sqrt(n) EPS times the sum of |terms| (n EPS is the worst case, never approached by random data).
 */
class VectorKernelsTest {
    static final double EPS = 0x1p-24;
    static final int L = VectorKernels.F.length();

    /** Run lengths: empty, around the vector length, one element, and long enough to split (> 2^17). */
    static int[] runLengths(Random r) {
        return new int[] {0, 1, 2, L - 1, L, L + 1, 4 * L - 1, 4 * L + 3, 157, 1 + r.nextInt(3000), 150_001 + r.nextInt(1000)};
    }

    /** Row widths for the row kernels, d = 1 included. */
    static int[] widths(Random r) {
        return new int[] {1, 2, L - 1, L, L + 1, 2 * L + 3, 4 * L, 4 * L + 5, 157, 384, 1 + r.nextInt(500)};
    }

    /** Tolerance of a reassociated n-term sum: 4 sqrt(n) EPS * (sum of |terms|). */
    static double red(int n, double sumAbs) {
        return 4 * Math.sqrt(n) * EPS * sumAbs;
    }

    /** Uniform in [-scale, scale) (cheaper than Gaussian for the long runs). */
    static float[] rand(Random r, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) ((2 * r.nextFloat() - 1) * scale);
        return a;
    }

    /** Fails with the first offending index, the values, the tolerance and the context. */
    static void check(String what, float[] expected, float[] actual, double[] tol, String ctx) {
        double worst = 0;
        int first = -1;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs((double) expected[i] - actual[i]);
            boolean ok = d <= tol[i] || Float.compare(expected[i], actual[i]) == 0;
            if (!ok && first < 0) first = i;
            if (tol[i] > 0) worst = Math.max(worst, d / tol[i]);
        }
        if (first >= 0)
            fail(String.format("%s: %s; first bad index %d: scalar %s vector %s tol %.3g; worst %.1f%% of budget",
                    what, ctx, first, expected[first], actual[first], tol[first], 100 * worst));
    }

    static double[] fill(int n, double v) {
        double[] t = new double[n];
        java.util.Arrays.fill(t, v);
        return t;
    }

    // ---- elementwise -------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 1234567})
    void binaryRunIsBitwiseScalar(long seed) {
        Random r = new Random(seed);
        for (int n : runLengths(r)) {
            float[] a = rand(r, n + 4, 2), b = rand(r, n + 4, 2), out = rand(r, n + 7, 1);
            for (int i = 0; i < b.length; i++) if (Math.abs(b[i]) < 1e-3f) b[i] = 0.5f;
            for (Binary op : Binary.values())
                for (int as = 0; as <= 1; as++)
                    for (int bs = 0; bs <= 1; bs++) {
                        int ao = r.nextInt(5), bo = r.nextInt(5), oo = r.nextInt(5);
                        float[] exp = out.clone(), act = out.clone();
                        ScalarKernels.binaryRun(op, a, ao, as, b, bo, bs, exp, oo, n);
                        VectorKernels.binaryRun(op, a, ao, as, b, bo, bs, act, oo, n);
                        // Tolerance 0: the same single IEEE operation per element; untouched elements too.
                        check("binaryRun", exp, act, new double[exp.length],
                                String.format("seed=%d op=%s n=%d as=%d bs=%d ao=%d bo=%d oo=%d", seed, op, n, as, bs, ao, bo, oo));
                    }
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 1234567})
    void accumulateRunMatchesScalar(long seed) {
        Random r = new Random(seed);
        for (int n : runLengths(r))
            for (int ds = 0; ds <= 1; ds++) {
                int so = r.nextInt(5), dOff = r.nextInt(5);
                float[] src = rand(r, so + n, 1), exp = rand(r, dOff + n + 2, 1), act = exp.clone();
                ScalarKernels.accumulateRun(src, so, exp, dOff, ds, n);
                VectorKernels.accumulateRun(src, so, act, dOff, ds, n);
                double[] tol = new double[exp.length];
                if (ds == 0) {
                    // Reassociated sum: red(n + 1, sum of |terms|), terms = the n sources and the old dst.
                    double s = Math.abs(exp[dOff]);
                    for (int i = 0; i < n; i++) s += Math.abs(src[so + i]);
                    tol[dOff] = red(n + 1, s);
                } // ds == 1: tolerance 0, the same float add per element.
                check("accumulateRun", exp, act, tol, String.format("seed=%d n=%d ds=%d so=%d dOff=%d", seed, n, ds, so, dOff));
            }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 1234567})
    void axpyMatchesScalar(long seed) {
        Random r = new Random(seed);
        for (int n : runLengths(r)) {
            float alpha = (float) r.nextGaussian();
            float[] src = rand(r, n, 1), exp = rand(r, n, 1), act = exp.clone(), tol = new float[n];
            double[] t = new double[n];
            // fma against mul-then-add: one product rounding apart, EPS * |alpha src| (+ EPS |result| slack).
            for (int i = 0; i < n; i++) t[i] = 2 * EPS * (Math.abs(alpha * src[i]) + Math.abs(exp[i]));
            ScalarKernels.axpy(alpha, src, exp, n);
            VectorKernels.axpy(alpha, src, act, n);
            check("axpy", exp, act, t, String.format("seed=%d n=%d alpha=%s", seed, n, alpha));
        }
    }

    // ---- GELU --------------------------------------------------------------------------------

    /** Inputs: Gaussian with scale 3, plus zeros and large magnitudes (the erf clamp). */
    static float[] geluInputs(Random r, int n) {
        float[] x = rand(r, n, 3);
        for (int i = 0; i < n; i += 7) x[i] = r.nextBoolean() ? 0f : (float) ((r.nextBoolean() ? 1 : -1) * (4 + 30 * r.nextDouble()));
        return x;
    }

    static int[] geluLengths(Random r) {
        return new int[] {1, L - 1, L, L + 1, 4 * L + 3, 1 + r.nextInt(2000), 40_001 + r.nextInt(100)}; // last > 2 grains
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 1234567})
    void geluForwardMatchesScalar(long seed) {
        Random r = new Random(seed);
        for (int n : geluLengths(r)) {
            float[] x = geluInputs(r, n), exp = new float[n], act = new float[n];
            ScalarKernels.geluForward(x, exp, n);
            VectorKernels.geluForward(x, act, n);
            // |err| <= |x|/2 * |erf err| + rounding: 2e-7 * (1 + |x|) absolute.
            double[] t = new double[n];
            for (int i = 0; i < n; i++) t[i] = 2e-7 * (1 + Math.abs(x[i]));
            check("geluForward", exp, act, t, String.format("seed=%d n=%d", seed, n));
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 1234567})
    void geluBackwardMatchesScalar(long seed) {
        Random r = new Random(seed);
        for (int n : geluLengths(r)) {
            boolean acc = r.nextBoolean();
            float[] x = geluInputs(r, n), dout = rand(r, n, 1), exp = rand(r, n, 1), act = acc ? exp.clone() : fillF(n, Float.NaN);
            double[] t = new double[n];
            // The derivative Phi + x phi to 2e-7 * (1 + |x|), times |dout|, plus the += rounding EPS * |dx|.
            for (int i = 0; i < n; i++) t[i] = 2e-7 * (1 + Math.abs(x[i])) * Math.abs(dout[i]) + (acc ? 2 * EPS * Math.abs(exp[i]) : 0);
            ScalarKernels.geluBackward(dout, x, exp, n, acc);
            VectorKernels.geluBackward(dout, x, act, n, acc);
            check("geluBackward", exp, act, t, String.format("seed=%d n=%d accumulate=%b", seed, n, acc));
        }
    }

    // ---- softmax -----------------------------------------------------------------------------

    /** 1 (a plain softmax) or an attention scale, head_dim^-0.5 for head_dim in [16, 128]. */
    static float scaleFor(Random r) {
        return r.nextBoolean() ? 1f : (float) Math.pow(16 + r.nextInt(113), -0.5);
    }

    static int rowsFor(Random r, int d) {
        return r.nextInt(4) == 0 ? 1 : 1 + r.nextInt(24);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 1234567})
    void softmaxForwardMatchesScalarAndSumsToOne(long seed) {
        Random r = new Random(seed);
        int[] ds = widths(r);
        for (int k = 0; k <= ds.length; k++) {
            int d = k < ds.length ? ds[k] : 392, rows = k < ds.length ? rowsFor(r, d) : 130; // last: parallel path
            float[] x = rand(r, rows * d, 1 + 4 * r.nextDouble()), exp = new float[rows * d], act = new float[rows * d];
            float scale = scaleFor(r);
            ScalarKernels.softmaxForward(x, exp, rows, d, scale);
            VectorKernels.softmaxForward(x, act, rows, d, scale);
            String ctx = String.format("seed=%d rows=%d d=%d scale=%s", seed, rows, d, scale);
            // 1e-6 absolute, plus the oracle's own error: its float sum of d exps is off by red(d, sum)
            // relative, which moves every output by as much relative (4.7e-6 y at d = 392).
            double[] t = new double[rows * d];
            for (int i = 0; i < t.length; i++) t[i] = 1e-6 + red(d, exp[i]);
            check("softmaxForward", exp, act, t, ctx);
            for (int row = 0; row < rows; row++) {
                double s = 0;
                for (int j = 0; j < d; j++) s += act[row * d + j];
                assertTrue(Math.abs(s - 1) <= 1e-6, "softmax row " + row + " sums to " + s + "; " + ctx); // 1e-6
            }
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 1234567})
    void softmaxBackwardMatchesScalar(long seed) {
        Random r = new Random(seed);
        int[] ds = widths(r);
        for (int k = 0; k <= ds.length; k++) {
            int d = k < ds.length ? ds[k] : 392, rows = k < ds.length ? rowsFor(r, d) : 130;
            float[] y = new float[rows * d];
            float scale = scaleFor(r);
            boolean acc = r.nextBoolean();
            ScalarKernels.softmaxForward(rand(r, rows * d, 3), y, rows, d, scale);
            float[] dout = rand(r, rows * d, 1), exp = rand(r, rows * d, 1), act = acc ? exp.clone() : fillF(rows * d, Float.NaN);
            // dot(dy, y) reassociated: red(d, sum_j |dy_j y_j|), times y and scale; plus a few EPS of the terms.
            double[] t = new double[rows * d];
            for (int row = 0; row < rows; row++) {
                double s = 0;
                for (int j = 0; j < d; j++) s += Math.abs(dout[row * d + j] * y[row * d + j]);
                for (int j = 0; j < d; j++) {
                    int i = row * d + j;
                    t[i] = scale * y[i] * (red(d, s) + 6 * EPS * Math.abs(dout[i])) + (acc ? 2 * EPS * Math.abs(exp[i]) : 0);
                }
            }
            ScalarKernels.softmaxBackward(dout, y, exp, rows, d, scale, acc);
            VectorKernels.softmaxBackward(dout, y, act, rows, d, scale, acc);
            check("softmaxBackward", exp, act, t, String.format("seed=%d rows=%d d=%d scale=%s accumulate=%b", seed, rows, d, scale, acc));
        }
    }

    // ---- layer norm --------------------------------------------------------------------------

    /** Rows with random offsets in [-3, 3] and spreads in [0.5, 5]: variance well above eps. */
    static float[] lnInputs(Random r, int rows, int d) {
        float[] x = new float[rows * d];
        for (int row = 0; row < rows; row++) {
            double off = 6 * r.nextDouble() - 3, sc = 0.5 + 4.5 * r.nextDouble();
            for (int j = 0; j < d; j++) x[row * d + j] = (float) (off + sc * r.nextGaussian());
        }
        return x;
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 1234567})
    void layerNormForwardMatchesScalar(long seed) {
        Random r = new Random(seed);
        int[] ds = widths(r);
        float eps = 1e-5f;
        for (int k = 0; k <= ds.length; k++) {
            int d = k < ds.length ? ds[k] : 384, rows = k < ds.length ? rowsFor(r, d) : 150; // last: parallel path
            float[] x = lnInputs(r, rows, d), w = rand(r, d, 1), b = rand(r, d, 1);
            float[] exp = new float[rows * d], act = new float[rows * d];
            float[] me = new float[rows], ma = new float[rows], se = new float[rows], sa = new float[rows];
            ScalarKernels.layerNormForward(x, w, b, exp, me, se, rows, d, eps);
            VectorKernels.layerNormForward(x, w, b, act, ma, sa, rows, d, eps);
            String ctx = String.format("seed=%d rows=%d d=%d", seed, rows, d);
            // mean: red(d, sum |x|) / d; rstd: red(d, 1) relative (the variance's terms are all
            // positive, the sqrt halves the relative error) plus a few EPS.
            double[] tm = new double[rows], ts = new double[rows], t = new double[rows * d];
            for (int row = 0; row < rows; row++) {
                double abs = 0;
                for (int j = 0; j < d; j++) abs += Math.abs(x[row * d + j]);
                tm[row] = red(d, abs) / d;
                ts[row] = (red(d, 1) + 4 * EPS) * se[row];
                // out: xhat carries the mean's error times rstd and rstd's relative error, times |w|;
                // plus 8 EPS of |w xhat| + |b| for the per-element roundings.
                for (int j = 0; j < d; j++) {
                    int i = row * d + j;
                    double xhat = (x[i] - me[row]) * se[row];
                    t[i] = Math.abs(w[j]) * (se[row] * tm[row] + Math.abs(xhat) * ts[row] / se[row])
                            + 8 * EPS * (Math.abs(w[j] * xhat) + Math.abs(b[j]));
                }
            }
            check("layerNormForward mean", me, ma, tm, ctx);
            check("layerNormForward rstd", se, sa, ts, ctx);
            check("layerNormForward out", exp, act, t, ctx);
            // null mean/rstd are allowed and give the same output
            float[] act2 = new float[rows * d];
            VectorKernels.layerNormForward(x, w, b, act2, null, null, rows, d, eps);
            check("layerNormForward out (null stats)", act, act2, new double[rows * d], ctx);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 1234567})
    void layerNormOutputHasZeroMeanUnitVariance(long seed) {
        Random r = new Random(seed);
        int rows = 20, d = 3 * L + 5;
        float[] x = lnInputs(r, rows, d), w = fillF(d, 1f), b = new float[d], out = new float[rows * d];
        VectorKernels.layerNormForward(x, w, b, out, null, null, rows, d, 1e-5f);
        for (int row = 0; row < rows; row++) {
            double m = 0, v = 0;
            for (int j = 0; j < d; j++) m += out[row * d + j];
            m /= d;
            for (int j = 0; j < d; j++) v += (out[row * d + j] - m) * (out[row * d + j] - m);
            v /= d;
            String ctx = String.format("seed=%d rows=%d d=%d row=%d", seed, rows, d, row);
            assertTrue(Math.abs(m) <= 1e-5, "mean " + m + "; " + ctx); // 1e-5: float rounding of xhat, |mean|/std <= 6
            // biased variance is var/(var+eps) >= 1 - 4e-5 for var >= 0.25, plus rounding: 1e-4
            assertTrue(Math.abs(v - 1) <= 1e-4, "variance " + v + "; " + ctx);
        }
    }

    static float[] fillF(int n, float v) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 1234567})
    void layerNormBackwardMatchesScalar(long seed) {
        Random r = new Random(seed);
        int[] ds = widths(r);
        for (int k = 0; k <= ds.length + 1; k++) {
            // the last two: many row blocks (parallel, partial dw/db sums), with d not a multiple of L
            int d = k < ds.length ? ds[k] : k == ds.length ? 384 : 3 * L + 1;
            int rows = k < ds.length ? rowsFor(r, d) : 300;
            float[] x = lnInputs(r, rows, d), w = rand(r, d, 1), b = rand(r, d, 1), mean = new float[rows], rstd = new float[rows];
            ScalarKernels.layerNormForward(x, w, b, new float[rows * d], mean, rstd, rows, d, 1e-5f);
            float[] dout = rand(r, rows * d, 1);
            int nulls = r.nextInt(8) == 0 ? 1 + r.nextInt(3) : 0; // sometimes drop one of dx, dw, db
            boolean acc = r.nextBoolean();
            float[] dxE = nulls == 1 ? null : rand(r, rows * d, 1), dwE = nulls == 2 ? null : rand(r, d, 1), dbE = nulls == 3 ? null : rand(r, d, 1);
            float[] dxA = dxE == null ? null : acc ? dxE.clone() : fillF(rows * d, Float.NaN), dwA = dwE == null ? null : dwE.clone(), dbA = dbE == null ? null : dbE.clone();
            // tolerances built from the magnitudes before accumulation
            double[] tdx = new double[rows * d], tdw = new double[d], tdb = new double[d];
            for (int row = 0; row < rows; row++) {
                double sg = 0, sgx = 0;
                for (int j = 0; j < d; j++) {
                    int i = row * d + j;
                    double xhat = (x[i] - mean[row]) * rstd[row], g = dout[i] * w[j];
                    sg += Math.abs(g);
                    sgx += Math.abs(g * xhat);
                    tdw[j] += Math.abs(dout[i] * xhat);
                    tdb[j] += Math.abs(dout[i]);
                }
                for (int j = 0; j < d; j++) {
                    int i = row * d + j;
                    double xhat = (x[i] - mean[row]) * rstd[row];
                    // dx: mean(g) and mean(g xhat) reassociated (red(d, their sums of |terms|) / d), times
                    // |xhat| for the second; 8 EPS of |g| + the means; all times rstd; plus the += rounding.
                    tdx[i] = rstd[row] * (red(d, sg + Math.abs(xhat) * sgx) / d
                            + 8 * EPS * (Math.abs(dout[i] * w[j]) + sg / d + Math.abs(xhat) * sgx / d))
                            + 2 * EPS * (dxE == null || !acc ? 0 : Math.abs(dxE[i]));
                }
            }
            // dw, db: sums over rows in another grouping: red(rows + 1, sum of |terms| + |initial|)
            for (int j = 0; j < d; j++) {
                tdw[j] = red(rows + 1, tdw[j] + (dwE == null ? 0 : Math.abs(dwE[j])));
                tdb[j] = red(rows + 1, tdb[j] + (dbE == null ? 0 : Math.abs(dbE[j])));
            }
            ScalarKernels.layerNormBackward(dout, x, w, mean, rstd, dxE, dwE, dbE, rows, d, acc);
            VectorKernels.layerNormBackward(dout, x, w, mean, rstd, dxA, dwA, dbA, rows, d, acc);
            String ctx = String.format("seed=%d rows=%d d=%d nulls=%d accumulateDx=%b", seed, rows, d, nulls, acc);
            if (dxE != null) check("layerNormBackward dx", dxE, dxA, tdx, ctx);
            if (dwE != null) check("layerNormBackward dw", dwE, dwA, tdw, ctx);
            if (dbE != null) check("layerNormBackward db", dbE, dbA, tdb, ctx);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2})
    void layerNormBackwardIsDeterministic(long seed) {
        Random r = new Random(seed);
        int rows = 400, d = 200;
        float[] x = lnInputs(r, rows, d), w = rand(r, d, 1), mean = new float[rows], rstd = new float[rows];
        ScalarKernels.layerNormForward(x, w, new float[d], new float[rows * d], mean, rstd, rows, d, 1e-5f);
        float[] dout = rand(r, rows * d, 1);
        float[] dw1 = new float[d], db1 = new float[d], dw2 = new float[d], db2 = new float[d];
        VectorKernels.layerNormBackward(dout, x, w, mean, rstd, null, dw1, db1, rows, d, true);
        VectorKernels.layerNormBackward(dout, x, w, mean, rstd, null, dw2, db2, rows, d, true);
        String ctx = String.format("seed=%d rows=%d d=%d", seed, rows, d);
        check("dw run-to-run", dw1, dw2, new double[d], ctx); // bitwise
        check("db run-to-run", db1, db2, new double[d], ctx);
    }

    /**
     * The CPU backend's strided copy against the oracle, bit for bit: many short runs (split over
     * the pool by whole runs), permuted strides, and long contiguous runs (split into pieces),
     * each with and without accumulation.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void copyMatchesTheOracle(long seed) {
        Random r = new Random(seed);
        int a = 2 + r.nextInt(3), b = 3 + r.nextInt(60), c = 64, longRun = 100_000 + r.nextInt(50_000);
        int[][] boxes = {{a, b, c}, {a, b, c}, {1, longRun}, {3, longRun}};
        int[][] srcStrides = {{b * c, c, 1}, {c, a * c, 1}, {longRun, 1}, {longRun + 7, 1}};
        int[][] dstStrides = {{b * c, c, 1}, {b * c, c, 1}, {2 * longRun, 1}, {longRun, 1}};
        int[] srcOff = {0, 0, 0, 5}, dstOff = {0, 0, longRun, 0};
        for (int t = 0; t < boxes.length; t++) {
            int srcSize = srcOff[t] + 1, dstSize = dstOff[t] + 1;
            for (int ax = 0; ax < boxes[t].length; ax++) {
                srcSize += (boxes[t][ax] - 1) * srcStrides[t][ax];
                dstSize += (boxes[t][ax] - 1) * dstStrides[t][ax];
            }
            float[] src = rand(r, srcSize, 1), dst = rand(r, dstSize, 1);
            for (boolean acc : new boolean[] {false, true}) {
                float[] want = dst.clone();
                ScalarKernels.copy(boxes[t], src, srcOff[t], srcStrides[t], want, dstOff[t], dstStrides[t], acc);
                Tensor got = Tensor.of(dst.clone(), dstSize);
                CpuBackend.INSTANCE.copy(boxes[t], Tensor.of(src, srcSize), srcOff[t], srcStrides[t], got, dstOff[t], dstStrides[t], acc);
                check("copy " + java.util.Arrays.toString(boxes[t]), want, got.data(), new double[dstSize],
                        String.format("seed=%d case=%d accumulate=%b", seed, t, acc));
            }
        }
    }

    /**
     * The masked squared error against the oracle: the sum within 1e-12 relative (both in double,
     * reassociated), the gradient bit for bit (the same float operations per element); tokens
     * with weight 0 left untouched, widths around the vector length, enough tokens to split.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42})
    void maskedSquaredErrorMatchesScalar(long seed) {
        Random r = new Random(seed);
        for (int p : new int[] {1, L - 1, L, L + 3, 768}) {
            int tokens = 1 + r.nextInt(2000);
            float[] x = rand(r, tokens * p, 2), y = rand(r, tokens * p, 2), w = new float[tokens];
            for (int t = 0; t < tokens; t++) w[t] = r.nextInt(4) == 0 ? 0f : r.nextFloat() + 0.5f;
            String ctx = String.format("seed=%d tokens=%d p=%d", seed, tokens, p);
            double want = ScalarKernels.maskedSquaredError(x, y, w, tokens, p), got = VectorKernels.maskedSquaredError(x, y, w, tokens, p);
            assertTrue(Math.abs(want - got) <= 1e-12 * Math.abs(want), ctx + ": scalar " + want + " vector " + got);
            float[] dWant = rand(r, tokens * p, 1), dGot = dWant.clone();
            double scale = 2.0 / (tokens * 0.75);
            ScalarKernels.maskedSquaredErrorBackward(scale, x, y, w, dWant, tokens, p);
            VectorKernels.maskedSquaredErrorBackward(scale, x, y, w, dGot, tokens, p);
            check("maskedSquaredErrorBackward", dWant, dGot, new double[tokens * p], ctx);
        }
    }
}
