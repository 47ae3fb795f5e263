package org.stmae.tensor;

import static org.junit.jupiter.api.Assertions.*;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/** VectorExp against Math.exp in double, and its scalar form against its vector form bit for bit. */
class ExpTest {
    @Test
    void relativeErrorBelowTwoUlpsOverTheWholeRangeAndScalarFormIsTheSame() {
        int lanes = VectorKernels.F.length();
        float[] x = new float[lanes], y = new float[lanes];
        double worst = 0;
        float worstAt = 0;
        for (double v = -87.3; v < 88.3; v += 1.37e-4) {
            for (int l = 0; l < lanes; l++) x[l] = (float) (v + l * 1.7e-5);
            VectorExp.exp(FloatVector.fromArray(VectorKernels.F, x, 0)).intoArray(y, 0);
            for (int l = 0; l < lanes; l++) {
                double want = Math.exp(x[l]), err = Math.abs(y[l] - want) / want;
                if (err > worst) { worst = err; worstAt = x[l]; }
                if (Float.floatToRawIntBits(y[l]) != Float.floatToRawIntBits(VectorExp.exp(x[l])))
                    fail("scalar and vector forms differ at x = " + x[l]);
            }
        }
        assertTrue(worst < 2.4e-7, "max relative error " + worst + " at x = " + worstAt);
    }

    @Test
    void clampsInsteadOfUnderflowingOrOverflowing() {
        float tiny = VectorExp.exp(-1000f);
        assertTrue(tiny >= Float.MIN_NORMAL && Math.abs(tiny - Math.exp(-87.33f)) < 1e-6 * tiny, "exp(-1000) gave " + tiny);
        assertTrue(Float.isFinite(VectorExp.exp(1000f)) && VectorExp.exp(1000f) > 1e38f);
        assertEquals(1f, VectorExp.exp(0f));
        assertTrue(Float.isNaN(VectorExp.exp(Float.NaN)));
    }
}
