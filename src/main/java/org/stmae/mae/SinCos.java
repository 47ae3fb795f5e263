package org.stmae.mae;

import org.stmae.tensor.Tensor;

/** VideoMAE's fixed positional table (SPEC.md, positional embeddings). */
public final class SinCos {
    private SinCos() {}

    /**
     * [n, d]: angle(pos, j) = pos / 10000^(2 floor(j/2) / d); sin on even j, cos on odd j
     * (interleaved pairs), computed in double and rounded to float32 once.
     */
    public static Tensor table(int n, int d) {
        Tensor t = Tensor.zeros(n, d);
        for (int pos = 0; pos < n; pos++)
            for (int j = 0; j < d; j++) {
                double angle = pos / Math.pow(10000.0, 2.0 * (j / 2) / d);
                t.data()[pos * d + j] = (float) (j % 2 == 0 ? Math.sin(angle) : Math.cos(angle));
            }
        return t;
    }
}
