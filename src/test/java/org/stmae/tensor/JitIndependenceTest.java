package org.stmae.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The same bits whether a kernel runs interpreted (the Vector API's Java fallback) or compiled by
 * C2 (its intrinsics): run-to-run determinism across JVMs depends on it, because which code runs
 * when depends on JIT timing. The first call of each kernel here is interpreted; thousands of
 * calls later it is compiled. Lane reductions whose order the API leaves open, and EXP (an SVML
 * call when compiled, Math.exp per lane when not), broke this before they were replaced.
 */
class JitIndependenceTest {
    private static final int ROWS = 3, D = 200, N = ROWS * D, WARM = 30_000;

    private static float[] random(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[N];
        for (int i = 0; i < N; i++) x[i] = (float) (r.nextGaussian() * 3);
        return x;
    }

    /** Runs {@code kernel} once cold and once after warm-up into fresh outputs; both must agree bit for bit. */
    private static void sameBitsColdAndWarm(String what, Consumer<float[]> kernel) {
        float[] cold = new float[N], warm = new float[N], scratch = new float[N];
        kernel.accept(cold);
        for (int i = 0; i < WARM; i++) kernel.accept(scratch);
        kernel.accept(warm);
        assertArrayEquals(cold, warm, what + ": interpreted and compiled results differ");
    }

    @Test
    void softmaxForward() {
        float[] x = random(1);
        sameBitsColdAndWarm("softmax", out -> VectorKernels.softmaxForward(x, out, ROWS, D, 0.125f));
    }

    @Test
    void geluForwardAndBackward() {
        float[] x = random(2), dy = random(3);
        sameBitsColdAndWarm("gelu forward", out -> VectorKernels.geluForward(x, out, N));
        sameBitsColdAndWarm("gelu backward", out -> VectorKernels.geluBackward(dy, x, out, N, false));
    }

    @Test
    void layerNormForwardAndBackward() {
        float[] x = random(4), w = random(5), b = random(6), dy = random(7);
        float[] mean = new float[ROWS], rstd = new float[ROWS], dw = new float[D], db = new float[D];
        sameBitsColdAndWarm("layer norm forward", out -> VectorKernels.layerNormForward(x, w, b, out, mean, rstd, ROWS, D, 1e-6f));
        sameBitsColdAndWarm("layer norm backward", out -> VectorKernels.layerNormBackward(dy, x, w, mean, rstd, out, dw, db, ROWS, D, false));
    }
}
