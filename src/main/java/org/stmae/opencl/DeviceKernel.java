package org.stmae.opencl;

import com.aparapi.Kernel;

/**
 * Every OpenCL kernel of a training step in one Aparapi kernel class, so the device compiles one
 * program once. {@code run()} dispatches on the op code in {@code args[0]}; the other entries of
 * {@code args}, {@code fargs} and {@code dargs} are the op's sizes and scalars (layout: the OP_
 * constants' comments).
 *
 * <p>Every tensor on the device is a region of one array, the arena {@code mem}: Aparapi keeps one
 * device buffer per kernel field and drops it whenever another Java array is bound to the field,
 * so the arena stays bound and an op finds its operands by offset: operand i starts at
 * {@code mem[args[OFF + i]]} (the "slots" of the OP_ comments). Values cross to and from the host
 * only through {@code stage}, which {@link OpenClBackend} binds to the host array being moved.
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
    /** args[OFF + i]: where operand (slot) i starts in mem. */
    static final int OFF = 32;
    /** args[SENTINEL_AT]: where the arena's sentinel is (its last float); set when the arena changes. */
    static final int SENTINEL_AT = 63;

    static final int OP_NOP = 0;
    /** args: 1 batch, 2 transA, 3 transB, 4 m, 5 n, 6 k, 7 aOff, 8 lda, 9 aBatch, 10 bOff, 11 ldb, 12 bBatch, 13 cOff, 14 ldc, 15 cBatch, 16 accumulate, 17 mPad (m rounded up to BM); slots 0 a, 1 b, 2 c. */
    static final int OP_SGEMM = 1;
    /** args: 1 kind (Binary ordinal), 2 rank, 3 n, 8.. out shape, 16.. a strides, 24.. b strides; slots 0 a, 1 b, 2 out. */
    static final int OP_BINARY = 2;
    /** args: 2 rank, 3 dst size, 4 reduced count, 8.. dst shape, 16.. src strides, 24.. reduced shape; slots 0 src, 2 dst. */
    static final int OP_REDUCE = 3;
    /** args: 3 n; fargs: 0 alpha; slots 0 src, 2 dst. */
    static final int OP_AXPY = 4;
    /** args: 3 n; slots 0 x, 2 out. */
    static final int OP_GELU = 5;
    /** args: 3 n, 4 accumulate; slots 0 dout, 1 x, 2 dx. */
    static final int OP_GELU_BACK = 6;
    /** args: 3 rows, 4 d; fargs: 0 scale; slots 0 x, 2 out. */
    static final int OP_SOFTMAX = 7;
    /** args: 3 rows, 4 d, 5 accumulate; fargs: 0 scale; slots 0 dout, 1 y, 2 dx. */
    static final int OP_SOFTMAX_BACK = 8;
    /** args: 3 rows, 4 d, 5 save mean, 6 save rstd; fargs: 0 eps; slots 0 x, 1 w, 3 b, 2 out, 4 mean, 5 rstd. */
    static final int OP_LAYERNORM = 9;
    /** args: 3 rows, 4 d, 5 accumulate; slots 0 dout, 1 x, 3 w, 4 mean, 5 rstd, 2 dx. */
    static final int OP_LAYERNORM_BACK_X = 10;
    /** args: 3 rows, 4 d, 5 want dw, 6 want db; slots 0 dout, 1 x, 4 mean, 5 rstd, 6 dw, 7 db. */
    static final int OP_LAYERNORM_BACK_WB = 11;
    /** args: 3 n; fargs: 0 shrink, 1 b1, 2 a1, 3 b2, 4 a2, 5 stepSize, 6 bc2, 7 eps; slots 0 w, 1 g, 2 m, 3 v. */
    static final int OP_ADAMW = 12;
    /** args: 3 n; fargs: 0 value; slot 0 := value (zeros for a fresh tensor, the arena's sentinel). */
    static final int OP_FILL = 13;
    /** args: 3 n; slot 0 := stage. */
    static final int OP_UPLOAD = 14;
    /** args: 3 n; stage := slot 0, probe := the sentinel. */
    static final int OP_DOWNLOAD = 15;
    /** args: 1 accumulate, 2 rank, 3 n, 8.. box, 16.. src strides, 24.. dst strides; slots 0 src, 2 dst. */
    static final int OP_COPY = 16;
    /** args: 1 accumulate, 3 row count r, 4 width; rows: r source rows, then r destination rows; slots 0 src, 2 dst. */
    static final int OP_COPY_ROWS = 17;
    /** As OP_COPY_ROWS, one work item per column walking the rows in order (repeated destination rows). */
    static final int OP_COPY_ROWS_IN_ORDER = 18;
    /** args: 3 tokens, 4 p; slots 0 x, 1 y, 2 w; terms[t] := token t's term of the masked squared error. */
    static final int OP_MSE_TERMS = 19;
    /** args: 3 tokens; total[0] := the sum of terms[0..tokens) in token order (one work item); probe := the sentinel. */
    static final int OP_MSE_SUM = 20;
    /** args: 3 tokens, 4 p; dargs: 0 scale; slots 0 x, 1 y, 2 w, 3 dx. */
    static final int OP_MSE_BACK = 21;
    /** args: 3 n, 4 chunk count, 5 chunk; slot 0 x; partial[c] := sum of x^2 over chunk c, in order; probe := the sentinel. */
    static final int OP_SUM_SQUARES = 22;

    static final String[] OP_NAMES = {"nop", "sgemm", "binary", "reduce", "axpy", "gelu", "gelu-backward",
            "softmax", "softmax-backward", "layernorm", "layernorm-backward-x", "layernorm-backward-wb", "adamw",
            "fill", "upload", "download", "copy", "copy-rows", "copy-rows-in-order",
            "masked-squared-error", "masked-squared-error-sum", "masked-squared-error-backward", "sum-of-squares"};

    final int[] args = new int[64];
    final float[] fargs = new float[8];
    final double[] dargs = new double[1];
    float[] mem;
    float[] stage = new float[1];
    final float[] probe = new float[1];
    int[] rows = new int[1];
    double[] terms = new double[1];
    double[] partial = new double[1];
    final double[] total = new double[1];

    @Local final float[] tileA = new float[BM * TS];
    @Local final float[] tileB = new float[TS * BM];

    DeviceKernel(int arenaFloats) {
        mem = new float[arenaFloats];
    }

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
        else if (op == OP_FILL) fill();
        else if (op == OP_UPLOAD) upload();
        else if (op == OP_DOWNLOAD) download();
        else if (op == OP_COPY) copy();
        else if (op == OP_COPY_ROWS) copyRows();
        else if (op == OP_COPY_ROWS_IN_ORDER) copyRowsInOrder();
        else if (op == OP_MSE_TERMS) mseTerms();
        else if (op == OP_MSE_SUM) mseSum();
        else if (op == OP_MSE_BACK) mseBack();
        else if (op == OP_SUM_SQUARES) sumOfSquares();
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
        int ao = args[OFF] + args[7] + z * args[9], bo = args[OFF + 1] + args[10] + z * args[12];
        int co = args[OFF + 2] + args[13] + z * args[15];
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
            if (transA == 0) v = mem[ao + i * lda + p];
            else v = mem[ao + p * lda + i];
        }
        return v;
    }

    /** op(B)(p, j), zero outside [k, n]. */
    private float opB(int transB, int bo, int ldb, int n, int k, int p, int j) {
        float v = 0f;
        if (p < k && j < n) {
            if (transB == 0) v = mem[bo + p * ldb + j];
            else v = mem[bo + j * ldb + p];
        }
        return v;
    }

    /** C(i, j) = s (+ C(i, j) when accumulating), inside [m, n] only. */
    private void storeC(int co, int ldc, int m, int n, int i, int j, float s) {
        if (i < m && j < n) {
            int ci = co + i * ldc + j;
            if (args[16] != 0) mem[ci] = mem[ci] + s;
            else mem[ci] = s;
        }
    }

    /** One output element per work item; its operand offsets from the broadcast strides. */
    private void binary() {
        int idx = getGlobalId(0);
        if (idx < args[3]) {
            int rank = args[2], rem = idx, ao = args[OFF], bo = args[OFF + 1];
            for (int d = rank - 1; d >= 0; d--) {
                int size = args[8 + d];
                int q = rem % size;
                rem = rem / size;
                ao += q * args[16 + d];
                bo += q * args[24 + d];
            }
            float x = mem[ao], y = mem[bo];
            int kind = args[1];
            float r = x / y;
            if (kind == 0) r = x + y;
            else if (kind == 1) r = x - y;
            else if (kind == 2) r = x * y;
            mem[args[OFF + 2] + idx] = r;
        }
    }

    /** One destination element per work item, summing its source elements in row-major order. */
    private void reduce() {
        int idx = getGlobalId(0);
        if (idx < args[3]) {
            int rank = args[2], rem = idx, base = args[OFF];
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
                sum += mem[off];
            }
            int dst = args[OFF + 2] + idx;
            mem[dst] = mem[dst] + sum;
        }
    }

    private void axpy() {
        int i = getGlobalId(0);
        if (i < args[3]) {
            int dst = args[OFF + 2] + i;
            mem[dst] = mem[dst] + fargs[0] * mem[args[OFF] + i];
        }
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
            double v = mem[args[OFF] + i];
            mem[args[OFF + 2] + i] = (float) (v * 0.5 * (1.0 + erf(v * 0.7071067811865476)));
        }
    }

    private void geluBack() {
        int i = getGlobalId(0);
        if (i < args[3]) {
            double v = mem[args[OFF + 1] + i];
            double cdf = 0.5 * (1.0 + erf(v * 0.7071067811865476));
            double pdf = 0.3989422804014327 * Math.exp(-0.5 * v * v);
            int dx = args[OFF + 2] + i;
            float g = (float) (mem[args[OFF] + i] * (cdf + v * pdf));
            if (args[4] != 0) g = mem[dx] + g;
            mem[dx] = g;
        }
    }

    /** One row per work item, the oracle's loops. */
    private void softmax() {
        int r = getGlobalId(0), d = args[4];
        if (r < args[3]) {
            int x = args[OFF] + r * d, out = args[OFF + 2] + r * d;
            float scale = fargs[0], max = mem[x] * scale;
            for (int j = 1; j < d; j++) max = Math.max(max, mem[x + j] * scale);
            float sum = 0f;
            for (int j = 0; j < d; j++) {
                float e = (float) Math.exp(mem[x + j] * scale - max);
                mem[out + j] = e;
                sum += e;
            }
            float inv = 1f / sum;
            for (int j = 0; j < d; j++) mem[out + j] = mem[out + j] * inv;
        }
    }

    private void softmaxBack() {
        int r = getGlobalId(0), d = args[4];
        if (r < args[3]) {
            int dout = args[OFF] + r * d, y = args[OFF + 1] + r * d, dx = args[OFF + 2] + r * d;
            float dot = 0f;
            for (int j = 0; j < d; j++) dot += mem[dout + j] * mem[y + j];
            for (int j = 0; j < d; j++) {
                float g = fargs[0] * (mem[y + j] * (mem[dout + j] - dot));
                if (args[5] != 0) g = mem[dx + j] + g;
                mem[dx + j] = g;
            }
        }
    }

    private void layerNorm() {
        int r = getGlobalId(0), d = args[4];
        if (r < args[3]) {
            int x = args[OFF] + r * d, w = args[OFF + 1], out = args[OFF + 2] + r * d, b = args[OFF + 3];
            float m = 0f;
            for (int j = 0; j < d; j++) m += mem[x + j];
            m /= d;
            float v = 0f;
            for (int j = 0; j < d; j++) {
                float c = mem[x + j] - m;
                v += c * c;
            }
            v /= d;
            float s = (float) (1.0 / Math.sqrt(v + fargs[0]));
            for (int j = 0; j < d; j++) mem[out + j] = (mem[x + j] - m) * s * mem[w + j] + mem[b + j];
            if (args[5] != 0) mem[args[OFF + 4] + r] = m;
            if (args[6] != 0) mem[args[OFF + 5] + r] = s;
        }
    }

    /** dx for one row per work item. */
    private void layerNormBackX() {
        int r = getGlobalId(0), d = args[4];
        if (r < args[3]) {
            int dout = args[OFF] + r * d, x = args[OFF + 1] + r * d, dx = args[OFF + 2] + r * d, w = args[OFF + 3];
            float m = mem[args[OFF + 4] + r], s = mem[args[OFF + 5] + r];
            float gMean = 0f, gxMean = 0f;
            for (int j = 0; j < d; j++) {
                float xhat = (mem[x + j] - m) * s;
                float g = mem[dout + j] * mem[w + j];
                gMean += g;
                gxMean += g * xhat;
            }
            gMean /= d;
            gxMean /= d;
            for (int j = 0; j < d; j++) {
                float xhat = (mem[x + j] - m) * s, g = s * (mem[dout + j] * mem[w + j] - gMean - xhat * gxMean);
                if (args[5] != 0) g = mem[dx + j] + g;
                mem[dx + j] = g;
            }
        }
    }

    /** dw and db for one column per work item, accumulated over rows in the oracle's order. */
    private void layerNormBackWB() {
        int j = getGlobalId(0), rows = args[3], d = args[4];
        if (j < d) {
            int dout = args[OFF], x = args[OFF + 1], mean = args[OFF + 4], rstd = args[OFF + 5];
            int dwAt = args[OFF + 6] + j, dbAt = args[OFF + 7] + j;
            float dw = 0f, db = 0f; // an unwanted gradient has no region: never touch its slot
            if (args[5] != 0) dw = mem[dwAt];
            if (args[6] != 0) db = mem[dbAt];
            for (int r = 0; r < rows; r++) {
                float g = mem[dout + r * d + j];
                dw += g * ((mem[x + r * d + j] - mem[mean + r]) * mem[rstd + r]);
                db += g;
            }
            if (args[5] != 0) mem[dwAt] = dw;
            if (args[6] != 0) mem[dbAt] = db;
        }
    }

    private void adamw() {
        int j = getGlobalId(0);
        if (j < args[3]) {
            int wAt = args[OFF] + j, mAt = args[OFF + 2] + j, vAt = args[OFF + 3] + j;
            float g = mem[args[OFF + 1] + j];
            float w = mem[wAt] * fargs[0];
            float m = mem[mAt] * fargs[1] + fargs[2] * g;
            float v = mem[vAt] * fargs[3] + fargs[4] * g * g;
            float denom = (float) Math.sqrt(v) / fargs[6] + fargs[7];
            mem[wAt] = w + fargs[5] * (m / denom);
            mem[mAt] = m;
            mem[vAt] = v;
        }
    }

    private void fill() {
        int i = getGlobalId(0);
        if (i < args[3]) mem[args[OFF] + i] = fargs[0];
    }

    private void upload() {
        int i = getGlobalId(0);
        if (i < args[3]) mem[args[OFF] + i] = stage[i];
    }

    private void download() {
        int i = getGlobalId(0);
        if (i < args[3]) stage[i] = mem[args[OFF] + i];
        probeArena();
    }

    /** Rides along with every op whose result goes to the host: a reverted sentinel means the device lost the arena. */
    private void probeArena() {
        if (getGlobalId(0) == 0) probe[0] = mem[args[SENTINEL_AT]];
    }

    /** mem[d] := mem[s], or += with the copy ops' accumulate flag (args[1]). */
    private void move(int s, int d) {
        if (args[1] != 0) mem[d] = mem[d] + mem[s];
        else mem[d] = mem[s];
    }

    /** One box element per work item (destinations are distinct, so nothing races). */
    private void copy() {
        int idx = getGlobalId(0);
        if (idx < args[3]) {
            int rem = idx, s = args[OFF], d = args[OFF + 2];
            for (int ax = args[2] - 1; ax >= 0; ax--) {
                int size = args[8 + ax];
                int q = rem % size;
                rem = rem / size;
                s += q * args[16 + ax];
                d += q * args[24 + ax];
            }
            move(s, d);
        }
    }

    /** One element of one row per work item: the destination rows are distinct. */
    private void copyRows() {
        int idx = getGlobalId(0), count = args[3], width = args[4];
        if (idx < count * width) {
            int r = idx / width, j = idx - r * width;
            int s = args[OFF] + rows[r] * width + j, d = args[OFF + 2] + rows[count + r] * width + j;
            move(s, d);
        }
    }

    /** One column per work item, rows in order: a repeated destination row adds up as in the oracle. */
    private void copyRowsInOrder() {
        int j = getGlobalId(0), count = args[3], width = args[4];
        if (j < width) {
            for (int r = 0; r < count; r++) {
                int s = args[OFF] + rows[r] * width + j, d = args[OFF + 2] + rows[count + r] * width + j;
                move(s, d);
            }
        }
    }

    /** One token per work item, in double as the oracle; a token of weight 0 adds nothing. */
    private void mseTerms() {
        int t = getGlobalId(0), p = args[4];
        if (t < args[3]) {
            int x = args[OFF] + t * p, y = args[OFF + 1] + t * p;
            float w = mem[args[OFF + 2] + t];
            double term = 0.0;
            if (w != 0f) {
                double se = 0.0;
                for (int j = 0; j < p; j++) {
                    double diff = mem[x + j] - mem[y + j];
                    se += diff * diff;
                }
                term = w * (se / p);
            }
            terms[t] = term;
        }
    }

    /** The tokens' terms in token order, as the oracle adds them. */
    private void mseSum() {
        probeArena();
        if (getGlobalId(0) == 0) {
            double s = 0.0;
            for (int t = 0; t < args[3]; t++) s += terms[t];
            total[0] = s;
        }
    }

    private void mseBack() {
        int i = getGlobalId(0), p = args[4];
        if (i < args[3] * p) {
            float w = mem[args[OFF + 2] + i / p];
            if (w != 0f) {
                float c = (float) (dargs[0] * w);
                int dx = args[OFF + 3] + i;
                mem[dx] = mem[dx] + c * (mem[args[OFF] + i] - mem[args[OFF + 1] + i]);
            }
        }
    }

    /** One chunk per work item, summed in index order in double (each square is exact there). */
    private void sumOfSquares() {
        probeArena();
        int c = getGlobalId(0), chunk = args[5];
        if (c < args[4]) {
            int from = c * chunk, to = Math.min(args[3], from + chunk), x = args[OFF];
            double s = 0.0;
            for (int i = from; i < to; i++) {
                double v = mem[x + i];
                s += v * v;
            }
            partial[c] = s;
        }
    }
}
