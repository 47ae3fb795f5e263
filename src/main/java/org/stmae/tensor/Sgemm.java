package org.stmae.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API single-precision GEMM with the same contract as {@link ScalarKernels#matmul}.
 * (First version: a dot product per output element; to be replaced by a register-tiled kernel.)
 */
public final class Sgemm {
    private Sgemm() {}

    private static final VectorSpecies<Float> F = VectorKernels.F;

    public static void matmul(int batch, boolean transA, boolean transB, int m, int n, int k,
                              float[] a, int aOff, int lda, int aBatch,
                              float[] b, int bOff, int ldb, int bBatch,
                              float[] c, int cOff, int ldc, int cBatch, boolean accumulate) {
        for (int z = 0; z < batch; z++) {
            int ao = aOff + z * aBatch, bo = bOff + z * bBatch, co = cOff + z * cBatch;
            float[] at = new float[m * k], bt = new float[n * k];
            for (int i = 0; i < m; i++) for (int p = 0; p < k; p++) at[i * k + p] = transA ? a[ao + p * lda + i] : a[ao + i * lda + p];
            for (int j = 0; j < n; j++) for (int p = 0; p < k; p++) bt[j * k + p] = transB ? b[bo + j * ldb + p] : b[bo + p * ldb + j];
            Parallel.forRange(m, 1, (i0, i1) -> {
                for (int i = i0; i < i1; i++) {
                    for (int j = 0; j < n; j++) {
                        FloatVector acc = FloatVector.zero(F);
                        int p = 0;
                        for (int bound = F.loopBound(k); p < bound; p += F.length())
                            acc = FloatVector.fromArray(F, at, i * k + p).fma(FloatVector.fromArray(F, bt, j * k + p), acc);
                        float s = acc.reduceLanes(VectorOperators.ADD);
                        for (; p < k; p++) s += at[i * k + p] * bt[j * k + p];
                        int ci = co + i * ldc + j;
                        c[ci] = accumulate ? c[ci] + s : s;
                    }
                }
            });
        }
    }
}
