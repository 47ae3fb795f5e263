package org.stmae.tensor;

/**
 * The error function, which Java lacks; GELU in its exact form is x * (1 + erf(x / sqrt 2)) / 2.
 *
 * <p>For |x| < 4 this sums the everywhere-positive series
 * erf(x) = 2/sqrt(pi) * exp(-x^2) * sum_n 2^n x^(2n+1) / (1*3*5*...*(2n+1))
 * in double precision (no cancellation, so every term adds accuracy), then rounds to float once.
 * For |x| >= 4, erfc(x) < 1.6e-8, below half a float ulp of 1, so erf rounds to +-1.
 * This is the scalar oracle; the vector kernels use a polynomial checked against it.
 */
public final class Erf {
    private Erf() {}

    private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;

    public static double erf(double x) {
        double ax = Math.abs(x);
        if (ax >= 4.0) return Math.copySign(1.0, x);
        double x2 = ax * ax;
        double term = ax, sum = ax;
        for (int n = 1; n < 200; n++) {
            term *= 2.0 * x2 / (2 * n + 1);
            sum += term;
            if (term < 1e-17 * sum) break;
        }
        return Math.copySign(TWO_OVER_SQRT_PI * Math.exp(-x2) * sum, x);
    }

    public static float erf(float x) {
        return (float) erf((double) x);
    }
}
