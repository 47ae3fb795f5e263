package org.stmae.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Sgemm#matmul} against the frozen oracle {@link ScalarKernels#matmul} on random shapes and
 * layouts. Every case is drawn from its seed alone, so a failure message's seed replays it.
 */
class SgemmTest {
    private static final int MR = Sgemm.MR, NR = Sgemm.NR, VL = VectorKernels.F.length();

    static LongStream seeds() {
        return LongStream.range(0, 400);
    }

    /** A dimension: mostly small, often on or next to a vector/tile boundary. */
    private static int dim(Random r) {
        int[] edges = {1, 2, 3, VL - 1, VL, VL + 1, MR - 1, MR, MR + 1, 2 * MR + 1, NR - 1, NR, NR + 1, 2 * NR + 3};
        return switch (r.nextInt(3)) {
            case 0 -> Math.max(1, edges[r.nextInt(edges.length)]);
            case 1 -> 1 + r.nextInt(24);
            default -> 1 + r.nextInt(70);
        };
    }

    /** Sizes just above a cache block, for one dimension at a time (the others stay small). */
    private static int big(Random r, int block) {
        return block + 1 + r.nextInt(Math.max(1, block / 8));
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void matchesScalarOracle(long seed) {
        Random r = new Random(seed);
        int batch = r.nextInt(4) == 0 ? 1 + r.nextInt(5) : 1;
        int m = dim(r), n = dim(r), k = dim(r);
        switch (r.nextInt(8)) {
            case 0 -> k = big(r, Sgemm.KC);
            case 1 -> m = big(r, Sgemm.MC);
            case 2 -> { n = big(r, Sgemm.NC); m = Math.min(m, 7); k = Math.min(k, 5); }
            case 3 -> { m = 40 + r.nextInt(120); n = 40 + r.nextInt(120); k = 20 + r.nextInt(80); }
            default -> {}
        }
        boolean transA = r.nextBoolean(), transB = r.nextBoolean(), accumulate = r.nextBoolean();
        int threads = 1 + r.nextInt(3);
        boolean rowBlocks = r.nextBoolean(); // the row-block path even for few rows (else sharedColumns takes them)
        // Stored shapes: A is [m,k] or [k,m], B is [k,n] or [n,k]; leading dims may exceed the width.
        int aRows = transA ? k : m, aCols = transA ? m : k, bRows = transB ? n : k, bCols = transB ? k : n;
        int lda = aCols + pad(r), ldb = bCols + pad(r), ldc = n + pad(r);
        int aOff = r.nextInt(5), bOff = r.nextInt(5), cOff = r.nextInt(5);
        int aBatch = batch > 1 && r.nextInt(3) == 0 ? 0 : aRows * lda + r.nextInt(3);
        int bBatch = batch > 1 && r.nextInt(3) == 0 ? 0 : bRows * ldb + r.nextInt(3);
        int cBatch = m * ldc + r.nextInt(3);
        float[] a = random(r, aOff + (batch - 1) * aBatch + aRows * lda + 3);
        float[] b = random(r, bOff + (batch - 1) * bBatch + bRows * ldb + 3);
        float[] c0 = random(r, cOff + (batch - 1) * cBatch + m * ldc + 3);
        String shape = String.format(Locale.ROOT,
                "seed=%d batch=%d transA=%b transB=%b m=%d n=%d k=%d lda=%d ldb=%d ldc=%d off=%d/%d/%d "
                        + "batchStrides=%d/%d/%d accumulate=%b threads=%d rowBlocks=%b",
                seed, batch, transA, transB, m, n, k, lda, ldb, ldc, aOff, bOff, cOff, aBatch, bBatch, cBatch,
                accumulate, threads, rowBlocks);

        float[] want = c0.clone(), got = c0.clone();
        ScalarKernels.matmul(batch, transA, transB, m, n, k, a, aOff, lda, aBatch, b, bOff, ldb, bBatch,
                want, cOff, ldc, cBatch, accumulate);
        int saved = Parallel.threads(), savedSmallM = Sgemm.smallM;
        long savedMin = Sgemm.parallelMinMacs;
        Parallel.setThreads(threads);
        Sgemm.parallelMinMacs = 0; // small shapes must take the parallel paths too
        if (rowBlocks) Sgemm.smallM = 0;
        try {
            Sgemm.matmul(batch, transA, transB, m, n, k, a, aOff, lda, aBatch, b, bOff, ldb, bBatch,
                    got, cOff, ldc, cBatch, accumulate);
        } finally {
            Parallel.setThreads(saved);
            Sgemm.parallelMinMacs = savedMin;
            Sgemm.smallM = savedSmallM;
        }

        // Tolerance: both kernels sum the same k products (plus the old C when accumulating) in
        // different orders, with or without FMA. Each result is within k*u*(|c0| + sum|a||b|) of
        // the exact value (u = 2^-24, to first order), so their difference is within twice that;
        // 4*(k+2)*u leaves headroom, and the tiny absolute term covers underflow. Elements outside
        // the C blocks must be untouched (bit-equal).
        boolean[] written = new boolean[got.length];
        for (int z = 0; z < batch; z++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    int ci = cOff + z * cBatch + i * ldc + j;
                    written[ci] = true;
                    double mag = accumulate ? Math.abs(c0[ci]) : 0;
                    for (int p = 0; p < k; p++) {
                        float av = transA ? a[aOff + z * aBatch + p * lda + i] : a[aOff + z * aBatch + i * lda + p];
                        float bv = transB ? b[bOff + z * bBatch + j * ldb + p] : b[bOff + z * bBatch + p * ldb + j];
                        mag += Math.abs((double) av * bv);
                    }
                    double tol = 4.0 * (k + 2) * 0x1p-24 * mag + 1e-30;
                    double diff = Math.abs((double) got[ci] - want[ci]);
                    if (!(diff <= tol))
                        fail(String.format(Locale.ROOT, "%s: C[z=%d,i=%d,j=%d] got %s want %s (|diff| %.3g > tol %.3g)",
                                shape, z, i, j, got[ci], want[ci], diff, tol));
                }
            }
        }
        for (int x = 0; x < got.length; x++)
            if (!written[x] && Float.floatToRawIntBits(got[x]) != Float.floatToRawIntBits(c0[x]))
                fail(shape + ": wrote outside C at index " + x);
    }

    private static int pad(Random r) {
        return r.nextInt(3) == 0 ? 0 : r.nextInt(9);
    }

    private static float[] random(Random r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) r.nextGaussian();
        return x;
    }

    @Test
    void kZeroOverwritesOrKeeps() {
        int m = 3, n = 5, ldc = 7, cOff = 2;
        float[] c0 = new float[cOff + 2 * m * ldc];
        Arrays.fill(c0, 9f);
        float[] kept = c0.clone();
        Sgemm.matmul(2, false, false, m, n, 0, new float[0], 0, 0, 0, new float[0], 0, n, 0, kept, cOff, ldc, m * ldc, true);
        assertArrayEquals(c0, kept, "k=0 with accumulate leaves C as it was");

        float[] zeroed = c0.clone(), want = c0.clone();
        Sgemm.matmul(2, true, true, m, n, 0, new float[0], 0, m, 0, new float[0], 0, 0, 0, zeroed, cOff, ldc, m * ldc, false);
        ScalarKernels.matmul(2, true, true, m, n, 0, new float[0], 0, m, 0, new float[0], 0, 0, 0, want, cOff, ldc, m * ldc, false);
        assertArrayEquals(want, zeroed, "k=0 without accumulate zeroes exactly the C blocks");
    }

    @Test
    void emptyShapesTouchNothing() {
        float[] a = {1, 2, 3, 4}, b = {5, 6, 7, 8};
        for (int[] s : new int[][] {{0, 2, 2}, {2, 0, 2}, {0, 0, 2}, {0, 2, 0}}) {
            float[] c = {-1, -1, -1, -1};
            Sgemm.matmul(1, false, false, s[0], s[1], s[2], a, 0, 2, 0, b, 0, 2, 0, c, 0, 2, 0, false);
            assertArrayEquals(new float[] {-1, -1, -1, -1}, c, "m,n,k = " + Arrays.toString(s));
        }
        float[] c = {-1, -1, -1, -1};
        Sgemm.matmul(0, false, false, 2, 2, 2, a, 0, 2, 0, b, 0, 2, 0, c, 0, 2, 0, false);
        assertArrayEquals(new float[] {-1, -1, -1, -1}, c, "batch = 0");
    }

    @Test
    void exactOnSmallIntegers() {
        // Integer products and sums below 2^24 are exact in any order: results must be bit-equal.
        Random r = new Random(7);
        int batch = 3, m = 37, n = 29, k = 300;
        float[] a = new float[batch * m * k], b = new float[k * n];
        for (int i = 0; i < a.length; i++) a[i] = r.nextInt(7) - 3;
        for (int i = 0; i < b.length; i++) b[i] = r.nextInt(7) - 3;
        float[] want = new float[batch * m * n], got = new float[batch * m * n];
        ScalarKernels.matmul(batch, false, true, m, n, k, a, 0, k, m * k, b, 0, k, 0, want, 0, n, m * n, false);
        Sgemm.matmul(batch, false, true, m, n, k, a, 0, k, m * k, b, 0, k, 0, got, 0, n, m * n, false);
        assertArrayEquals(want, got);
    }

    @Test
    void sharedPathSplitsLargeBIntoColumnChunks() {
        // The shared regime packs all of op(B) when it fits; a lowered cap forces chunks of a few
        // panels (the last one partial) over several KC blocks. Integer data: exact in any order.
        Random r = new Random(11);
        int m = 45, n = 5 * NR + 3, k = Sgemm.KC + 37;
        int saved = Parallel.threads(), savedCap = Sgemm.sharedBMaxFloats;
        long savedMin = Sgemm.parallelMinMacs;
        try {
            Sgemm.parallelMinMacs = 0;
            for (int threads : new int[] {2, 3})
                for (int cap : new int[] {2 * NR * k, 1, 1 << 22})
                    for (int mode = 0; mode < 8; mode++) {
                        boolean ta = (mode & 1) != 0, tb = (mode & 2) != 0, acc = (mode & 4) != 0;
                        float[] a = new float[m * k], b = new float[k * n], c0 = new float[m * n];
                        for (int i = 0; i < a.length; i++) a[i] = r.nextInt(7) - 3;
                        for (int i = 0; i < b.length; i++) b[i] = r.nextInt(7) - 3;
                        for (int i = 0; i < c0.length; i++) c0[i] = r.nextInt(7) - 3;
                        float[] want = c0.clone(), got = c0.clone();
                        ScalarKernels.matmul(1, ta, tb, m, n, k, a, 0, ta ? m : k, 0, b, 0, tb ? k : n, 0, want, 0, n, 0, acc);
                        Parallel.setThreads(threads);
                        Sgemm.sharedBMaxFloats = cap;
                        Sgemm.matmul(1, ta, tb, m, n, k, a, 0, ta ? m : k, 0, b, 0, tb ? k : n, 0, got, 0, n, 0, acc);
                        assertArrayEquals(want, got, "threads=" + threads + " cap=" + cap + " mode=" + mode);
                    }
        } finally {
            Parallel.setThreads(saved);
            Sgemm.sharedBMaxFloats = savedCap;
            Sgemm.parallelMinMacs = savedMin;
        }
    }

    /**
     * A linear layer's input and weight gradients through the CPU backend's matmuls, side by side
     * on two threads where few rows make that the faster way, equal bit for bit to the two
     * products one after the other, each split over two threads, and to one thread: the split
     * changes which thread computes a tile, never the order of its sums. Random data (not
     * integers): bits, not values.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void linearGradientPairSideBySideEqualsInTurn(long seed) {
        Random r = new Random(seed);
        int rows = 1 + r.nextInt(Sgemm.smallM), in = 1 + r.nextInt(700), out = 1 + r.nextInt(700);
        float[] g = random(r, rows * out), x = random(r, rows * in), w = random(r, out * in);
        float[] gx0 = random(r, rows * in), gw0 = random(r, out * in);
        boolean accumulate = r.nextBoolean();
        String where = String.format("seed=%d rows=%d in=%d out=%d accumulate=%b", seed, rows, in, out, accumulate);
        int saved = Parallel.threads();
        try {
            float[][] want = null;
            for (int threads : new int[] {2, 1, 2}) {
                Parallel.setThreads(threads);
                Tensor gx = Tensor.of(gx0.clone(), rows, in), gw = Tensor.of(gw0.clone(), out, in);
                Backend.Product dx = new Backend.Product(1, false, false, rows, in, out, Tensor.of(g, rows, out), 0, out, 0,
                        Tensor.of(w, out, in), 0, in, 0, gx, 0, in, 0, accumulate);
                Backend.Product dw = new Backend.Product(1, true, false, out, in, rows, Tensor.of(g, rows, out), 0, out, 0,
                        Tensor.of(x, rows, in), 0, in, 0, gw, 0, in, 0, accumulate);
                if (want == null) {
                    CpuBackend.INSTANCE.matmul(dx);
                    CpuBackend.INSTANCE.matmul(dw);
                    want = new float[][] {gx.data(), gw.data()};
                } else {
                    CpuBackend.INSTANCE.matmuls(dx, dw);
                    assertArrayEquals(want[0], gx.data(), where + " threads=" + threads + ": input gradient");
                    assertArrayEquals(want[1], gw.data(), where + " threads=" + threads + ": weight gradient");
                }
            }
        } finally {
            Parallel.setThreads(saved);
        }
    }
}
