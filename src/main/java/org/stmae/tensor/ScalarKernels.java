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
}
