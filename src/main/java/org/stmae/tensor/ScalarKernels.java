package org.stmae.tensor;

/**
 * The frozen scalar reference of every kernel: plain loops, float accumulation in index order.
 * This class is the oracle the fast kernels are tested against; keep it short and never
 * optimise it.
 */
public final class ScalarKernels {
    private ScalarKernels() {}

    /**
     * Batched matrix multiply, for z in [0, batch): C_z = (accumulate ? C_z : 0) + op(A_z) op(B_z).
     *
     * <p>op(A_z) is [m, k]: element (i, p) is {@code a[aOff + z*aBatch + i*lda + p]}, or with
     * {@code transA} {@code a[aOff + z*aBatch + p*lda + i]}. op(B_z) is [k, n]: element (p, j) is
     * {@code b[bOff + z*bBatch + p*ldb + j]}, or with {@code transB} {@code b[... + j*ldb + p]}.
     * C_z element (i, j) is {@code c[cOff + z*cBatch + i*ldc + j]}. A batch stride of 0 reuses
     * one matrix for every batch entry.
     */
    public static void matmul(int batch, boolean transA, boolean transB, int m, int n, int k,
                              float[] a, int aOff, int lda, int aBatch,
                              float[] b, int bOff, int ldb, int bBatch,
                              float[] c, int cOff, int ldc, int cBatch, boolean accumulate) {
        for (int z = 0; z < batch; z++) {
            int ao = aOff + z * aBatch, bo = bOff + z * bBatch, co = cOff + z * cBatch;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    float s = accumulate ? c[co + i * ldc + j] : 0f;
                    for (int p = 0; p < k; p++) {
                        float av = transA ? a[ao + p * lda + i] : a[ao + i * lda + p];
                        float bv = transB ? b[bo + j * ldb + p] : b[bo + p * ldb + j];
                        s += av * bv;
                    }
                    c[co + i * ldc + j] = s;
                }
            }
        }
    }

    // ---- elementwise -------------------------------------------------------------------------

    /** Binary elementwise operators; a run reads a and b with step 0 (broadcast) or 1. */
    public enum Binary { ADD, SUB, MUL, DIV }

    /** out[oo + i] = a[ao + i*as] OP b[bo + i*bs] for i in [0, n); as, bs in {0, 1}. */
    public static void binaryRun(Binary op, float[] a, int ao, int as, float[] b, int bo, int bs,
                                 float[] out, int oo, int n) {
        for (int i = 0; i < n; i++) {
            float x = a[ao + i * as], y = b[bo + i * bs];
            out[oo + i] = switch (op) {
                case ADD -> x + y;
                case SUB -> x - y;
                case MUL -> x * y;
                case DIV -> x / y;
            };
        }
    }

    /**
     * Accumulates a run of src into dst: with {@code ds == 1}, dst[do + i] += src[so + i];
     * with {@code ds == 0} (dst broadcast along the run), dst[do] += sum_i src[so + i].
     * Reduces a gradient to the shape of a broadcast operand.
     */
    public static void accumulateRun(float[] src, int so, float[] dst, int dOff, int ds, int n) {
        if (ds == 0) {
            float s = 0;
            for (int i = 0; i < n; i++) s += src[so + i];
            dst[dOff] += s;
        } else {
            for (int i = 0; i < n; i++) dst[dOff + i] += src[so + i];
        }
    }

    /** dst[i] += alpha * src[i]. */
    public static void axpy(float alpha, float[] src, float[] dst, int n) {
        for (int i = 0; i < n; i++) dst[i] += alpha * src[i];
    }

    // ---- GELU, exact erf form ----------------------------------------------------------------

    private static final double INV_SQRT2 = 0.7071067811865476;
    private static final double INV_SQRT_2PI = 0.3989422804014327;

    /** out = x * Phi(x), Phi(x) = (1 + erf(x / sqrt 2)) / 2 (PyTorch nn.GELU, approximate='none'). */
    public static void geluForward(float[] x, float[] out, int n) {
        for (int i = 0; i < n; i++) {
            double v = x[i];
            out[i] = (float) (v * 0.5 * (1.0 + Erf.erf(v * INV_SQRT2)));
        }
    }

    /**
     * dx (+)= dout * (Phi(x) + x * phi(x)), phi the standard normal density: added to dx when
     * {@code accumulate}, else written over it (as every backward kernel's flag).
     */
    public static void geluBackward(float[] dout, float[] x, float[] dx, int n, boolean accumulate) {
        for (int i = 0; i < n; i++) {
            double v = x[i];
            double cdf = 0.5 * (1.0 + Erf.erf(v * INV_SQRT2));
            double pdf = INV_SQRT_2PI * Math.exp(-0.5 * v * v);
            float g = (float) (dout[i] * (cdf + v * pdf));
            dx[i] = accumulate ? dx[i] + g : g;
        }
    }

    // ---- softmax over the last axis ----------------------------------------------------------

    /**
     * Row-wise softmax of {@code scale * x}, x a [rows, d] block, max-subtracted so exp never
     * overflows. The product is rounded to float first, as mae_st's separate multiply
     * ({@code attn = (q @ k^T) * scale}, then softmax); scale 1 is a plain softmax.
     */
    public static void softmaxForward(float[] x, float[] out, int rows, int d, float scale) {
        for (int r = 0; r < rows; r++) {
            int o = r * d;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < d; j++) max = Math.max(max, x[o + j] * scale);
            float sum = 0;
            for (int j = 0; j < d; j++) {
                float e = (float) Math.exp(x[o + j] * scale - max);
                out[o + j] = e;
                sum += e;
            }
            float inv = 1f / sum;
            for (int j = 0; j < d; j++) out[o + j] *= inv;
        }
    }

    /**
     * dx (+)= scale * t with t = y * (dy - sum_j dy_j y_j) rounded to float (the softmax gradient,
     * then the scale's), y the forward output of {@link #softmaxForward} with the same scale.
     */
    public static void softmaxBackward(float[] dout, float[] y, float[] dx, int rows, int d, float scale, boolean accumulate) {
        for (int r = 0; r < rows; r++) {
            int o = r * d;
            float dot = 0;
            for (int j = 0; j < d; j++) dot += dout[o + j] * y[o + j];
            for (int j = 0; j < d; j++) {
                float t = y[o + j] * (dout[o + j] - dot);
                dx[o + j] = accumulate ? dx[o + j] + scale * t : scale * t;
            }
        }
    }

    // ---- layer norm over the last axis -------------------------------------------------------

    /**
     * out = (x - mean) * rstd * w + b per row of [rows, d], with the biased variance and
     * rstd = 1 / sqrt(var + eps), as torch.nn.LayerNorm. mean and rstd (length rows) are saved
     * for the backward pass when not null.
     */
    public static void layerNormForward(float[] x, float[] w, float[] b, float[] out,
                                        float[] mean, float[] rstd, int rows, int d, float eps) {
        for (int r = 0; r < rows; r++) {
            int o = r * d;
            float m = 0;
            for (int j = 0; j < d; j++) m += x[o + j];
            m /= d;
            float v = 0;
            for (int j = 0; j < d; j++) {
                float c = x[o + j] - m;
                v += c * c;
            }
            v /= d;
            float s = (float) (1.0 / Math.sqrt(v + eps));
            for (int j = 0; j < d; j++) out[o + j] = (x[o + j] - m) * s * w[j] + b[j];
            if (mean != null) mean[r] = m;
            if (rstd != null) rstd[r] = s;
        }
    }

    /**
     * Accumulates the layer-norm gradients. With xhat = (x - mean) * rstd and g = dout * w:
     * dx (+)= rstd * (g - mean(g) - xhat * mean(g * xhat)) (added when {@code accumulateDx});
     * dw += dout * xhat; db += dout. dx, dw or db may be null when not needed.
     */
    public static void layerNormBackward(float[] dout, float[] x, float[] w, float[] mean, float[] rstd,
                                         float[] dx, float[] dw, float[] db, int rows, int d, boolean accumulateDx) {
        for (int r = 0; r < rows; r++) {
            int o = r * d;
            float m = mean[r], s = rstd[r];
            float gMean = 0, gxMean = 0;
            for (int j = 0; j < d; j++) {
                float xhat = (x[o + j] - m) * s;
                float g = dout[o + j] * w[j];
                gMean += g;
                gxMean += g * xhat;
                if (dw != null) dw[j] += dout[o + j] * xhat;
                if (db != null) db[j] += dout[o + j];
            }
            gMean /= d;
            gxMean /= d;
            if (dx != null)
                for (int j = 0; j < d; j++) {
                    float xhat = (x[o + j] - m) * s, g = s * (dout[o + j] * w[j] - gMean - xhat * gxMean);
                    dx[o + j] = accumulateDx ? dx[o + j] + g : g;
                }
        }
    }

    // ---- moving values -----------------------------------------------------------------------

    /**
     * A strided box copy: for every index i of the box {@code shape} (row-major order),
     * {@code dst[dstOff + sum_d i_d dstStrides_d] (+)= src[srcOff + sum_d i_d srcStrides_d]}.
     * Permute, concat, narrow and their gradients are each one call. Destinations must be distinct.
     */
    public static void copy(int[] shape, float[] src, int srcOff, int[] srcStrides, float[] dst, int dstOff, int[] dstStrides, boolean accumulate) {
        int n = (int) Shapes.size(shape), r = shape.length;
        for (int flat = 0; flat < n; flat++) {
            int s = srcOff, d = dstOff, rest = flat;
            for (int ax = r - 1; ax >= 0; ax--) {
                int i = rest % shape[ax];
                rest /= shape[ax];
                s += i * srcStrides[ax];
                d += i * dstStrides[ax];
            }
            dst[d] = accumulate ? dst[d] + src[s] : src[s];
        }
    }

    /**
     * Rows by index: for r in order, {@code dst[dstRows[r]*width ..] (+)= src[srcRows[r]*width ..]}
     * ({@code width} values per row). With accumulate, repeated destination rows add up in r order.
     */
    public static void copyRows(float[] src, int[] srcRows, float[] dst, int[] dstRows, int width, boolean accumulate) {
        for (int r = 0; r < srcRows.length; r++) {
            int s = srcRows[r] * width, d = dstRows[r] * width;
            for (int j = 0; j < width; j++) dst[d + j] = accumulate ? dst[d + j] + src[s + j] : src[s + j];
        }
    }

    // ---- losses and norms ----------------------------------------------------------------------

    /**
     * The masked MSE's numerator: sum over tokens t with weight w_t != 0 of w_t * mean_j (x - y)^2
     * over the token's p values, in double, tokens in order.
     */
    public static double maskedSquaredError(float[] x, float[] y, float[] w, int tokens, int p) {
        double total = 0;
        for (int t = 0; t < tokens; t++) {
            if (w[t] == 0) continue;
            double se = 0;
            for (int j = 0; j < p; j++) {
                double diff = x[t * p + j] - y[t * p + j];
                se += diff * diff;
            }
            total += w[t] * (se / p);
        }
        return total;
    }

    /** dx += (float) (scale * w_t) * (x - y) for the tokens with w_t != 0 (the numerator's gradient times scale / 2). */
    public static void maskedSquaredErrorBackward(double scale, float[] x, float[] y, float[] w, float[] dx, int tokens, int p) {
        for (int t = 0; t < tokens; t++) {
            if (w[t] == 0) continue;
            float c = (float) (scale * w[t]);
            for (int j = 0; j < p; j++) dx[t * p + j] += c * (x[t * p + j] - y[t * p + j]);
        }
    }

    /** Sum of x_i^2 over n values, in double, in index order (clip_grad_norm_'s per-tensor norm, squared). */
    public static double sumOfSquares(float[] x, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) s += (double) x[i] * x[i];
        return s;
    }

    // ---- AdamW -------------------------------------------------------------------------------

    /**
     * One AdamW update of n values, PyTorch's order of operations: w *= shrink;
     * m = m b1 + a1 g; v = v b2 + a2 g g; w += stepSize * (m / (sqrt(v) / bc2 + eps)), where
     * shrink = 1 - lr wd, a1 = 1 - b1, a2 = 1 - b2, stepSize = -lr / (1 - b1^t), bc2 = sqrt(1 - b2^t).
     */
    public static void adamw(float[] w, float[] g, float[] m, float[] v, int n, float shrink, float b1, float a1,
                             float b2, float a2, float stepSize, float bc2, float eps) {
        for (int j = 0; j < n; j++) {
            w[j] *= shrink;
            m[j] = m[j] * b1 + a1 * g[j];
            v[j] = v[j] * b2 + a2 * g[j] * g[j];
            float denom = (float) Math.sqrt(v[j]) / bc2 + eps;
            w[j] += stepSize * (m[j] / denom);
        }
    }
}
