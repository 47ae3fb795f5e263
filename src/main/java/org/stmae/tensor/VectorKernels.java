package org.stmae.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.stmae.tensor.ScalarKernels.Binary;

/**
 * Vector API kernels. Species: {@code FloatVector.SPECIES_PREFERRED}, or the width given by
 * {@code -Dstmae.vectorBits=128|256|512}. Loops run over {@code loopBound} with a scalar tail;
 * no masked loads in inner loops (they are slow on several targets).
 */
public final class VectorKernels {
    private VectorKernels() {}

    public static final VectorSpecies<Float> F = species();

    private static VectorSpecies<Float> species() {
        String p = System.getProperty("stmae.vectorBits");
        if (p == null || p.isBlank()) return FloatVector.SPECIES_PREFERRED;
        switch (p.trim()) {
            case "64": return FloatVector.SPECIES_64;
            case "128": return FloatVector.SPECIES_128;
            case "256": return FloatVector.SPECIES_256;
            case "512": return FloatVector.SPECIES_512;
            default: throw new IllegalArgumentException("-Dstmae.vectorBits must be 64, 128, 256 or 512, got '" + p + "'");
        }
    }

    public static int vectorBits() {
        return F.vectorBitSize();
    }

    // Placeholders with the scalar semantics until the vector versions land.
    public static void binaryRun(Binary op, float[] a, int ao, int as, float[] b, int bo, int bs, float[] out, int oo, int n) {
        ScalarKernels.binaryRun(op, a, ao, as, b, bo, bs, out, oo, n);
    }

    public static void accumulateRun(float[] src, int so, float[] dst, int dOff, int ds, int n) {
        ScalarKernels.accumulateRun(src, so, dst, dOff, ds, n);
    }

    public static void axpy(float alpha, float[] src, float[] dst, int n) {
        ScalarKernels.axpy(alpha, src, dst, n);
    }

    public static void geluForward(float[] x, float[] out, int n) {
        ScalarKernels.geluForward(x, out, n);
    }

    public static void geluBackward(float[] dout, float[] x, float[] dx, int n) {
        ScalarKernels.geluBackward(dout, x, dx, n);
    }

    public static void softmaxForward(float[] x, float[] out, int rows, int d) {
        ScalarKernels.softmaxForward(x, out, rows, d);
    }

    public static void softmaxBackward(float[] dout, float[] y, float[] dx, int rows, int d) {
        ScalarKernels.softmaxBackward(dout, y, dx, rows, d);
    }

    public static void layerNormForward(float[] x, float[] w, float[] b, float[] out, float[] mean, float[] rstd, int rows, int d, float eps) {
        ScalarKernels.layerNormForward(x, w, b, out, mean, rstd, rows, d, eps);
    }

    public static void layerNormBackward(float[] dout, float[] x, float[] w, float[] mean, float[] rstd,
                                         float[] dx, float[] dw, float[] db, int rows, int d) {
        ScalarKernels.layerNormBackward(dout, x, w, mean, rstd, dx, dw, db, rows, d);
    }
}
