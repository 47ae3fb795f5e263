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

    /**
     * The one-pass update of many tensors (as AdamW.step makes it) equals the oracle run tensor by
     * tensor, each with its own shrink and step size, bit for bit; a tensor without a gradient is
     * left alone. Sizes from empty to several pieces of the pool's split.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void manyTensorsInOnePassEqualOneByOne(long seed) {
        Random r = new Random(seed);
        int count = 2 + r.nextInt(30);
        Tensor[] w = new Tensor[count], g = new Tensor[count], m = new Tensor[count], v = new Tensor[count];
        float[][] want = new float[count][], wantM = new float[count][], wantV = new float[count][];
        float[] shrink = new float[count], step = new float[count];
        float bc2 = (float) Math.sqrt(1 - Math.pow(0.95, 3));
        for (int i = 0; i < count; i++) {
            int n = r.nextInt(4) == 0 ? r.nextInt(20) : r.nextInt(200_000);
            float[] wi = new float[n], gi = new float[n], mi = new float[n], vi = new float[n];
            for (int j = 0; j < n; j++) {
                wi[j] = (float) r.nextGaussian();
                gi[j] = (float) (r.nextGaussian() * 1e-2);
                mi[j] = (float) (r.nextGaussian() * 1e-3);
                vi[j] = (float) Math.abs(r.nextGaussian() * 1e-6);
            }
            shrink[i] = r.nextBoolean() ? 1f : 1 - 1e-3f * 0.05f;
            step[i] = (float) -(1e-3 * (1 + r.nextInt(3)) / (1 - Math.pow(0.9, 3)));
            w[i] = Tensor.of(wi.clone(), n);
            m[i] = Tensor.of(mi.clone(), n);
            v[i] = Tensor.of(vi.clone(), n);
            boolean skipped = r.nextInt(5) == 0;
            g[i] = skipped ? null : Tensor.of(gi, n);
            if (!skipped) ScalarKernels.adamw(wi, gi, mi, vi, n, shrink[i], 0.9f, 0.1f, 0.95f, 0.05f, step[i], bc2, 1e-8f);
            want[i] = wi;
            wantM[i] = mi;
            wantV[i] = vi;
        }
        CpuBackend.INSTANCE.adamw(w, g, m, v, shrink, 0.9f, 0.1f, 0.95f, 0.05f, step, bc2, 1e-8f);
        for (int i = 0; i < count; i++) {
            String ctx = "seed " + seed + " tensor " + i + " of " + count + " n " + want[i].length;
            assertArrayEquals(want[i], w[i].data(), ctx);
            assertArrayEquals(wantM[i], m[i].data(), ctx);
            assertArrayEquals(wantV[i], v[i].data(), ctx);
        }
    }
}
