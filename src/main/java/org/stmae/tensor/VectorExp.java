package org.stmae.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * exp for the Vector API from adds, multiplies and fmas only, so that it gives the same bits
 * interpreted and compiled. The API's own EXP does not: compiled it is an SVML call, interpreted
 * it is Math.exp per lane, and the two differ in the last bit, which made a run's numbers depend
 * on when C2 compiled a kernel (JitIndependenceTest).
 *
 * <p>exp(x) = 2^n * exp(r), n = round(x / ln 2), r = x - n ln 2 in two parts (Cody-Waite), and
 * exp(r) = 1 + r + r^2 P(r) with Cephes' expf polynomial P of degree 5 on |r| &lt;= ln 2 / 2.
 * x is clamped to [-87.33, 88.37] so that 2^n is a normal float: below, the result is the
 * smallest normal (1.2e-38) instead of a subnormal or 0; above, 2.4e38 instead of infinity.
 * Max relative error against Math.exp: 1.2e-7 (ExpTest, a dense grid over the whole range).
 */
public final class VectorExp {
    private VectorExp() {}

    private static final float LOG2E = 1.44269504088896341f, LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    private static final float MIN = -87.33f, MAX = 88.37f;
    /** 1.5 * 2^23: adding it rounds to an integer and leaves that integer in the low mantissa bits. */
    private static final float ROUND = 12582912f;
    private static final int ROUND_BITS = Float.floatToRawIntBits(ROUND);
    private static final float P0 = 1.9875691500e-4f, P1 = 1.3981999507e-3f, P2 = 8.3334519073e-3f, P3 = 4.1665795894e-2f,
            P4 = 1.6666665459e-1f, P5 = 5.0000001201e-1f;

    public static FloatVector exp(FloatVector x) {
        x = x.max(MIN).min(MAX);
        FloatVector t = x.fma(LOG2E, ROUND), n = t.sub(ROUND);
        FloatVector r = n.fma(VectorErf.c(-LN2_HI), x);
        r = n.fma(VectorErf.c(-LN2_LO), r);
        FloatVector p = r.fma(P0, P1);
        p = r.fma(p, VectorErf.c(P2));
        p = r.fma(p, VectorErf.c(P3));
        p = r.fma(p, VectorErf.c(P4));
        p = r.fma(p, VectorErf.c(P5));
        FloatVector e = r.mul(r).fma(p, r.add(1f));
        IntVector bits = ((IntVector) t.reinterpretAsInts()).sub(ROUND_BITS - 127).lanewise(VectorOperators.LSHL, 23);
        return e.mul((FloatVector) bits.reinterpretAsFloats());
    }

    /**
     * The scalar form of {@link #exp}, the same operations in the same order: ExpTest holds the
     * vector form to it bit for bit. (The kernels' tail loops keep the scalar oracle's Math.exp.)
     */
    public static float exp(float x) {
        x = Math.min(Math.max(x, MIN), MAX);
        float t = Math.fma(x, LOG2E, ROUND), n = t - ROUND;
        float r = Math.fma(n, -LN2_HI, x);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(r, P0, P1);
        p = Math.fma(r, p, P2);
        p = Math.fma(r, p, P3);
        p = Math.fma(r, p, P4);
        p = Math.fma(r, p, P5);
        float e = Math.fma(r * r, p, r + 1f);
        return e * Float.intBitsToFloat((Float.floatToRawIntBits(t) - (ROUND_BITS - 127)) << 23);
    }
}
