package org.stmae.tensor;

/** A dense row-major int tensor: token ids, masks' index lists, gather/scatter indices. */
public final class IntTensor {
    public final int[] data;
    private final int[] shape;

    public IntTensor(int[] data, int... shape) {
        if (Shapes.size(shape) != data.length)
            throw new IllegalArgumentException("IntTensor: " + data.length + " values do not fill shape " + Shapes.str(shape));
        this.data = data;
        this.shape = shape.clone();
    }

    public int[] shape() {
        return shape.clone();
    }

    public int dim() {
        return shape.length;
    }

    public int size(int axis) {
        return shape[Shapes.axis(axis, shape.length, "size")];
    }

    public IntTensor reshape(int... newShape) {
        return new IntTensor(data, Shapes.inferReshape("reshape", shape, newShape));
    }
}
