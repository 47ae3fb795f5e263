package org.stmae.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/**
 * The float erf approximations against a double reference written here, independently of
 * {@link Erf}: the alternating Maclaurin series for |x| &lt; 2 (terms at most ~11 at x = 2, so
 * ~1e-15 absolute) and the Laplace continued fraction for erfc beyond. Requirement for both the
 * vector erf and the scalar {@code Erf.erf(float)}: max absolute error &lt;= 2e-7.
 */
class ErfTest {
    static final double TOL = 2e-7;
    static final double TWO_OVER_SQRT_PI = 1.1283791670955126, INV_SQRT_PI = 0.5641895835477563;

    static double refErf(double x) {
        double ax = Math.abs(x);
        return Math.copySign(ax < 2 ? series(ax) : 1 - erfcFraction(ax), x);
    }

    static double series(double ax) {
        // erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1))
        double x2 = ax * ax, p = ax, s = ax;
        for (int n = 1; n < 200; n++) {
            p *= -x2 / n;
            double t = p / (2 * n + 1);
            s += t;
            if (Math.abs(t) < 1e-18) break;
        }
        return TWO_OVER_SQRT_PI * s;
    }

    static double erfcFraction(double ax) {
        // erfc(x) = exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...))))), evaluated
        // bottom-up; 160 levels converge to double precision for x >= 2.
        double t = ax;
        for (int k = 160; k >= 1; k--) t = ax + 0.5 * k / t;
        return Math.exp(-ax * ax) * INV_SQRT_PI / t;
    }

    @Test
    void referenceMatchesTabulatedValues() {
        // Tabulated values (Abramowitz & Stegun 7.1; high-precision tables), to 1e-14.
        double[][] known = {{0.5, 0.5204998778130465}, {1, 0.8427007929497149}, {1.5, 0.9661051464753108},
                {2, 0.9953222650189527}, {2.5, 0.9995930479825550}, {3, 0.9999779095030014},
                {-1, -0.8427007929497149}, {0.1, 0.1124629160182849}};
        for (double[] kv : known) assertEquals(kv[1], refErf(kv[0]), 1e-14, "refErf(" + kv[0] + ")");
        // The series and the fraction agree where they meet.
        for (double x : new double[] {2, 2.25}) // the series loses digits to cancellation beyond
            assertEquals(series(x), 1 - erfcFraction(x), 1e-13, "series vs fraction at " + x);
    }

    @Test
    void knownValuesOfBothFloatErfs() {
        float[] xs = {0f, 0.5f, 1f, 2f, 3f, -0.5f, -1f, -2f, -3f, 4f, 10f, -10f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        float[] exp = {0f, 0.5204998778130465f, 0.8427007929497149f, 0.9953222650189527f, 0.9999779095030014f,
                -0.5204998778130465f, -0.8427007929497149f, -0.9953222650189527f, -0.9999779095030014f,
                1f, 1f, -1f, 1f, -1f};
        float[] v = vectorErf(xs);
        for (int i = 0; i < xs.length; i++) {
            assertEquals(exp[i], v[i], TOL, "VectorErf.erf(" + xs[i] + ")");
            assertEquals(exp[i], Erf.erf(xs[i]), TOL, "Erf.erf(" + xs[i] + ")");
        }
        assertTrue(Float.isNaN(vectorErf(new float[] {Float.NaN})[0]), "erf(NaN) is NaN");
    }

    @Test
    void denseGridAndRandomPoints() {
        // Grid over [0, 6] with step 2^-17 (every 2^-17 multiple is a float), the same negated, a
        // geometric sweep of tiny magnitudes, and random floats in [-8, 8].
        int grid = 6 << 17;
        Random rnd = new Random(20240611L);
        int nRand = 200_000, nTiny = 2000;
        float[] xs = new float[2 * (grid + 1) + nTiny + nRand];
        int k = 0;
        for (int i = 0; i <= grid; i++) {
            xs[k++] = i / 131072f;
            xs[k++] = -i / 131072f;
        }
        for (int i = 0; i < nTiny; i++) xs[k++] = (float) Math.pow(2, -60 + 60.0 * i / nTiny);
        for (int i = 0; i < nRand; i++) xs[k++] = (rnd.nextFloat() * 2 - 1) * 8;
        float[] v = vectorErf(xs);
        double maxV = 0, maxS = 0;
        int argV = 0, argS = 0;
        for (int i = 0; i < xs.length; i++) {
            double ref = refErf(xs[i]);
            double ev = Math.abs(v[i] - ref), es = Math.abs(Erf.erf(xs[i]) - ref);
            if (ev > maxV) { maxV = ev; argV = i; }
            if (es > maxS) { maxS = es; argS = i; }
        }
        assertTrue(maxV <= TOL, "VectorErf max abs error " + maxV + " at x=" + xs[argV] + " (species " + VectorKernels.F + ")");
        assertTrue(maxS <= TOL, "Erf.erf(float) max abs error " + maxS + " at x=" + xs[argS]);
        System.out.printf("erf max abs error: vector %.3g at %s, scalar %.3g at %s%n", maxV, xs[argV], maxS, xs[argS]);
    }

    @Test
    void oddSymmetry() {
        Random rnd = new Random(7);
        float[] xs = new float[4099], neg = new float[xs.length];
        for (int i = 0; i < xs.length; i++) neg[i] = -(xs[i] = (float) rnd.nextGaussian() * 2);
        float[] a = vectorErf(xs), b = vectorErf(neg);
        for (int i = 0; i < xs.length; i++) assertEquals(a[i], -b[i], 0f, "erf(-x) = -erf(x) at x=" + xs[i]);
    }

    /** Applies VectorErf.erf to xs, padding the last partial vector (this is a test, not a kernel). */
    static float[] vectorErf(float[] xs) {
        int l = VectorKernels.F.length(), n = xs.length, padded = (n + l - 1) / l * l;
        float[] in = java.util.Arrays.copyOf(xs, padded), out = new float[padded];
        for (int i = 0; i < padded; i += l)
            VectorErf.erf(FloatVector.fromArray(VectorKernels.F, in, i)).intoArray(out, i);
        return java.util.Arrays.copyOf(out, n);
    }

    static float vectorErf1(float x) {
        return vectorErf(new float[] {x})[0];
    }
}
