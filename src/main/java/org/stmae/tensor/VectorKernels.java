package org.stmae.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

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
}
