package org.stmae.opencl;

import com.aparapi.Kernel;

/**
 * Every OpenCL kernel of a training step in one Aparapi kernel class, so the device compiles one
 * program once. {@code run()} dispatches on the op code in {@code args[0]}; the other entries of
 * {@code args} and {@code fargs} are the op's sizes and scalars (layout: the OP_ constants'
 * comments). Each op reads and writes the eight array slots {@code s0..s7}, which
 * {@link OpenClBackend} binds to the caller's arrays before a launch.
 *
 * <p>The arithmetic follows {@link org.stmae.tensor.ScalarKernels} operation by operation (same
 * summation order where one thread owns a sum, double precision where the oracle uses it), so the
 * device agrees with the oracle to rounding. Aparapi translates this class's bytecode to OpenCL C:
 * only primitives, primitive arrays, and calls to this class's own methods.
 */
final class DeviceKernel extends Kernel {
    static final int TS = 16; // sgemm work-group edge and k-step
    static final int BM = 64; // sgemm block of C per work-group: BM x BM, 4x4 per work item
    static final int MAX_RANK = 8;

    static final int OP_NOP = 0;
    /** args: 1 batch, 2 transA, 3 transB, 4 m, 5 n, 6 k, 7 aOff, 8 lda, 9 aBatch, 10 bOff, 11 ldb, 12 bBatch, 13 cOff, 14 ldc, 15 cBatch, 16 accumulate, 17 mPad (m rounded up to BM). */
    static final int OP_SGEMM = 1;
    /** args: 1 kind (Binary ordinal), 2 rank, 3 n, 8.. out shape, 16.. a strides, 24.. b strides; s0 a, s1 b, s2 out. */
    static final int OP_BINARY = 2;
    /** args: 2 rank, 3 dst size, 4 reduced count, 8.. dst shape, 16.. src strides, 24.. reduced shape; s0 src, s2 dst. */
    static final int OP_REDUCE = 3;
    /** args: 3 n; fargs: 0 alpha; s0 src, s2 dst. */
    static final int OP_AXPY = 4;
    /** args: 3 n; s0 x, s2 out. */
    static final int OP_GELU = 5;
    /** args: 3 n; s0 dout, s1 x, s2 dx. */
    static final int OP_GELU_BACK = 6;
    /** args: 3 rows, 4 d; s0 x, s2 out. */
    static final int OP_SOFTMAX = 7;
    /** args: 3 rows, 4 d; s0 dout, s1 y, s2 dx. */
    static final int OP_SOFTMAX_BACK = 8;
    /** args: 3 rows, 4 d, 5 save stats; fargs: 0 eps; s0 x, s1 w, s3 b, s2 out, s4 mean, s5 rstd. */
    static final int OP_LAYERNORM = 9;
    /** args: 3 rows, 4 d; s0 dout, s1 x, s3 w, s4 mean, s5 rstd, s2 dx. */
    static final int OP_LAYERNORM_BACK_X = 10;
    /** args: 3 rows, 4 d, 5 want dw, 6 want db; s0 dout, s1 x, s4 mean, s5 rstd, s6 dw, s7 db. */
    static final int OP_LAYERNORM_BACK_WB = 11;
    /** args: 3 n; fargs: 0 shrink, 1 b1, 2 a1, 3 b2, 4 a2, 5 stepSize, 6 bc2, 7 eps; s0 w, s1 g, s2 m, s3 v. */
    static final int OP_ADAMW = 12;

    static final String[] OP_NAMES = {"nop", "sgemm", "binary", "reduce", "axpy", "gelu", "gelu-backward",
            "softmax", "softmax-backward", "layernorm", "layernorm-backward-x", "layernorm-backward-wb", "adamw"};

    final int[] args = new int[32];
    final float[] fargs = new float[8];
    float[] s0 = new float[1], s1 = new float[1], s2 = new float[1], s3 = new float[1];
    float[] s4 = new float[1], s5 = new float[1], s6 = new float[1], s7 = new float[1];

    @Local final float[] tileA = new float[BM * TS];
    @Local final float[] tileB = new float[TS * BM];

    @Override
    public void run() {
        int op = args[0];
        if (op == OP_SGEMM) sgemm();
        else if (op == OP_BINARY) binary();
        else if (op == OP_REDUCE) reduce();
        else if (op == OP_AXPY) axpy();
        else if (op == OP_GELU) gelu();
        else if (op == OP_GELU_BACK) geluBack();
        else if (op == OP_SOFTMAX) softmax();
        else if (op == OP_SOFTMAX_BACK) softmaxBack();
        else if (op == OP_LAYERNORM) layerNorm();
        else if (op == OP_LAYERNORM_BACK_X) layerNormBackX();
        else if (op == OP_LAYERNORM_BACK_WB) layerNormBackWB();
        else if (op == OP_ADAMW) adamw();
    }

    /**
     * C = op(A) op(B) (+ C). A 16x16 work-group computes a BM x BM (64x64) block of C, each work
     * item a 4x4 grid of it (rows ty + 16r, columns tx + 16c: neighbouring items touch neighbouring
     * elements). Per k-step of TS the group stages op(A)[64 x 16] and op(B)[16 x 64] in local memory
     * (zero outside the matrices), each item loading 4 elements of each, then every item does
     * 16 x 16 multiply-adds from registers: 4x the arithmetic per local-memory read of one output
     * per item. Each output still sums its k products in order, as the oracle. Global y runs over
     * batch * mPad / 4 rows, mPad = m rounded up to BM, so a group never straddles two batch entries.
     */
    private void sgemm() {
        int transA = args[2], transB = args[3], m = args[4], n = args[5], k = args[6];
        int lda = args[8], ldb = args[11], ldc = args[14], mBlocks = args[17] / BM;
        int tx = getLocalId(0), ty = getLocalId(1), lid = ty * TS + tx;
        int z = getGroupId(1) / mBlocks;
        int i0 = (getGroupId(1) - z * mBlocks) * BM, j0 = getGroupId(0) * BM;
        int ao = args[7] + z * args[9], bo = args[10] + z * args[12], co = args[13] + z * args[15];
        float c00 = 0f, c01 = 0f, c02 = 0f, c03 = 0f, c10 = 0f, c11 = 0f, c12 = 0f, c13 = 0f;
        float c20 = 0f, c21 = 0f, c22 = 0f, c23 = 0f, c30 = 0f, c31 = 0f, c32 = 0f, c33 = 0f;
        for (int t0 = 0; t0 < k; t0 += TS) {
            for (int e = 0; e < 4; e++) {
                int idx = lid + e * TS * TS;
                int ar = idx / TS, ac = idx - ar * TS; // A tile: 64 rows of 16
                tileA[idx] = opA(transA, ao, lda, m, k, i0 + ar, t0 + ac);
                int br = idx / BM, bc = idx - br * BM; // B tile: 16 rows of 64
                tileB[idx] = opB(transB, bo, ldb, n, k, t0 + br, j0 + bc);
            }
            localBarrier();
            for (int u = 0; u < TS; u++) {
                float a0 = tileA[ty * TS + u], a1 = tileA[(ty + 16) * TS + u];
                float a2 = tileA[(ty + 32) * TS + u], a3 = tileA[(ty + 48) * TS + u];
                float b0 = tileB[u * BM + tx], b1 = tileB[u * BM + tx + 16];
                float b2 = tileB[u * BM + tx + 32], b3 = tileB[u * BM + tx + 48];
                c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
                c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
                c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
                c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
            }
            localBarrier();
        }
        int i = i0 + ty, j = j0 + tx;
        storeC(co, ldc, m, n, i, j, c00); storeC(co, ldc, m, n, i, j + 16, c01);
        storeC(co, ldc, m, n, i, j + 32, c02); storeC(co, ldc, m, n, i, j + 48, c03);
        storeC(co, ldc, m, n, i + 16, j, c10); storeC(co, ldc, m, n, i + 16, j + 16, c11);
        storeC(co, ldc, m, n, i + 16, j + 32, c12); storeC(co, ldc, m, n, i + 16, j + 48, c13);
        storeC(co, ldc, m, n, i + 32, j, c20); storeC(co, ldc, m, n, i + 32, j + 16, c21);
        storeC(co, ldc, m, n, i + 32, j + 32, c22); storeC(co, ldc, m, n, i + 32, j + 48, c23);
        storeC(co, ldc, m, n, i + 48, j, c30); storeC(co, ldc, m, n, i + 48, j + 16, c31);
        storeC(co, ldc, m, n, i + 48, j + 32, c32); storeC(co, ldc, m, n, i + 48, j + 48, c33);
    }

    /** op(A)(i, p), zero outside [m, k]. */
    private float opA(int transA, int ao, int lda, int m, int k, int i, int p) {
        float v = 0f;
        if (i < m && p < k) {
            if (transA == 0) v = s0[ao + i * lda + p];
            else v = s0[ao + p * lda + i];
        }
        return v;
    }

    /** op(B)(p, j), zero outside [k, n]. */
    private float opB(int transB, int bo, int ldb, int n, int k, int p, int j) {
        float v = 0f;
        if (p < k && j < n) {
            if (transB == 0) v = s1[bo + p * ldb + j];
            else v = s1[bo + j * ldb + p];
        }
        return v;
    }

    /** C(i, j) = s (+ C(i, j) when accumulating), inside [m, n] only. */
    private void storeC(int co, int ldc, int m, int n, int i, int j, float s) {
        if (i < m && j < n) {
            int ci = co + i * ldc + j;
            if (args[16] != 0) s2[ci] = s2[ci] + s;
            else s2[ci] = s;
        }
    }

    /** One output element per work item; its operand offsets from the broadcast strides. */
    private void binary() {
        int idx = getGlobalId(0);
        if (idx < args[3]) {
            int rank = args[2], rem = idx, ao = 0, bo = 0;
            for (int d = rank - 1; d >= 0; d--) {
                int size = args[8 + d];
                int q = rem % size;
                rem = rem / size;
                ao += q * args[16 + d];
                bo += q * args[24 + d];
            }
            float x = s0[ao], y = s1[bo];
            int kind = args[1];
            float r = x / y;
            if (kind == 0) r = x + y;
            else if (kind == 1) r = x - y;
            else if (kind == 2) r = x * y;
            s2[idx] = r;
        }
    }

    /** One destination element per work item, summing its source elements in row-major order. */
    private void reduce() {
        int idx = getGlobalId(0);
        if (idx < args[3]) {
            int rank = args[2], rem = idx, base = 0;
            for (int d = rank - 1; d >= 0; d--) {
                int size = args[8 + d];
                base += (rem % size) * args[16 + d];
                rem = rem / size;
            }
            float sum = 0f;
            int count = args[4];
            for (int r = 0; r < count; r++) {
                int rr = r, off = base;
                for (int d = rank - 1; d >= 0; d--) {
                    int size = args[24 + d];
                    off += (rr % size) * args[16 + d];
                    rr = rr / size;
                }
                sum += s0[off];
            }
            s2[idx] = s2[idx] + sum;
        }
    }

    private void axpy() {
        int i = getGlobalId(0);
        if (i < args[3]) s2[i] = s2[i] + fargs[0] * s0[i];
    }

    /** erf by the series of {@link org.stmae.tensor.Erf}, in double, the same stopping rule. */
    private double erf(double x) {
        double ax = Math.abs(x);
        double r = 1.0;
        if (ax < 4.0) {
            double x2 = ax * ax, term = ax, sum = ax;
            int n = 1;
            boolean more = true;
            while (more && n < 200) {
                term = term * (2.0 * x2 / (2 * n + 1));
                sum += term;
                more = !(term < 1e-17 * sum);
                n++;
            }
            r = 1.1283791670955126 * Math.exp(-x2) * sum;
        }
        if (x < 0.0) r = -r;
        return r;
    }

    private void gelu() {
        int i = getGlobalId(0);
        if (i < args[3]) {
            double v = s0[i];
            s2[i] = (float) (v * 0.5 * (1.0 + erf(v * 0.7071067811865476)));
        }
    }

    private void geluBack() {
        int i = getGlobalId(0);
        if (i < args[3]) {
            double v = s1[i];
            double cdf = 0.5 * (1.0 + erf(v * 0.7071067811865476));
            double pdf = 0.3989422804014327 * Math.exp(-0.5 * v * v);
            s2[i] = s2[i] + (float) (s0[i] * (cdf + v * pdf));
        }
    }

    /** One row per work item, the oracle's loops. */
    private void softmax() {
        int r = getGlobalId(0), d = args[4];
        if (r < args[3]) {
            int o = r * d;
            float max = s0[o];
            for (int j = 1; j < d; j++) max = Math.max(max, s0[o + j]);
            float sum = 0f;
            for (int j = 0; j < d; j++) {
                float e = (float) Math.exp(s0[o + j] - max);
                s2[o + j] = e;
                sum += e;
            }
            float inv = 1f / sum;
            for (int j = 0; j < d; j++) s2[o + j] = s2[o + j] * inv;
        }
    }

    private void softmaxBack() {
        int r = getGlobalId(0), d = args[4];
        if (r < args[3]) {
            int o = r * d;
            float dot = 0f;
            for (int j = 0; j < d; j++) dot += s0[o + j] * s1[o + j];
            for (int j = 0; j < d; j++) s2[o + j] = s2[o + j] + s1[o + j] * (s0[o + j] - dot);
        }
    }

    private void layerNorm() {
        int r = getGlobalId(0), d = args[4];
        if (r < args[3]) {
            int o = r * d;
            float m = 0f;
            for (int j = 0; j < d; j++) m += s0[o + j];
            m /= d;
            float v = 0f;
            for (int j = 0; j < d; j++) {
                float c = s0[o + j] - m;
                v += c * c;
            }
            v /= d;
            float s = (float) (1.0 / Math.sqrt(v + fargs[0]));
            for (int j = 0; j < d; j++) s2[o + j] = (s0[o + j] - m) * s * s1[j] + s3[j];
            if (args[5] != 0) {
                s4[r] = m;
                s5[r] = s;
            }
        }
    }

    /** dx for one row per work item. */
    private void layerNormBackX() {
        int r = getGlobalId(0), d = args[4];
        if (r < args[3]) {
            int o = r * d;
            float m = s4[r], s = s5[r];
            float gMean = 0f, gxMean = 0f;
            for (int j = 0; j < d; j++) {
                float xhat = (s1[o + j] - m) * s;
                float g = s0[o + j] * s3[j];
                gMean += g;
                gxMean += g * xhat;
            }
            gMean /= d;
            gxMean /= d;
            for (int j = 0; j < d; j++) {
                float xhat = (s1[o + j] - m) * s;
                s2[o + j] = s2[o + j] + s * (s0[o + j] * s3[j] - gMean - xhat * gxMean);
            }
        }
    }

    /** dw and db for one column per work item, accumulated over rows in the oracle's order. */
    private void layerNormBackWB() {
        int j = getGlobalId(0), rows = args[3], d = args[4];
        if (j < d) {
            float dw = 0f, db = 0f; // an unused slot holds a 1-element dummy: never read past it
            if (args[5] != 0) dw = s6[j];
            if (args[6] != 0) db = s7[j];
            for (int r = 0; r < rows; r++) {
                float dout = s0[r * d + j];
                dw += dout * ((s1[r * d + j] - s4[r]) * s5[r]);
                db += dout;
            }
            if (args[5] != 0) s6[j] = dw;
            if (args[6] != 0) s7[j] = db;
        }
    }

    private void adamw() {
        int j = getGlobalId(0);
        if (j < args[3]) {
            float g = s1[j];
            float w = s0[j] * fargs[0];
            float m = s2[j] * fargs[1] + fargs[2] * g;
            float v = s3[j] * fargs[3] + fargs[4] * g * g;
            float denom = (float) Math.sqrt(v) / fargs[6] + fargs[7];
            s0[j] = w + fargs[5] * (m / denom);
            s2[j] = m;
            s3[j] = v;
        }
    }
}
