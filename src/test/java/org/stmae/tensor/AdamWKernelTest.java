package org.stmae.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The vector AdamW update performs the scalar oracle's operations lane by lane: equal bits. */
class AdamWKernelTest {
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void vectorEqualsScalarBitForBit(long seed) {
        Random r = new Random(seed);
        int n = r.nextInt(3) == 0 ? 1 + r.nextInt(17) : 1 + r.nextInt(300_000);
        float[] w = new float[n], g = new float[n], m = new float[n], v = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = (float) r.nextGaussian();
            g[i] = (float) (r.nextGaussian() * Math.pow(10, -r.nextInt(8)));
            m[i] = (float) (r.nextGaussian() * 1e-3);
            v[i] = (float) Math.abs(r.nextGaussian() * 1e-6);
        }
        float[] w2 = w.clone(), m2 = m.clone(), v2 = v.clone();
        float shrink = 1 - 1e-3f * 0.05f, step = (float) -(1e-3 / (1 - Math.pow(0.9, 7))), bc2 = (float) Math.sqrt(1 - Math.pow(0.95, 7));
        ScalarKernels.adamw(w, g, m, v, n, shrink, 0.9f, 0.1f, 0.95f, 0.05f, step, bc2, 1e-8f);
        VectorKernels.adamw(w2, g, m2, v2, n, shrink, 0.9f, 0.1f, 0.95f, 0.05f, step, bc2, 1e-8f);
        assertArrayEquals(m, m2, "seed " + seed + " n " + n);
        assertArrayEquals(v, v2, "seed " + seed + " n " + n);
        assertArrayEquals(w, w2, "seed " + seed + " n " + n);
    }
}
