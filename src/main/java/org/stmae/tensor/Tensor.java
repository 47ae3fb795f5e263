package org.stmae.tensor;

import java.util.Arrays;

/**
 * A dense float32 tensor: row-major values in a {@link Storage} and a shape.
 *
 * <p>The storage always holds exactly {@code size()} elements starting at index 0, so every
 * kernel can treat a tensor as a flat buffer. {@link #reshape} is a view that shares the storage;
 * every other layout change (permute, transpose, slicing) copies. The values may live on a device
 * between kernels: {@link #data()} brings them to the host.
 */
public final class Tensor {
    private final Storage storage;
    private final int[] shape;

    private Tensor(Storage storage, int[] shape) {
        this.storage = storage;
        this.shape = shape;
    }

    private Tensor(float[] data, int[] shape) {
        this(new Storage(data, data.length), shape);
    }

    /** The host array, for reading and writing (fetched from the device if it has newer values). */
    public float[] data() {
        return storage.host();
    }

    /** Where the values are; backends use it to keep them on their device. */
    public Storage storage() {
        return storage;
    }

    /** Wraps {@code data} (not copied) as a tensor of the given shape. */
    public static Tensor of(float[] data, int... shape) {
        int[] s = shape.clone();
        long n = Shapes.size(s);
        if (n != data.length)
            throw new IllegalArgumentException("Tensor.of: " + data.length + " values do not fill shape " + Shapes.str(s));
        return new Tensor(data, s);
    }

    public static Tensor zeros(int... shape) {
        int[] s = shape.clone();
        return new Tensor(new Storage(null, Shapes.checkedSize("zeros", s)), s);
    }

    /**
     * A tensor whose values are unspecified until written: for the output of a kernel that
     * overwrites every element. Outside a {@link Workspace} it is zeros; inside, a recycled array
     * is handed out without the zero-fill.
     */
    public static Tensor empty(int... shape) {
        int[] s = shape.clone();
        return new Tensor(new Storage(null, Shapes.checkedSize("empty", s), false), s);
    }

    public static Tensor scalar(float v) {
        return new Tensor(new float[] {v}, new int[0]);
    }

    public static Tensor full(float v, int... shape) {
        Tensor t = zeros(shape);
        Arrays.fill(t.data(), v);
        return t;
    }

    /** A copy of the shape (the tensor's own array is never handed out). */
    public int[] shape() {
        return shape.clone();
    }

    public int dim() {
        return shape.length;
    }

    /** Size of one axis; negative axes count from the end, as in PyTorch. */
    public int size(int axis) {
        return shape[Shapes.axis(axis, shape.length, "size")];
    }

    public int size() {
        return storage.length();
    }

    public boolean sameShape(Tensor o) {
        return Arrays.equals(shape, o.shape);
    }

    /** A view with another shape over the same array; one dimension may be -1 (inferred). */
    public Tensor reshape(int... newShape) {
        return new Tensor(storage, Shapes.inferReshape("reshape", shape, newShape));
    }

    public Tensor copy() {
        return new Tensor(storage.read().clone(), shape.clone());
    }

    public float item() {
        if (size() != 1) throw new IllegalStateException("item: tensor of shape " + Shapes.str(shape) + " is not a scalar");
        return storage.read()[0];
    }

    public float get(int... index) {
        return storage.read()[flatIndex(index)];
    }

    public void set(float v, int... index) {
        storage.host()[flatIndex(index)] = v;
    }

    private int flatIndex(int[] index) {
        if (index.length != shape.length)
            throw new IllegalArgumentException("index of rank " + index.length + " into tensor of shape " + Shapes.str(shape));
        int flat = 0;
        for (int i = 0; i < shape.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i])
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " out of shape " + Shapes.str(shape));
            flat = flat * shape[i] + index[i];
        }
        return flat;
    }

    /** Largest absolute value, the scale that parity tolerances are relative to. */
    public float maxAbs() {
        float m = 0;
        for (float v : storage.read()) m = Math.max(m, Math.abs(v));
        return m;
    }

    @Override
    public String toString() {
        float[] data = storage.read();
        StringBuilder sb = new StringBuilder("Tensor").append(Shapes.str(shape)).append(" [");
        for (int i = 0; i < Math.min(8, data.length); i++) sb.append(i == 0 ? "" : ", ").append(data[i]);
        return sb.append(data.length > 8 ? ", ...]" : "]").toString();
    }
}
