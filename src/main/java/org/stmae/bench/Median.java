package org.stmae.bench;

/** The median of timed samples, as every benchmark here reports it. */
final class Median {
    private Median() {}

    /** The middle of {@code sorted}, or the mean of its two middle values when its length is even. */
    static double of(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
